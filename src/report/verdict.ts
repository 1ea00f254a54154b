import { formatDuration } from '../shared/duration.js'
import { describeJob, shortLabel } from '../jobs/labels.js'
import { SKIPPED_BECAUSE, type JobResult, type OutcomeKind } from '../jobs/outcome.js'
import { statusName } from '../spotfire/status.js'
import { cut, oneLine } from '../spotfire/text.js'
import { LIMITS } from './limits.js'
import { inputWords, type Vocabulary } from '../spotfire/types.js'

/** What a verdict needs besides the results. */
export interface VerdictContext {
  /** The step's timeout, which a timed-out job ran into. */
  timeoutMs: number
  /** How settings are named: inputs on the runner (the default), flags on the command line. */
  words?: Vocabulary
  /** How long the whole run took, for the verdict of several jobs. */
  durationMs?: number
}

/** Outside text inside a sentence: one line, cut, without the white space that ends it. */
function quote(text: string): string {
  return oneLine(cut(text.trimEnd(), LIMITS.inline))
}

/** Why a job was never started. */
const SENTENCES: Record<OutcomeKind, (r: JobResult, id: string, ctx: VerdictContext) => string> = {
  finished: (r, id) => `Job ${id} finished${took(r, ' in ')}.`,
  failed: (r, id) =>
    `Job ${id} ended ${statusName(r.status ?? '')}${took(r, ' after ')}${r.message === '' ? '.' : `: ${quote(r.message)}`}`,
  started: (_r, id, ctx) =>
    `Started job ${id}; not waiting for it (${(ctx.words ?? inputWords).setting('wait', 'false')}).`,
  'timed-out': (r, id, ctx) =>
    `Job ${id} did not finish within ${formatDuration(ctx.timeoutMs)}${r.problem === undefined ? '.' : `; the last status check failed: ${quote(r.problem)}`}`,
  cancelled: (r, id) =>
    r.outcome.kind === 'cancelled' && r.outcome.by === 'fail-fast'
      ? `Job ${id} was stopped because another job did not finish (fail-fast).`
      : r.outcome.kind === 'cancelled' && r.outcome.by === 'internal-error'
        ? `An internal error stopped the run while job ${id} was running.`
        : `The run was cancelled while job ${id} was running.`,
  'gave-up': (r, id) => `Lost track of job ${id}: ${quote(r.problem ?? 'status checks failed')}`,
  'not-started': (r) =>
    r.outcome.kind === 'not-started' && r.outcome.mayHaveStarted
      ? `${capitalize(describeJob(r.job))} may have started: its start may have reached the server, so it was not sent again. Check the Automation Services jobs on the server before you run this again. The start failed with: ${quote(r.problem ?? '')}`
      : `Could not start ${describeJob(r.job)}: ${quote(r.problem ?? r.message)}`,
  skipped: (r) => {
    const why = SKIPPED_BECAUSE[r.outcome.kind === 'skipped' ? r.outcome.because : 'cancelled']
    return `${capitalize(describeJob(r.job))} was not started: ${why}${r.problem === undefined ? '.' : `; the last try failed with: ${quote(r.problem)}`}`
  },
}

/** One sentence (or two) on how a job ended; a failed job's line carries the server's message. */
export function jobVerdict(result: JobResult, ctx: VerdictContext): string {
  const sentence = SENTENCES[result.outcome.kind](result, result.jobId ?? '', ctx)
  return `${endWithStop(sentence)}${abortSentence(result, ctx.words ?? inputWords)}`
}

function abortSentence(result: JobResult, words: Vocabulary): string {
  switch (result.abort?.kind) {
    case undefined:
      return ''
    case 'aborted':
      return ` It was aborted (${statusName(result.abort.status)}).`
    case 'failed':
      return ` It was not aborted and may still be running: ${endWithStop(quote(result.abort.detail))}`
    case 'left-running':
      return ` It was left running (${words.setting(result.outcome.kind === 'timed-out' ? 'abort-on-timeout' : 'abort-on-cancel', 'false')}).`
  }
}

/**
 * The step's verdict: one job's sentence, or a count, then each distinct way jobs did not finish,
 * once, after the jobs it applies to.
 */
export function runVerdict(
  results: readonly JobResult[],
  ctx: VerdictContext,
  succeeded: (result: JobResult) => boolean,
): string {
  const [only] = results
  if (results.length === 1 && only !== undefined) return jobVerdict(only, ctx)
  const finished = results.filter((r) => r.outcome.kind === 'finished').length
  const started = results.filter((r) => r.outcome.kind === 'started').length
  const head =
    started > 0
      ? `Started ${started} of ${results.length} jobs; not waiting for them (${(ctx.words ?? inputWords).setting('wait', 'false')}).`
      : finished === results.length
        ? `All ${results.length} jobs finished${ctx.durationMs === undefined ? '' : ` in ${formatDuration(ctx.durationMs)}`}.`
        : `${finished} of ${results.length} jobs finished.`
  const groups = new Map<string, string[]>()
  for (const r of results) {
    if (succeeded(r) && r.outcome.kind !== 'failed') continue
    const what = endOf(r, ctx)
    groups.set(what, [...(groups.get(what) ?? []), shortLabel(r.job)])
  }
  const others = [...groups].map(([what, jobs]) => `${jobs.join(', ')}: ${what}`)
  return cut([head, ...others].join(' '), LIMITS.annotation)
}

/** How a job ended, without its name, id or duration, so that jobs that ended alike share it. */
const ENDS: Record<OutcomeKind, (r: JobResult, ctx: VerdictContext) => string> = {
  finished: () => 'finished.',
  failed: (r) =>
    `ended ${statusName(r.status ?? '')}${r.message === '' ? '.' : `: ${quote(r.message)}`}`,
  started: (_r, ctx) =>
    `started; not waited for (${(ctx.words ?? inputWords).setting('wait', 'false')}).`,
  'timed-out': (r, ctx) =>
    `did not finish within ${formatDuration(ctx.timeoutMs)}${r.problem === undefined ? '' : `; the last status check failed: ${quote(r.problem)}`}`,
  cancelled: (r) =>
    r.outcome.kind === 'cancelled' && r.outcome.by === 'fail-fast'
      ? 'stopped because another job did not finish (fail-fast).'
      : r.outcome.kind === 'cancelled' && r.outcome.by === 'internal-error'
        ? 'stopped by an internal error.'
        : 'running when the run was cancelled.',
  'gave-up': (r) => `lost track of the job: ${quote(r.problem ?? 'status checks failed')}`,
  'not-started': (r) =>
    r.outcome.kind === 'not-started' && r.outcome.mayHaveStarted
      ? `the job may have started: its start may have reached the server, so it was not sent again. Check the Automation Services jobs on the server before you run this again. The start failed with: ${quote(r.problem ?? '')}`
      : `could not start: ${quote(r.problem ?? r.message)}`,
  skipped: (r) =>
    `not started: ${SKIPPED_BECAUSE[r.outcome.kind === 'skipped' ? r.outcome.because : 'cancelled']}${r.problem === undefined ? '' : `; the last try failed with: ${quote(r.problem)}`}`,
}

function endOf(result: JobResult, ctx: VerdictContext): string {
  const words = ctx.words ?? inputWords
  const end = ENDS[result.outcome.kind](result, ctx)
  switch (result.abort?.kind) {
    case undefined:
      return endWithStop(end)
    case 'aborted':
      return `${end.replace(/\.$/, '')}; aborted (${statusName(result.abort.status)}).`
    case 'failed':
      return `${end.replace(/\.$/, '')}; not aborted, and may still be running: ${endWithStop(quote(result.abort.detail))}`
    case 'left-running':
      return `${end.replace(/\.$/, '')}; left running (${words.setting(result.outcome.kind === 'timed-out' ? 'abort-on-timeout' : 'abort-on-cancel', 'false')}).`
  }
}

function took(result: JobResult, word: string): string {
  return result.durationMs === undefined ? '' : `${word}${formatDuration(result.durationMs)}`
}

function endWithStop(sentence: string): string {
  return /[.!?…]$/.test(sentence) ? sentence : `${sentence}.`
}

function capitalize(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`
}
