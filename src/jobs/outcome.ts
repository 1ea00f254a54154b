import type { JobSpec } from '../settings/index.js'

/**
 * Why the action stopped waiting for jobs still running. 'internal-error' is a bug in the action
 * itself: the run cannot be trusted to watch its jobs, so they are aborted whatever abort-on-cancel says.
 */
export type StopReason = 'timeout' | 'cancelled' | 'fail-fast' | 'internal-error'

/**
 * Why a job was never started: the run stopped first, or an upload of the same step failed (a
 * release must not refresh a half-deployed library).
 */
export type SkipReason = StopReason | 'upload-failed'

/** Why a job was never started, as the verdict and the reports say it. */
export const SKIPPED_BECAUSE: Record<SkipReason, string> = {
  timeout: 'the timeout ran out first',
  cancelled: 'the run was cancelled first',
  'fail-fast': 'another job did not finish (fail-fast)',
  'internal-error': 'an internal error stopped the run first',
  'upload-failed': 'an upload to the library failed first',
}

/** Why an abort was sent: a stop for every job, or a give-up for one. */
export type AbortWhy = StopReason | 'gave-up'

/** Why the action aborted a job, as the server's job log gets it: "<the run or the CLI> …". */
export const ABORT_BECAUSE: Record<AbortWhy, string> = {
  timeout: 'timed out waiting',
  cancelled: 'was cancelled',
  'fail-fast': 'stopped its other jobs after one did not finish (fail-fast)',
  'internal-error': 'stopped on an internal error',
  'gave-up': 'lost contact with the job',
}

/** How one job ended: one vocabulary for the log, the outputs, the summary and exit codes. */
export type Outcome =
  /** Finished: every task succeeded. */
  | { kind: 'finished' }
  /** A terminal status other than Finished: Failed, Canceled, Missing, NotSet. */
  | { kind: 'failed' }
  /** Started, and not waited for (wait: false). */
  | { kind: 'started' }
  /** Still running at the timeout. */
  | { kind: 'timed-out' }
  /**
   * The run was cancelled, fail-fast stopped this job because another did not finish, or an
   * internal error stopped the run.
   */
  | { kind: 'cancelled'; by: 'run' | 'fail-fast' | 'internal-error' }
  /** Status checks failed in a way retrying cannot fix. */
  | { kind: 'gave-up' }
  /**
   * No job ran: the server refused it (`refused`: not found, not parsed), or the start failed
   * (`mayHaveStarted`: after it may have reached the server).
   */
  | { kind: 'not-started'; refused: boolean; mayHaveStarted: boolean }
  /** Never started: fail-fast, the timeout, a cancellation or a failed upload came first. */
  | { kind: 'skipped'; because: SkipReason }

export type OutcomeKind = Outcome['kind']

export interface JobResult {
  job: JobSpec
  jobId?: string
  /** The last StatusCode seen (after an abort, the abort's answer). */
  status?: string
  /** The server's Message, verbatim. */
  message: string
  /** From the start's answer to the terminal status, or to when the action stopped waiting. */
  durationMs?: number
  outcome: Outcome
  /** What went wrong on the way (the error of a failed start or check), one line. */
  problem?: string
  /** What the action did about a job it stopped waiting for. */
  abort?:
    | { kind: 'aborted'; status: string }
    | { kind: 'failed'; detail: string }
    | { kind: 'left-running' }
}

/** Whether each outcome lets the step succeed; `failed` does too with fail-on-job-failure: false. */
const SUCCEEDS: Record<OutcomeKind, boolean> = {
  finished: true,
  started: true,
  failed: false,
  'timed-out': false,
  cancelled: false,
  'gave-up': false,
  'not-started': false,
  skipped: false,
}

export function isSuccess(result: JobResult, failOnJobFailure: boolean): boolean {
  return SUCCEEDS[result.outcome.kind] || (result.outcome.kind === 'failed' && !failOnJobFailure)
}

/** The outcome of a job that was running when the action stopped waiting. */
export const STOPPED: Record<StopReason, Outcome> = {
  timeout: { kind: 'timed-out' },
  cancelled: { kind: 'cancelled', by: 'run' },
  'fail-fast': { kind: 'cancelled', by: 'fail-fast' },
  'internal-error': { kind: 'cancelled', by: 'internal-error' },
}

/** The reason an AbortSignal carries, as the run set it; undefined for anything else. */
export function stopReasonOf(signal: AbortSignal): StopReason | undefined {
  const reason: unknown = signal.reason
  return typeof reason === 'string' && Object.hasOwn(STOPPED, reason)
    ? (reason as StopReason)
    : undefined
}
