import type { DryRunReport } from '../flow/dry-run.js'
import { formatDuration } from '../shared/duration.js'
import { shortLabel } from '../jobs/labels.js'
import type { JobResult, OutcomeKind } from '../jobs/outcome.js'
import { libraryItemUrl } from '../spotfire/links.js'
import { classifyStatus } from '../spotfire/status.js'
import { cut, oneLine } from '../spotfire/text.js'
import { code, folded, link, prose } from './markdown.js'
import { LIMITS } from './limits.js'
import { uploadsMarkdown } from './uploads.js'
import type { UploadResult } from '../uploads/result.js'

const ICONS: Record<OutcomeKind, string> = {
  finished: '✅',
  failed: '❌',
  started: '🚀',
  'timed-out': '⏱️',
  cancelled: '🛑',
  'gave-up': '⚠️',
  'not-started': '⛔',
  skipped: '⏭️',
}

/** What to look at next, for a reader who has never seen Automation Services fail. */
const NEXT_STEPS: Record<OutcomeKind, (result: JobResult) => string | undefined> = {
  finished: () => undefined,
  started: () => undefined,
  failed: (r) =>
    ({
      Failed:
        'The message names the task that failed. Open the job in Spotfire (or its analysis) and run that task by hand to see why.',
      Missing: 'The server no longer knows the job: it may have restarted. Run the workflow again.',
      NotSet:
        'The server could not read the job: check the job XML against a job saved from the Job Builder.',
    })[r.status ?? ''] ?? 'The job was aborted on the server.',
  'not-started': (r) =>
    r.outcome.kind === 'not-started' && r.outcome.mayHaveStarted
      ? 'The start may have reached the server: look for the job on the server before you run this again.'
      : r.message === 'Job file not found or no access.'
        ? 'Check the library path or id, and that the API client may read that library item.'
        : 'See the error above; the Troubleshooting section of the action README explains the usual causes.',
  'timed-out': () =>
    'Raise the timeout input, or check whether the job waits in the Automation Services queue (Queued).',
  cancelled: (r) =>
    r.outcome.kind === 'cancelled' && r.outcome.by === 'fail-fast'
      ? 'Another job did not finish, and fail-fast stopped this one.'
      : r.outcome.kind === 'cancelled' && r.outcome.by === 'internal-error'
        ? 'An internal error stopped the run (see the error on this step); please report it.'
        : 'The workflow run was cancelled.',
  'gave-up': () =>
    'The server stopped answering status checks: check that it is up, then look up the job on the server.',
  skipped: () => undefined,
}

const CANCELLED_BY = {
  run: 'Cancelled',
  'fail-fast': 'Stopped by fail-fast',
  'internal-error': 'Stopped by an internal error',
} as const

export interface SummaryContext {
  /** The validated server URL (settings.serverUrl): the only base of the links the summary makes. */
  serverUrl: string
  /** The step's uploads, shown above the jobs. */
  uploads?: readonly UploadResult[]
}

/** The server's host, linked to the server. */
function serverLink(serverUrl: string): string {
  let host: string
  try {
    host = new URL(serverUrl).host
  } catch {
    return ''
  }
  return link(code(host, 200), serverUrl)
}

/** The words of the totals, one per kind of end, as the status column says them, in this order. */
const COUNTED: Record<OutcomeKind, string> = {
  finished: 'finished',
  started: 'started',
  failed: 'failed',
  'timed-out': 'timed out',
  cancelled: 'cancelled',
  'gave-up': 'lost contact',
  'not-started': 'not started',
  skipped: 'skipped',
}

/** "2 finished · 1 timed out": each kind of end that occurred, and only those. */
function totalsOf(results: readonly JobResult[]): string[] {
  return Object.entries(COUNTED).flatMap(([kind, words]) => {
    const count = results.filter((r) => r.outcome.kind === kind).length
    return count === 0 ? [] : [`${count} ${words}`]
  })
}

/** The heading, the totals, the table's header and the next steps: a few KiB at most. */
const RESERVED_BYTES = 16 * 1024

/** The job summary: totals, a row per job, the long messages folded, then what to do next. */
export function summaryMarkdown(results: readonly JobResult[], ctx: SummaryContext): string {
  // Each job gets an equal share of the bytes GitHub takes: its row, then its folded message.
  // Outside text grows when it is escaped (a control character takes 6 bytes, `&` 5, a CJK
  // character 3), so each piece is cut to fit its share in bytes, not in characters.
  // The uploads' rows come first: at most about a kilobyte each, as many as the settings allow.
  const uploads = uploadsMarkdown(ctx.uploads ?? [], ctx.serverUrl)
  const left = LIMITS.summaryBytes - RESERVED_BYTES - Buffer.byteLength(uploads.join('\n'))
  const share = Math.floor(left / Math.max(1, results.length))
  const rows: string[] = []
  const details: string[] = []
  for (const r of results) {
    const text = r.message === '' ? (r.problem ?? '') : r.message
    const long = text.length > LIMITS.cell || /[\r\n\u0085\u2028\u2029]/.test(text)
    const label = shortLabel(r.job)
    // The source a reader knows the job by, with the server's id under it for looking it up.
    const id = r.jobId === undefined ? 'not started' : fitted(r.jobId, 80, share / 8, code)
    const source = fitted(label, 200, share / 8, code)
    const row = [
      ICONS[r.outcome.kind],
      `${r.job.kind === 'library-id' ? link(source, libraryItemUrl(ctx.serverUrl, r.job.id)) : source}<br><sub>${id}</sub>`,
      statusCell(r, share / 16),
      r.durationMs === undefined ? '' : formatDuration(r.durationMs),
      `${fitted(text, LIMITS.cell, share / 4, code)}${long ? ' (in full below)' : ''}`,
    ].join(' | ')
    rows.push(`| ${row} |`)
    if (long) {
      // folded() escapes it: escaping here as well would show &amp; for &.
      const title = fitted(label, 200, share / 8, (t) => oneLine(t))
      const room = share - Buffer.byteLength(row) - Buffer.byteLength(title) - 32
      details.push(
        fitted(text, LIMITS.folded, room, (t) => folded(`${title}: the whole message`, t)),
      )
    }
  }
  const steps = [
    ...new Set(results.map((r) => NEXT_STEPS[r.outcome.kind](r)).filter((s) => s !== undefined)),
  ]
  const jobsTable =
    results.length === 0
      ? []
      : ['| | Job | Status | Duration | Message |', '| --- | --- | --- | --- | --- |', ...rows]
  return [
    '### Spotfire Automation Services',
    '',
    [...totalsOf(results), `server ${serverLink(ctx.serverUrl)}`].join(' · '),
    '',
    ...uploads,
    ...jobsTable,
    ...(details.length === 0 ? [] : ['', ...details]),
    ...(steps.length === 0 ? [] : ['', '**Next step**', '', ...steps.map((s) => `- ${s}`)]),
    '',
  ].join('\n')
}

/**
 * `render` of the text cut to at most `max` characters, or fewer, so that the result takes at
 * most `bytes` bytes (the cut marker always shows; with nothing left to cut it is as short as it
 * gets).
 */
function fitted(
  text: string,
  max: number,
  bytes: number,
  render: (text: string) => string,
): string {
  let chars = Math.min(max, text.length)
  for (;;) {
    const shown = render(cut(text, chars))
    const size = Buffer.byteLength(shown)
    if (size <= bytes || chars === 0) return shown
    chars = Math.max(0, Math.min(chars - 1, Math.floor((chars * bytes) / size)))
  }
}

/** What happened to a job the action stopped waiting for, in a word or two. */
const ABORTS: Record<NonNullable<JobResult['abort']>['kind'], string> = {
  aborted: 'aborted',
  failed: 'abort failed',
  'left-running': 'left running',
}

/** How a job ended, in words, for a reader: the server's status where that says it. */
function statusCell(result: JobResult, bytes: number): string {
  const status = result.status ?? ''
  const server =
    classifyStatus(status) === 'unknown' && status !== '' ? fitted(status, 40, bytes, code) : status
  const abort = result.abort === undefined ? '' : ` (${ABORTS[result.abort.kind]})`
  switch (result.outcome.kind) {
    case 'finished':
    case 'failed':
      return server
    case 'started':
      return `${server} (not waited for)`
    case 'timed-out':
      return `Timed out${abort}`
    case 'cancelled':
      return `${CANCELLED_BY[result.outcome.by]}${abort}`
    case 'gave-up':
      return `Lost contact${abort}`
    case 'not-started':
      return result.outcome.mayHaveStarted ? 'Start not confirmed' : 'Not started'
    case 'skipped':
      return 'Skipped'
  }
}

/** The job summary of a dry run: each check, then what a run would do. */
export function dryRunMarkdown(report: DryRunReport, ctx: SummaryContext): string {
  return [
    '### Spotfire Automation Services: dry run',
    '',
    `Nothing was started · server ${serverLink(ctx.serverUrl)}`,
    '',
    '| | Check | Result |',
    '| --- | --- | --- |',
    ...report.checks.map(
      (check) =>
        `| ${check.ok ? '✅' : '❌'} | ${check.name} | ${code(check.detail, LIMITS.inline)} |`,
    ),
    '',
    '**A run would**',
    '',
    ...report.plan.map((line) => `- ${code(line, 300)}`),
    '',
  ].join('\n')
}

/** The verdict of a dry run, in one line. */
export function dryRunVerdict(report: DryRunReport): string {
  const failed = report.checks.find((check) => !check.ok)
  const ready = report.checks.map((check) => check.name).join(', ')
  return failed === undefined
    ? `Dry run passed: ${ready} ready for ${report.work}; nothing was started or uploaded.`
    : `Dry run failed at the ${failed.name} check: ${oneLine(cut(failed.detail, LIMITS.annotation))}`
}

/** The job summary of a step whose inputs are invalid: every problem, as inert text. */
export function invalidInputsMarkdown(problems: readonly string[]): string {
  const count = problems.length
  return [
    '### Spotfire Automation Services',
    '',
    `❌ Nothing was started: ${count === 1 ? 'an input is' : `${count} inputs are`} invalid:`,
    '',
    ...problems.map((problem) => `- ${prose(problem, LIMITS.inline)}`),
    '',
  ].join('\n')
}
