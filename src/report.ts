import { Outputs } from './constants.js'
import { formatDuration } from './duration.js'
import type { JobResult } from './run-job.js'
import type { JobSource } from './settings.js'

/** Whether the step (or the CLI) succeeds. */
export function isSuccess(result: JobResult, failOnJobFailure: boolean): boolean {
  if (result.outcome === 'finished' || result.outcome === 'started') return true
  return result.outcome === 'job-failed' && !failOnJobFailure
}

/** Seconds with one decimal, as the outputs and the CLI's JSON give them. */
export function durationSeconds(ms: number): number {
  return Math.round(ms / 100) / 10
}

/** The step's outputs for one job; every output is always set, so that `if:` conditions can rely on it. */
export function outputsOf(result: JobResult): Record<string, string> {
  return {
    [Outputs.JobId]: result.jobId ?? '',
    [Outputs.Status]: result.status ?? '',
    [Outputs.Message]: result.message,
    [Outputs.DurationSeconds]:
      result.durationMs === undefined ? '' : String(durationSeconds(result.durationMs)),
    [Outputs.TimedOut]: String(result.timedOut),
  }
}

/** One line that says how it ended; on a failed job it carries the server's message verbatim. */
export function verdict(result: JobResult): string {
  const id = result.jobId ?? ''
  const took = result.durationMs === undefined ? '' : formatDuration(result.durationMs)
  const after = took === '' ? '' : ` after ${took}`
  const abort = result.abort === undefined ? '' : ` Job ${id} ${result.abort.detail}.`
  switch (result.outcome) {
    case 'finished':
      return `Job ${id} finished${took === '' ? '' : ` in ${took}`}.`
    case 'job-failed':
      return `Job ${id} ended ${result.status ?? ''}${after}${result.message === '' ? '.' : `: ${result.message}`}`
    case 'started':
      return `Started job ${id}; not waiting for it (wait: false).`
    case 'not-started':
    case 'timed-out':
    case 'cancelled':
    case 'gave-up':
      return `${result.error ?? `Job ${id} ${result.outcome}`}${abort}`
  }
}

/** What to look at next, for a job summary reader who has never seen Automation Services fail. */
export function nextStep(result: JobResult): string | undefined {
  switch (result.outcome) {
    case 'finished':
    case 'started':
      return undefined
    case 'job-failed':
      return result.status === 'Failed'
        ? 'The message names the task that failed. Open the job in Spotfire (or its analysis) and run that task by hand to see why.'
        : result.status === 'Missing'
          ? 'The server no longer knows the job: it may have restarted. Run the workflow again.'
          : result.status === 'NotSet'
            ? 'The server could not read the job: check the job XML against a job saved from the Job Builder.'
            : 'The job was aborted on the server.'
    case 'not-started':
      return result.message === 'Job file not found or no access.'
        ? 'Check the library path or id, and that the API client may read that library item.'
        : 'See the error above; the Troubleshooting section of the action README explains the usual causes.'
    case 'timed-out':
      return 'Raise the timeout input, or check whether the job waits in the Automation Services queue (Queued).'
    case 'cancelled':
      return 'The workflow run was cancelled.'
    case 'gave-up':
      return 'The server stopped answering status checks: check that it is up, then look up the job on the server.'
  }
}

export function describeSourceShort(job: JobSource): string {
  switch (job.kind) {
    case 'library-path':
      return `library path ${job.path}`
    case 'library-id':
      return `library id ${job.id}`
    case 'xml':
      return job.file === undefined ? 'inline job-xml' : `file ${job.file}`
  }
}

/** The job summary: a table with a row per job, then what to do about failures. */
export function summaryMarkdown(results: readonly JobResult[]): string {
  const rows = results.map((r) =>
    [
      r.jobId === undefined ? '(not started)' : `\`${cell(r.jobId)}\``,
      cell(describeSourceShort(r.source)),
      cell(statusWord(r)),
      r.durationMs === undefined ? '' : formatDuration(r.durationMs),
      cell(r.message === '' ? (r.error ?? '') : r.message),
    ].join(' | '),
  )
  const steps = results
    .map((r) => nextStep(r))
    .filter((s): s is string => s !== undefined)
    .map((s) => `- ${cell(s)}`)
  return [
    '### Spotfire Automation Services',
    '',
    '| Job | Source | Status | Duration | Message |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
    ...(steps.length === 0 ? [] : ['', '**Next step**', '', ...steps]),
    '',
  ].join('\n')
}

function statusWord(result: JobResult): string {
  const status = result.status ?? 'not started'
  if (result.outcome === 'timed-out') return `${status} (timed out)`
  if (result.outcome === 'cancelled') return `${status} (run cancelled)`
  if (result.outcome === 'gave-up') return `${status} (lost contact)`
  return status
}

/** Table cells: no HTML, no pipes, no line breaks from the server's text. */
function cell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r\n?|\n/g, '<br>')
}
