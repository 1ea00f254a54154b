import { describe, expect, it } from '@jest/globals'
import { code, escapeHtml, folded, link, prose } from '../../src/report/markdown.js'
import { lines, oneLine } from '../../src/spotfire/text.js'
import { ACTIVE_TAGS, HOSTILE, renderGfm, tableRows, visibleText } from './report-fixtures.js'

/** Zero-width spaces code() may insert to keep a pipe escaped: invisible, so not part of the text. */
const invisible = (text: string): string => text.replace(/\u200b/g, '')

/** A three-column table with the text in the middle, the way the summary puts it in a cell. */
const tableWith = (cell: string): string =>
  ['| before | text | after |', '| --- | --- | --- |', `| left | ${cell} | right |`, ''].join('\n')

describe('code: outside text in a table cell', () => {
  it.each(HOSTILE.map((text) => [JSON.stringify(text), text]))(
    'renders %s inert, in its own cell, still readable',
    async (_name, text) => {
      const html = await renderGfm(tableWith(code(text)))
      expect(html).not.toMatch(ACTIVE_TAGS)
      const rows = tableRows(html)
      expect(rows).toHaveLength(1)
      expect(rows[0]).toHaveLength(3)
      expect(rows[0]?.[0]).toBe('left')
      expect(rows[0]?.[2]).toBe('right')
      expect(invisible(visibleText(rows[0]?.[1] ?? ''))).toBe(oneLine(text))
    },
  )

  it('keeps a backslash before a pipe, and the pipe in the cell', async () => {
    // BUG fixed: `\|` became `\\|`, which GFM reads as an escaped backslash and a cell border,
    // splitting the cell and letting the rest of the text render as markdown.
    const text = 'C:\\temp\\|[x](https://evil.example) **bold**'
    const html = await renderGfm(tableWith(code(text)))
    expect(tableRows(html)[0]).toHaveLength(3)
    expect(tableRows(html)[0]?.[2]).toBe('right')
    expect(html).not.toMatch(ACTIVE_TAGS)
    expect(invisible(visibleText(tableRows(html)[0]?.[1] ?? ''))).toBe(text)
  })

  it('is one line whatever line breaks the text holds', () => {
    for (const text of HOSTILE) expect(code(text)).not.toMatch(/[\r\n\u0085\u2028\u2029]/)
  })

  it('fences with more backticks than the longest run in the text', () => {
    expect(code('a `b` c')).toBe('``a `b` c``')
    expect(code('x ``` y')).toBe('````x ``` y````')
    expect(code('plain')).toBe('`plain`')
  })

  it('pads text that starts or ends with a backtick or a space, so that it survives', async () => {
    expect(code('`quoted`')).toBe('`` `quoted` ``')
    const html = await renderGfm(tableWith(code(' spaced ')))
    expect(visibleText(tableRows(html)[0]?.[1] ?? '')).toBe(' spaced ')
  })

  it('escapes every pipe', () => {
    expect(code('a|b|c')).toBe('`a\\|b\\|c`')
  })

  it('gives nothing for empty text', () => {
    expect(code('')).toBe('')
  })

  it('cuts long text at the limit, with a visible marker', async () => {
    const cell = code('x'.repeat(1000), 300)
    expect(cell).toContain(`${'x'.repeat(300)}… [700 characters cut]`)
    expect(cell).not.toContain('x'.repeat(301))
    const html = await renderGfm(tableWith(cell))
    expect(visibleText(tableRows(html)[0]?.[1] ?? '')).toMatch(/\[700 characters cut\]$/)
  })

  it('cuts before it makes the text one line, so the limit counts the text', () => {
    expect(code('a\nb', 1)).toBe('`a… [2 characters cut]`')
  })
})

describe('folded: a long message below the table', () => {
  const pre = (html: string): string => /<pre>([\s\S]*?)<\/pre>/.exec(html)?.[1] ?? ''

  it.each(HOSTILE.map((text) => [JSON.stringify(text), text]))(
    'renders %s inert, inside one <details> and one <pre>, line by line',
    async (_name, text) => {
      const html = await renderGfm(folded('the whole message', text))
      expect(html).not.toMatch(ACTIVE_TAGS)
      expect(html.match(/<details>/g)).toHaveLength(1)
      expect(html.match(/<\/details>/g)).toHaveLength(1)
      expect(html.match(/<pre>/g)).toHaveLength(1)
      expect(html.match(/<\/pre>/g)).toHaveLength(1)
      expect(visibleText(pre(html))).toBe(lines(text))
    },
  )

  it('keeps a hostile summary line inert, one line, inside its <summary>', async () => {
    // BUG fixed: a summary with a blank line in it ended the HTML block, and the rest rendered
    // as markdown (a link, emphasis).
    for (const summary of HOSTILE) {
      const html = await renderGfm(folded(summary, 'body'))
      expect(html).not.toMatch(ACTIVE_TAGS)
      const shown = /<summary>([\s\S]*?)<\/summary>/.exec(html)?.[1] ?? ''
      expect(visibleText(shown)).toBe(oneLine(summary))
      expect(visibleText(pre(html))).toBe('body')
    }
  })

  it('keeps blank lines and indentation of the text', async () => {
    const text = 'first\n\n    indented\n\nlast'
    expect(visibleText(pre(await renderGfm(folded('s', text))))).toBe(text)
  })

  it('shows line breaks of every kind as line breaks, and controls visibly', () => {
    const block = folded('s', 'a\r\nb\rc\u2028d\u0000e')
    expect(block).toContain('<pre>a\nb\nc\nd\\u0000e</pre>')
  })

  it('is a details block with the summary first', () => {
    expect(folded('Job A: the whole message', 'text')).toBe(
      [
        '<details><summary>Job A: the whole message</summary>',
        '',
        '<pre>text</pre>',
        '',
        '</details>',
      ].join('\n'),
    )
  })
})

describe('escapeHtml', () => {
  it('escapes the five characters that matter in HTML text and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    )
  })

  it('leaves other text alone', () => {
    expect(escapeHtml('Task 1 failed: *no* [data] `x` | y')).toBe(
      'Task 1 failed: *no* [data] `x` | y',
    )
  })
})

describe('prose: outside text as a sentence of the summary', () => {
  it.each(HOSTILE.map((text) => [JSON.stringify(text), text]))(
    'renders %s inert, on one line, still readable',
    async (_name, text) => {
      const html = await renderGfm(prose(text))
      expect(html).not.toMatch(ACTIVE_TAGS)
      expect(html).not.toMatch(/<(code|pre|table|ul|ol)\b/)
      expect((html.match(/<p>/g) ?? []).length).toBeLessThanOrEqual(1)
      expect(visibleText(html).trim()).toBe(oneLine(text).trim())
    },
  )

  it('keeps GitHub from reading mentions, issue numbers and emoji codes', async () => {
    const text = '@octocat #12 :rocket: https://evil.example'
    expect(visibleText(await renderGfm(prose(text))).trim()).toBe(text)
    expect(prose(text)).toBe('\\@octocat \\#12 \\:rocket\\: https\\:\\/\\/evil\\.example')
  })

  it('cuts long text with a marker', () => {
    expect(prose('x'.repeat(20), 5)).toBe('xxxxx… \\[15 characters cut\\]')
  })
})

describe('link: a link the summary makes to the server', () => {
  const hrefs = (html: string): string[] =>
    [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => visibleText(m[1] ?? ''))

  it('links the text to an http(s) URL', async () => {
    const html = await renderGfm(link('`spotfire.example.com`', 'https://spotfire.example.com'))
    expect(html).toContain(
      '<a href="https://spotfire.example.com/"><code>spotfire.example.com</code></a>',
    )
  })

  it.each([
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'not a url',
    '',
  ])('gives the text alone for %j', (url) => {
    expect(link('text', url)).toBe('text')
  })

  it.each([
    'https://spotfire.example.com/a b(c)d)<e>|f"g\'h`i*_[j]\\k&copy;l?x=1&y=(2)|3#frag)',
    'http://[::1]:8080/spotfire/library?guid=1|2',
    'https://spotfire.example.com/)](https://evil.example)',
    'https://spotfire.example.com/%7C%29',
  ])('escapes %j: one link, in its cell, to the same place', async (url) => {
    const html = await renderGfm(
      ['| a | b |', '| --- | --- |', `| ${link('`text`', url)} | right |`, ''].join('\n'),
    )
    expect(tableRows(html)[0]).toHaveLength(2)
    expect(tableRows(html)[0]?.[1]).toBe('right')
    expect(html.match(/<a /g)).toHaveLength(1)
    const [href] = hrefs(html)
    expect(decodeURI(href ?? '')).toBe(decodeURI(new URL(url).href))
    expect(visibleText(tableRows(html)[0]?.[0] ?? '')).toBe('text')
  })
})
