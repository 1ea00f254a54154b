import { formatDuration } from '../shared/duration.js'
import { describeJob, shortLabel } from './labels.js'
import type { JobLedger } from './ledger.js'
import {
  STOPPED,
  stopReasonOf,
  type AbortWhy,
  type JobResult,
  type Outcome,
  type StopReason,
} from './outcome.js'
import { MISSING_PERSISTS_MS, type Poller, type WatchEnd, type WatchEvents } from './poller.js'
import type { JobSpec, Settings } from '../settings/index.js'
import type { SpotfireClient, StartRequest } from '../spotfire/client.js'
import { isTerminal, statusName, type JobStatus } from '../spotfire/status.js'
import { MIN_PAUSE_MS } from '../spotfire/retry.js'
import type { Clock, Logger, Vocabulary } from '../spotfire/types.js'

/** Time the runner leaves between its first signal and the kill: an abort must fit in it. */
export const ABORT_ON_CANCEL_TIMEOUT_MS = 5000
/** The longest the check at the deadline may take: the step is already over time. */
const FINAL_CHECK_TIMEOUT_MS = 5000

export interface JobContext {
  client: SpotfireClient
  poller: Poller
  clock: Clock
  logger: Logger
  settings: Pick<
    Settings,
    'serverUrl' | 'wait' | 'timeoutMs' | 'requestTimeoutMs' | 'abortOnTimeout' | 'abortOnCancel'
  >
  /** Fires when the run stops waiting; its reason is the StopReason. */
  stop: AbortSignal
  /** Fires on cancellation only: it cuts short the check at the deadline. */
  cancel: AbortSignal
  deadline: number
  /** No check at the deadline or abort, nor their token, runs past this: the timeout's end plus the cleanup budget. */
  cleanupDeadline: number
  /** When the job's last status check went out, so that the check at the deadline keeps the floor. */
  lastCheckAt: (jobId: string) => number | undefined
  ledger: JobLedger
  /** Several jobs share the log: each line then starts with the job's short source. */
  shared: boolean
  /** Why we abort, for the server's job log: names the workflow run. */
  abortReason: (why: AbortWhy) => string
  words: Vocabulary
}

/** A job's run from start (or from its id) to its end, or to the abort that ends it. */
export async function runJob(job: JobSpec, ctx: JobContext): Promise<JobResult> {
  const before = stopReasonOf(ctx.stop)
  if (ctx.stop.aborted) return skipped(job, before ?? 'cancelled')
  const log = jobLog(ctx, job)
  let begun: Begun
  if (job.kind === 'job-id') {
    ctx.ledger.known(job.jobId)
    log.info(ctx.shared ? 'Following' : `Following job ${job.jobId} on ${ctx.settings.serverUrl}`)
    // Alone in the log, the line above names the job: the tag names it from here on.
    if (!ctx.shared) log.tag = `Job ${job.jobId}: `
    begun = { status: { jobId: job.jobId, statusCode: '', message: '' }, at: ctx.clock.now() }
  } else {
    const started = await start(job, ctx, log)
    if ('outcome' in started) return started
    // One Missing is never believed, not even the start's: the job is checked at once instead.
    begun =
      started.status.statusCode === 'Missing'
        ? { ...started, status: { ...started.status, statusCode: '' } }
        : started
  }
  const result: JobResult = {
    job,
    jobId: begun.status.jobId,
    status: begun.status.statusCode,
    message: begun.status.message,
    outcome: { kind: 'started' },
  }
  if (isTerminal(begun.status.statusCode)) {
    ctx.ledger.settled()
    return { ...result, durationMs: 0, outcome: endedAs(begun.status) }
  }
  if (!ctx.settings.wait) {
    ctx.ledger.settled()
    return result
  }
  const end = await ctx.poller.watch({
    jobId: begun.status.jobId,
    startedAt: begun.at,
    status: begun.status,
    signal: ctx.stop,
    events: watchEvents(log, ctx),
  })
  return finish({ ...result, durationMs: end.at - begun.at }, end, begun.at, ctx, log)
}

interface Begun {
  status: JobStatus
  /** When the start answered. */
  at: number
}

interface JobLog extends Logger {
  /** "Job 7d5c…: " alone in the log; "[/Jobs/Refresh] " beside other jobs. */
  tag: string
}

function jobLog(ctx: JobContext, job: JobSpec): JobLog {
  const tag = ctx.shared ? `[${shortLabel(job)}] ` : ''
  const log: JobLog = {
    tag,
    debug: (m) => {
      ctx.logger.debug(`${log.tag}${m}`)
    },
    info: (m) => {
      ctx.logger.info(`${log.tag}${m}`)
    },
    warning: (m) => {
      ctx.logger.warning(`${log.tag}${m}`)
    },
  }
  return log
}

async function start(
  job: Exclude<JobSpec, { kind: 'job-id' }>,
  ctx: JobContext,
  log: JobLog,
): Promise<Begun | JobResult> {
  const { clock } = ctx
  log.info(ctx.shared ? 'Starting' : `Starting ${describeJob(job)} on ${ctx.settings.serverUrl}`)
  const started = await ctx.client.start(
    startRequestOf(job),
    // Its answer names the job, so a start is waited for past the deadline, yet within the
    // step's cleanup budget: the step ends on time.
    { deadline: ctx.deadline, signal: ctx.stop, answerBy: ctx.cleanupDeadline },
    {
      onSending: () => {
        ctx.ledger.sending(clock.wallNow())
      },
      onNotAccepted: () => {
        ctx.ledger.notAccepted()
      },
    },
  )
  const base = { job, message: '' }
  switch (started.kind) {
    case 'started': {
      const { status } = started
      ctx.ledger.known(status.jobId)
      log.info(
        status.statusCode === ''
          ? `Started job ${status.jobId}; checking its status`
          : `Started job ${status.jobId}: ${statusName(status.statusCode)}`,
      )
      if (!ctx.shared) log.tag = `Job ${status.jobId}: `
      return { status, at: clock.now() }
    }
    case 'refused': {
      ctx.ledger.settled()
      const { status } = started
      return {
        ...base,
        status: status.statusCode,
        message: status.message,
        outcome: { kind: 'not-started', refused: true, mayHaveStarted: false },
        problem:
          status.message === ''
            ? `the server answered ${statusName(status.statusCode)} without a job id`
            : status.message,
      }
    }
    case 'failed': {
      // Reported here, so the post step need not warn about it again.
      ctx.ledger.settled()
      const { error, mayHaveStarted } = started
      if (mayHaveStarted) {
        return {
          ...base,
          outcome: { kind: 'not-started', refused: false, mayHaveStarted: true },
          problem: error.message,
        }
      }
      const stopped =
        stopReasonOf(ctx.stop) ?? (clock.now() >= ctx.deadline ? 'timeout' : undefined)
      if (stopped !== undefined) {
        return { ...skipped(job, stopped), problem: error.message }
      }
      return {
        ...base,
        outcome: {
          kind: 'not-started',
          refused: error.details.status === 400,
          mayHaveStarted: false,
        },
        problem: error.message,
      }
    }
  }
}

function skipped(job: JobSpec, because: StopReason): JobResult {
  return { job, message: '', outcome: { kind: 'skipped', because } }
}

function watchEvents(log: JobLog, ctx: JobContext): WatchEvents {
  return {
    onChange: (status, previous, ageMs) => {
      log.info(
        previous === ''
          ? statusName(status.statusCode)
          : `${statusName(previous)} -> ${statusName(status.statusCode)} after ${formatDuration(ageMs)}`,
      )
    },
    // A long job still shows signs of life in the log, without a line per poll.
    onStill: (status, ageMs) => {
      const left = formatDuration(ctx.deadline - ctx.clock.now())
      log.info(
        `still ${statusName(status.statusCode)} after ${formatDuration(ageMs)} (${left} left before the timeout)`,
      )
    },
    onUnknownStatus: (status) => {
      log.warning(
        `status '${statusName(status.statusCode)}' is not one this action knows; it keeps waiting. A newer server may use it.`,
      )
    },
    onRetry: (error, pauseMs) => {
      log.info(
        `checking the status failed: ${error.message}. Trying again in ${formatDuration(pauseMs)}.`,
      )
    },
    onUnconfirmedMissing: (_status, inARow) => {
      const line = `the server says it does not know the job (Missing); checking again, as a Missing is believed only when it lasts ${formatDuration(MISSING_PERSISTS_MS)}`
      if (inARow === 1) log.info(line)
      else log.debug(line)
    },
  }
}

/** Terminal status or not, the watch is over: settle the job, aborting it where the rules say. */
async function finish(
  result: JobResult,
  end: WatchEnd,
  startedAt: number,
  ctx: JobContext,
  log: JobLog,
): Promise<JobResult> {
  const seen = { ...result, status: end.status.statusCode, message: end.status.message }
  if (end.kind === 'terminal') {
    if (end.status.statusCode === 'Missing') return abortMissing(seen, ctx, log)
    ctx.ledger.settled()
    return { ...seen, outcome: endedAs(end.status) }
  }
  if (end.kind === 'gave-up') {
    return stopJob({ ...seen, problem: end.error.message }, 'gave-up', ctx, log)
  }
  const why = stopReasonOf(ctx.stop) ?? 'cancelled'
  if (why === 'timeout') {
    // The job may have ended since the last check: only a job still running has timed out.
    const last = await finalCheck(result.jobId ?? '', end.status, ctx)
    // One Missing is never believed (see the poller): not a reason to leave the job unaborted.
    if (isTerminal(last.statusCode) && last.statusCode !== 'Missing') {
      ctx.ledger.settled()
      return {
        ...seen,
        status: last.statusCode,
        message: last.message,
        durationMs: ctx.clock.now() - startedAt,
        outcome: endedAs(last),
      }
    }
  }
  // The last failed check says why a job may look stuck: "HTML pages, not the API's JSON".
  const problem = end.lastProblem === undefined ? {} : { problem: end.lastProblem.message }
  return stopJob({ ...seen, ...problem }, why, ctx, log)
}

/** The job's status once more, under the id the action holds (never one read from an answer). */
async function finalCheck(jobId: string, last: JobStatus, ctx: JobContext): Promise<JobStatus> {
  const { clock } = ctx
  // The floor between two checks of a job holds here too.
  const previous = ctx.lastCheckAt(jobId)
  const waitMs = previous === undefined ? 0 : previous + MIN_PAUSE_MS - clock.now()
  if (waitMs > 0) await clock.sleep(waitMs, ctx.cancel)
  const timeoutMs = Math.min(
    ctx.settings.requestTimeoutMs,
    FINAL_CHECK_TIMEOUT_MS,
    ctx.cleanupDeadline - clock.now(),
  )
  if (timeoutMs <= 0 || ctx.cancel.aborted) return last
  try {
    return await ctx.client.status(jobId, {
      deadline: clock.now() + timeoutMs,
      timeoutMs,
      signal: ctx.cancel,
    })
  } catch {
    return last
  }
}

/** Aborts the job (unless the settings leave it running) and says how it ended. */
async function stopJob(
  result: JobResult & { jobId?: string },
  why: AbortWhy,
  ctx: JobContext,
  log: JobLog,
): Promise<JobResult> {
  const stopped: JobResult = {
    ...result,
    outcome: why === 'gave-up' ? { kind: 'gave-up' } : STOPPED[why],
  }
  const jobId = result.jobId ?? ''
  const leaveRunning =
    (why === 'timeout' && !ctx.settings.abortOnTimeout) ||
    (why === 'cancelled' && !ctx.settings.abortOnCancel)
  if (leaveRunning) {
    ctx.ledger.settled()
    log.warning(
      `left running (${ctx.words.setting(why === 'timeout' ? 'abort-on-timeout' : 'abort-on-cancel', 'false')}).`,
    )
    return { ...stopped, abort: { kind: 'left-running' } }
  }
  // The step is about to end (a cancelled run, a bug): one quick try, as the runner allows.
  const quick = why === 'cancelled' || why === 'internal-error'
  const requestMs = quick ? ABORT_ON_CANCEL_TIMEOUT_MS : ctx.settings.requestTimeoutMs
  const now = ctx.clock.now()
  // Every abort ends by the cleanup deadline, token included; one that does not is left to the post step.
  const deadline = Math.min(now + (quick ? requestMs : 2 * requestMs), ctx.cleanupDeadline)
  try {
    const answer = await ctx.client.abort(jobId, ctx.abortReason(why), {
      deadline,
      timeoutMs: Math.max(1, Math.min(requestMs, deadline - now)),
    })
    ctx.ledger.settled()
    // A Missing here is one answer, not believed: the job was stopped waiting for, and aborted.
    if (
      isTerminal(answer.statusCode) &&
      answer.statusCode !== 'Canceled' &&
      answer.statusCode !== 'Missing'
    ) {
      // It ended on its own before the abort arrived: that is how it ended.
      log.info(`had already ended ${statusName(answer.statusCode)}; nothing to abort.`)
      return {
        ...result,
        status: answer.statusCode,
        message: answer.message,
        outcome: endedAs(answer),
      }
    }
    log.info(`aborted: the server answered ${statusName(answer.statusCode)}.`)
    return {
      ...stopped,
      status: answer.statusCode,
      message: answer.message,
      abort: { kind: 'aborted', status: answer.statusCode },
    }
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    log.warning(`was not aborted and may still be running: ${detail}`)
    ctx.ledger.abortFailed(why)
    return { ...stopped, abort: { kind: 'failed', detail } }
  }
}

/**
 * A Missing that lasted is believed, yet the job may run on where the answers do not reach (a
 * node, a route): an abort is harmless on a job that is really gone, and stops one that is not.
 */
async function abortMissing(result: JobResult, ctx: JobContext, log: JobLog): Promise<JobResult> {
  const missing: JobResult = { ...result, outcome: { kind: 'failed' } }
  const now = ctx.clock.now()
  // Like every abort, it ends by the cleanup deadline; one that does not is left to the post step.
  const deadline = Math.min(now + 2 * ctx.settings.requestTimeoutMs, ctx.cleanupDeadline)
  try {
    const answer = await ctx.client.abort(result.jobId ?? '', ctx.abortReason('gave-up'), {
      deadline,
      timeoutMs: Math.max(1, Math.min(ctx.settings.requestTimeoutMs, deadline - now)),
    })
    ctx.ledger.settled()
    if (answer.statusCode === 'Missing') return missing
    const seen = { ...result, status: answer.statusCode, message: answer.message }
    if (isTerminal(answer.statusCode) && answer.statusCode !== 'Canceled') {
      log.info(`the server knew the job after all: it ended ${statusName(answer.statusCode)}.`)
      return { ...seen, outcome: endedAs(answer) }
    }
    log.warning(
      `the server said for ${formatDuration(MISSING_PERSISTS_MS)} or more that it did not know the job, yet the abort found it: the server answered ${statusName(answer.statusCode)}.`,
    )
    return {
      ...seen,
      outcome: { kind: 'gave-up' },
      problem: `the server answered Missing for ${formatDuration(MISSING_PERSISTS_MS)} or more, but the abort found the job`,
      abort: { kind: 'aborted', status: answer.statusCode },
    }
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    log.warning(
      `the server says it does not know the job, but it could not be aborted and may still be running: ${detail}`,
    )
    ctx.ledger.abortFailed('gave-up')
    return { ...missing, abort: { kind: 'failed', detail } }
  }
}

function endedAs(status: JobStatus): Outcome {
  return status.statusCode === 'Finished' ? { kind: 'finished' } : { kind: 'failed' }
}

function startRequestOf(job: Exclude<JobSpec, { kind: 'job-id' }>): StartRequest {
  switch (job.kind) {
    case 'library-path':
      return { kind: 'library-path', path: job.path }
    case 'library-id':
      return { kind: 'library-id', id: job.id }
    case 'xml':
      return { kind: 'xml', xml: job.xml }
  }
}
