import { cut, lines, oneLine } from '../spotfire/text.js'

/**
 * Text from outside in a job summary, as GitHub renders it: shown verbatim, never as markdown or
 * HTML. An inline code span renders nothing inside it (no links, images, emphasis or tags).
 */
export function code(text: string, max: number = Number.MAX_SAFE_INTEGER): string {
  // A table cell ends at a pipe unless it is escaped as `\|`; a backslash just before it would
  // escape the escape instead (`\\|`), so a zero-width space keeps the two apart.
  const line = oneLine(cut(text, max))
    .replace(/\\(?=\|)/g, `\\${ZERO_WIDTH_SPACE}`)
    .replace(/\|/g, '\\|')
  if (line === '') return ''
  const longestRun = Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longestRun + 1)
  // A code span drops one space at each end, and reads a backtick there as part of its fence;
  // text made only of spaces is kept as it is.
  const pad = /^[` ]|[` ]$/.test(line) && /[^ ]/.test(line) ? ' ' : ''
  return `${fence}${pad}${line}${pad}${fence}`
}

const ZERO_WIDTH_SPACE = '\u200b'

/** A block of outside text, folded: `<pre>` holds raw HTML that markdown leaves alone. */
export function folded(summary: string, text: string): string {
  return [
    // One line: a blank line would end the HTML block, and the rest would render as markdown.
    `<details><summary>${escapeHtml(oneLine(summary))}</summary>`,
    '',
    `<pre>${escapeHtml(lines(text))}</pre>`,
    '',
    '</details>',
  ].join('\n')
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/**
 * Outside text as a sentence of the summary, shown verbatim on one line: every ASCII punctuation
 * mark is backslash-escaped, so nothing in it is markup (links, emphasis, HTML, entities, list
 * markers) or one of GitHub's own (mentions, issue numbers, emoji codes, bare URLs).
 */
export function prose(text: string, max: number = Number.MAX_SAFE_INTEGER): string {
  // Leading white space would make indented code of it.
  return oneLine(cut(text, max))
    .trimStart()
    .replace(/[!-/:-@[-`{-~]/g, '\\$&')
}

/**
 * `text` (markdown already) as a link to `url`, or `text` alone when `url` is not http(s). The
 * destination is escaped for markdown: nothing in it can end the link, split a table cell, or
 * read as an escape or an entity.
 */
export function link(text: string, url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return text
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return text
  const destination = parsed.href.replace(/[^A-Za-z0-9\-._~:/?#[\]@!$+,;=%]/gu, (c) =>
    c === '&'
      ? '&amp;'
      : [...Buffer.from(c)]
          .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
          .join(''),
  )
  return `[${text}](${destination})`
}
