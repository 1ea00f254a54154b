import { describe, expect, it } from '@jest/globals'
import type { JobResult } from '../../src/jobs/outcome.js'
import { LIMITS } from '../../src/report/limits.js'
import { dryRunMarkdown, invalidInputsMarkdown, summaryMarkdown } from '../../src/report/summary.js'
import type { JobSpec } from '../../src/settings/index.js'
import { MAX_JOBS } from '../../src/settings/job-sources.js'
import { lines, oneLine } from '../../src/spotfire/text.js'
import { JOB_ID } from './fixtures.js'
import {
  ACTIVE_TAGS,
  EVERY_OUTCOME,
  failed,
  FAILURE,
  HOSTILE,
  renderGfm,
  result,
  resultFor,
  tableRows,
  visibleText,
} from './report-fixtures.js'

const CTX = { serverUrl: 'https://spotfire.example.com' }
const SERVER = '[`spotfire.example.com`](https://spotfire.example.com/)'
const OTHER_ID = '11111111-2222-3333-4444-555555555555'
const library = (path: string): JobSpec => ({ kind: 'library-path', path })
const invisible = (text: string): string => text.replace(/\u200b/g, '')

/** The markdown lines of the table's body rows. */
const markdownRows = (markdown: string): string[] =>
  markdown.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))

/** The rendered summary without its own heading, totals and next steps: what holds outside text. */
const outsideTextParts = (html: string): string =>
  html
    .replace(/^<h3>Spotfire Automation Services<\/h3>\n<p>[^\n]*<\/p>\n/, '')
    .replace(/<p><strong>Next step<\/strong><\/p>\n<ul>\n(<li>[^<]*<\/li>\n)*<\/ul>\n$/, '')

describe('summaryMarkdown', () => {
  it('writes a heading, the totals with the server, and a row per job', () => {
    const markdown = summaryMarkdown(
      [result(), failed({ jobId: OTHER_ID, job: library('/Jobs/B') })],
      CTX,
    )
    const all = markdown.split('\n')
    expect(all[0]).toBe('### Spotfire Automation Services')
    expect(all).toContain(`1 finished · 1 failed · server ${SERVER}`)
    const rows = markdownRows(markdown)
    expect(rows).toHaveLength(3)
    expect(rows[0]).toBe('| | Job | Status | Duration | Message |')
    expect(rows[1]).toBe(
      `| ✅ | \`/Jobs/Refresh sales\`<br><sub>\`${JOB_ID}\`</sub> | Finished | 1 min 36 s |  |`,
    )
    expect(rows[2]).toBe(
      `| ❌ | \`/Jobs/B\`<br><sub>\`${OTHER_ID}\`</sub> | Failed | 1 min 36 s | \`${FAILURE}\` |`,
    )
  })

  it('renders as a table of five columns, a row per job', async () => {
    const results = EVERY_OUTCOME.map(resultFor)
    const html = await renderGfm(summaryMarkdown(results, CTX))
    const rows = tableRows(html)
    expect(rows).toHaveLength(results.length)
    for (const row of rows) expect(row).toHaveLength(5)
  })

  it('gives each outcome its own icon', () => {
    const icons = EVERY_OUTCOME.map(
      (outcome) => markdownRows(summaryMarkdown([resultFor(outcome)], CTX))[1]?.split(' | ')[0],
    )
    const byKind = new Map(EVERY_OUTCOME.map((o, i) => [o.kind, icons[i]]))
    expect(new Set(byKind.values()).size).toBe(byKind.size)
    for (const icon of byKind.values()) expect(icon).toMatch(/^\| \S+$/)
  })

  it('says "not started" for a job without an id, and shows why', () => {
    const notStarted = resultFor({ kind: 'not-started', refused: false, mayHaveStarted: false })
    const row = markdownRows(summaryMarkdown([notStarted], CTX))[1] ?? ''
    const cells = row.split(' | ')
    expect(cells[1]).toMatch(/<br><sub>not started<\/sub>$/)
    expect(cells[2]).toBe('Not started')
    expect(row).toContain('`HTTP 400 Bad Request: the job XML is not valid`')
  })

  it('says "skipped" in the status of a skipped job', () => {
    const row = markdownRows(
      summaryMarkdown([resultFor({ kind: 'skipped', because: 'fail-fast' })], CTX),
    )[1]
    expect(row?.split(' | ')[2]).toBe('Skipped')
  })

  it('says in words how the wait ended, and what became of the job', () => {
    const markdown = summaryMarkdown(
      [
        result({
          outcome: { kind: 'timed-out' },
          status: 'Canceled',
          abort: { kind: 'aborted', status: 'Canceled' },
        }),
        result({
          outcome: { kind: 'cancelled', by: 'run' },
          status: 'InProgress',
          abort: { kind: 'failed', detail: 'x' },
        }),
        result({
          outcome: { kind: 'cancelled', by: 'fail-fast' },
          status: 'Canceled',
          abort: { kind: 'aborted', status: 'Canceled' },
        }),
        result({ outcome: { kind: 'gave-up' }, status: 'InProgress' }),
        result({
          outcome: { kind: 'timed-out' },
          status: 'InProgress',
          abort: { kind: 'left-running' },
        }),
        result({ outcome: { kind: 'started' }, status: 'Queued' }),
      ],
      CTX,
    )
    expect(markdown).toContain('| Timed out (aborted) |')
    expect(markdown).toContain('| Cancelled (abort failed) |')
    expect(markdown).toContain('| Stopped by fail-fast (aborted) |')
    expect(markdown).toContain('| Lost contact |')
    expect(markdown).toContain('| Timed out (left running) |')
    expect(markdown).toContain('| Queued (not waited for) |')
  })

  it('counts the outcomes in the totals', () => {
    const markdown = summaryMarkdown(
      [
        result(),
        result({ jobId: OTHER_ID }),
        resultFor({ kind: 'started' }),
        failed(),
        resultFor({ kind: 'timed-out' }),
        resultFor({ kind: 'not-started', refused: true, mayHaveStarted: false }),
        resultFor({ kind: 'skipped', because: 'timeout' }),
      ],
      CTX,
    )
    // BUG fixed: a timed-out job and a job not started were counted as failed.
    expect(markdown).toContain(
      `2 finished · 1 started · 1 failed · 1 timed out · 1 not started · 1 skipped · server ${SERVER}`,
    )
  })

  it('counts each kind of end apart, in the words of the status column', () => {
    const markdown = summaryMarkdown(
      [
        resultFor({ kind: 'cancelled', by: 'run' }),
        resultFor({ kind: 'cancelled', by: 'fail-fast' }),
        resultFor({ kind: 'cancelled', by: 'internal-error' }),
        resultFor({ kind: 'gave-up' }),
        resultFor({ kind: 'not-started', refused: false, mayHaveStarted: true }),
        resultFor({ kind: 'not-started', refused: true, mayHaveStarted: false }),
        resultFor({ kind: 'skipped', because: 'fail-fast' }),
      ],
      CTX,
    )
    expect(markdown).toContain(
      `3 cancelled · 1 lost contact · 2 not started · 1 skipped · server ${SERVER}`,
    )
  })

  it('shows only the kinds that occurred', () => {
    expect(summaryMarkdown([result()], CTX)).toContain(`\n1 finished · server ${SERVER}\n`)
    expect(summaryMarkdown([resultFor({ kind: 'timed-out' })], CTX)).toContain(
      `\n1 timed out · server ${SERVER}\n`,
    )
  })

  it('links the server host to the server', async () => {
    const html = await renderGfm(summaryMarkdown([result()], CTX))
    expect(html).toContain(
      'server <a href="https://spotfire.example.com/"><code>spotfire.example.com</code></a>',
    )
  })

  it("links a library job given by id to the item in the library's web UI", async () => {
    const id = '6f1c2a4e-8b3d-4e7a-9c15-000000000001'
    const html = await renderGfm(
      summaryMarkdown([result({ job: { kind: 'library-id', id } }), result({ jobId: OTHER_ID })], {
        serverUrl: 'https://spotfire.example.com/base',
      }),
    )
    const rows = tableRows(html)
    expect(rows[0]?.[1]).toContain(
      `<a href="https://spotfire.example.com/base/spotfire/library?guid=${id}"><code>library id ${id}</code></a>`,
    )
    // A path has no GUID the action knows: no link is made up for it.
    expect(rows[1]?.[1]).not.toContain('<a ')
  })

  it('folds a long message below the table, and marks the cell', async () => {
    const message = `Task 2 'Export' failed with: ${'detail '.repeat(100)}`
    const markdown = summaryMarkdown([failed({ message })], CTX)
    const row = markdownRows(markdown)[1] ?? ''
    expect(row).toMatch(/characters cut\]` \(in full below\) \|$/)
    expect(markdown).toContain('<details><summary>/Jobs/Refresh sales: the whole message</summary>')
    const html = await renderGfm(markdown)
    const pre = /<pre>([\s\S]*?)<\/pre>/.exec(html)?.[1] ?? ''
    expect(visibleText(pre)).toBe(message)
    expect(html.indexOf('</table>')).toBeLessThan(html.indexOf('<details>'))
  })

  it('folds a message with several lines, keeping its lines', async () => {
    const message = 'Task 1 failed with:\r\n  line one\n  line two'
    const markdown = summaryMarkdown([failed({ message })], CTX)
    expect(markdownRows(markdown)[1]).toContain(
      '`Task 1 failed with: ⏎   line one ⏎   line two` (in full below)',
    )
    const html = await renderGfm(markdown)
    expect(visibleText(/<pre>([\s\S]*?)<\/pre>/.exec(html)?.[1] ?? '')).toBe(lines(message))
  })

  it('escapes the title of a folded message once', async () => {
    const message = `Task 1 failed:\n${'x'.repeat(10)}`
    const html = await renderGfm(
      summaryMarkdown([failed({ message, job: library('/Jobs/R&D <Ops>') })], CTX),
    )
    expect(html).toContain('<summary>/Jobs/R&amp;D &lt;Ops&gt;: the whole message</summary>')
  })

  it('does not fold a short message on one line', () => {
    const markdown = summaryMarkdown([failed()], CTX)
    expect(markdown).not.toContain('<details>')
    expect(markdown).not.toContain('(in full below)')
  })

  it('folds the problem when there is no server message', () => {
    const notStarted = {
      ...resultFor({ kind: 'not-started', refused: false, mayHaveStarted: true }),
      problem: `no answer:\n${'x'.repeat(400)}`,
    }
    expect(summaryMarkdown([notStarted], CTX)).toContain('<details>')
  })

  it('gives each next step once, after the table', () => {
    const markdown = summaryMarkdown(
      [
        result(),
        failed(),
        failed({ jobId: OTHER_ID, job: library('/Jobs/B') }),
        resultFor({ kind: 'timed-out' }),
        result({ jobId: OTHER_ID, outcome: { kind: 'timed-out' } }),
      ],
      CTX,
    )
    const steps = markdown.split('\n').filter((line) => line.startsWith('- '))
    expect(steps).toHaveLength(2)
    expect(steps[0]).toContain('The message names the task that failed')
    expect(steps[1]).toContain('Raise the timeout input')
    expect(markdown.indexOf('**Next step**')).toBeGreaterThan(markdown.indexOf('| --- |'))
  })

  it('has no next step when every job finished', () => {
    const markdown = summaryMarkdown([result(), resultFor({ kind: 'started' })], CTX)
    expect(markdown).not.toContain('Next step')
  })

  it.each([
    [{ status: 'Missing', message: '' }, 'no longer knows the job'],
    [{ status: 'NotSet', message: '' }, 'could not read the job'],
    [{ status: 'Canceled', message: '' }, 'aborted on the server'],
  ])('gives a next step for a job that ended %j', (fields, step) => {
    expect(summaryMarkdown([failed(fields)], CTX)).toContain(step)
  })

  it.each([
    [
      resultFor({ kind: 'not-started', refused: false, mayHaveStarted: true }),
      'look for the job on the server',
    ],
    [
      {
        ...resultFor({ kind: 'not-started', refused: true, mayHaveStarted: false }),
        message: 'Job file not found or no access.',
      },
      'Check the library path or id',
    ],
    [resultFor({ kind: 'not-started', refused: false, mayHaveStarted: false }), 'Troubleshooting'],
    [resultFor({ kind: 'cancelled', by: 'fail-fast' }), 'fail-fast stopped this one'],
    [resultFor({ kind: 'cancelled', by: 'run' }), 'The workflow run was cancelled'],
    [resultFor({ kind: 'gave-up' }), 'stopped answering status checks'],
  ])('gives a next step that fits %j', (job, step) => {
    expect(summaryMarkdown([job], CTX)).toContain(step)
  })

  it('shows the server host as data', async () => {
    const html = await renderGfm(
      summaryMarkdown([result()], { serverUrl: 'https://spot_fire_.example.com' }),
    )
    expect(html).toContain(
      '<a href="https://spot_fire_.example.com/"><code>spot_fire_.example.com</code></a>',
    )
    expect(html.match(/<a /g)).toHaveLength(1)
    expect(html).not.toMatch(/<(em|strong)\b/)
  })
})

describe('summaryMarkdown with outside text', () => {
  it.each(HOSTILE.map((text) => [JSON.stringify(text), text]))(
    'renders %s inert wherever it appears, and still readable',
    async (_name, text) => {
      const results: JobResult[] = [
        failed({ message: text }),
        failed({ jobId: text === '' ? 'x' : text, job: library(text) }),
        failed({ status: text, message: `${text}\n${text}` }),
        result({ job: { kind: 'xml', xml: '<x/>', file: text } }),
        resultFor({ kind: 'not-started', refused: false, mayHaveStarted: false }),
      ]
      results[4] = { ...(results[4] as JobResult), problem: text }
      const markdown = summaryMarkdown(results, CTX)
      const html = await renderGfm(markdown)
      expect(outsideTextParts(html)).not.toMatch(ACTIVE_TAGS)
      const rows = tableRows(html)
      expect(rows).toHaveLength(results.length)
      for (const row of rows) expect(row).toHaveLength(5)
      const shown = oneLine(text).trim()
      if (shown !== '') {
        // The message, the source with the job id under it, the status: each in its cell.
        expect(invisible(visibleText(rows[0]?.[4] ?? ''))).toContain(shown)
        expect(invisible(visibleText(rows[1]?.[1] ?? ''))).toContain(`${shown}${shown}`)
        expect(invisible(visibleText(rows[2]?.[2] ?? ''))).toContain(shown.slice(0, 40))
        expect(invisible(visibleText(rows[3]?.[1] ?? ''))).toContain(shown)
        expect(invisible(visibleText(rows[4]?.[4] ?? ''))).toContain(shown)
      }
      // Folded messages: one <details> each, nothing escapes them.
      const detailsCount = (markdown.match(/^<details>/gm) ?? []).length
      expect(html.match(/<details>/g) ?? []).toHaveLength(detailsCount)
      expect(html.match(/<\/details>/g) ?? []).toHaveLength(detailsCount)
      expect(html.match(/<pre>/g) ?? []).toHaveLength(detailsCount)
    },
  )

  it.each(['__proto__', 'constructor', '**Bold**', '_Queued_'])(
    'shows the status word %j as data',
    async (status) => {
      const html = await renderGfm(summaryMarkdown([failed({ status, message: '' })], CTX))
      expect(outsideTextParts(html)).not.toMatch(ACTIVE_TAGS)
      expect(visibleText(tableRows(html)[0]?.[2] ?? '')).toBe(status)
    },
  )

  it('keeps a message with a lone carriage return on one row', () => {
    const markdown = summaryMarkdown([failed({ message: 'first\rsecond' })], CTX)
    expect(markdownRows(markdown)).toHaveLength(2)
    expect(markdown).not.toContain('\r')
  })
})

describe('summaryMarkdown size', () => {
  const FIVE_MB = 5 * 1024 * 1024

  it.each([
    ['ASCII', 'x'],
    ['HTML', '<'],
    ['ampersands', '&'],
    ['quotes', "'"],
    ['control characters', '\u0001'],
    ['line breaks', '\n'],
    ['pipes', '|'],
    ['backslashes and pipes', '\\|'],
    ['backticks', '`'],
    ['CJK', '界'],
    ['emoji', '😀'],
  ])('stays under the limit with %s: the most jobs, each with a 5 MB message', (_what, unit) => {
    const message = unit.repeat(Math.ceil(FIVE_MB / unit.length))
    const results = Array.from({ length: MAX_JOBS }, (_, i) =>
      failed({
        job: library(`/Jobs/${unit.repeat(300)}/${i}`),
        jobId: `${unit.repeat(100)}${i}`,
        status: unit.repeat(100),
        message,
      }),
    )
    const markdown = summaryMarkdown(results, CTX)
    expect(Buffer.byteLength(markdown)).toBeLessThan(LIMITS.summaryBytes)
    expect(markdownRows(markdown)).toHaveLength(MAX_JOBS + 1)
    expect((markdown.match(/^<details>/gm) ?? []).length).toBe(MAX_JOBS)
    expect((markdown.match(/characters cut\]/g) ?? []).length).toBeGreaterThanOrEqual(2 * MAX_JOBS)
  })

  it('shows one huge message in full up to its limit, with a marker', async () => {
    const markdown = summaryMarkdown([failed({ message: 'y'.repeat(FIVE_MB) })], CTX)
    const html = await renderGfm(markdown)
    const pre = visibleText(/<pre>([\s\S]*?)<\/pre>/.exec(html)?.[1] ?? '')
    expect(pre.startsWith('y'.repeat(LIMITS.folded))).toBe(true)
    expect(pre).toMatch(/… \[\d+ characters cut\]$/)
    const cell = visibleText(tableRows(html)[0]?.[4] ?? '')
    expect(cell).toMatch(
      new RegExp(`^y{${LIMITS.cell}}… \\[\\d+ characters cut\\] \\(in full below\\)$`),
    )
  })
})

describe('dryRunMarkdown', () => {
  it('links the server host to the server', async () => {
    const html = await renderGfm(
      dryRunMarkdown(
        {
          ok: true,
          checks: [{ name: 'inputs', ok: true, detail: '1 job' }],
          plan: ['x'],
          work: '1 job',
        },
        CTX,
      ),
    )
    expect(html).toContain(
      'Nothing was started · server <a href="https://spotfire.example.com/"><code>spotfire.example.com</code></a>',
    )
  })
})

describe('invalidInputsMarkdown', () => {
  it('lists every problem', async () => {
    const problems = [
      "Invalid timeout 'soon'. Expected a duration such as 90s, 15m or 1h30m.",
      "Invalid wait 'maybe'. Expected true or false.",
    ]
    const html = await renderGfm(invalidInputsMarkdown(problems))
    expect(html).toContain('Nothing was started: 2 inputs are invalid')
    const items = [...html.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => visibleText(m[1] ?? ''))
    expect(items).toEqual(problems)
  })

  it('says "an input" for one problem', () => {
    expect(invalidInputsMarkdown(['x'])).toContain('Nothing was started: an input is invalid')
  })

  it.each(HOSTILE.map((text) => [JSON.stringify(text), text]))(
    'renders a problem holding %s inert and readable',
    async (_name, text) => {
      const html = await renderGfm(invalidInputsMarkdown([`Invalid job-file '${text}'.`, 'b']))
      const list = /<ul>[\s\S]*<\/ul>/.exec(html)?.[0] ?? ''
      expect(list.replace(/<\/?(li|ul)>/g, '')).not.toMatch(ACTIVE_TAGS)
      const items = [...html.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => visibleText(m[1] ?? ''))
      expect(items).toEqual([oneLine(`Invalid job-file '${text}'.`), 'b'])
    },
  )
})
