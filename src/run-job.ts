import type { Clock } from './clock.js'
import { formatDuration } from './duration.js'
import type { Logger } from './logger.js'
import type { ConnectionSettings, JobSource, Settings } from './settings.js'
import { isZeroJobId, SpotfireClient } from './spotfire/client.js'
import { errorMessage, SpotfireError } from './spotfire/errors.js'
import { createTransport, type Transport } from './spotfire/http.js'
import type { JobStatus } from './spotfire/status.js'
import { TokenProvider } from './spotfire/token.js'
import { waitForJobs, type WaitEnd } from './wait.js'

/** Why the action stopped waiting without a final status. */
export type StopReason = 'timeout' | 'cancelled' | 'gave-up'

/** How the run ended for one job. */
export type Outcome =
  /** Finished: every task succeeded. */
  | 'finished'
  /** A terminal status other than Finished. */
  | 'job-failed'
  /** Started, and not waited for (wait: false). */
  | 'started'
  /** The server did not create a job (not found, not parsed) or the start failed. */
  | 'not-started'
  | 'timed-out'
  | 'cancelled'
  /** Status checks kept failing. */
  | 'gave-up'

export interface JobResult {
  source: JobSource
  jobId?: string
  /** The last StatusCode seen. */
  status?: string
  /** The server's Message, verbatim. */
  message: string
  /** From the start answer to the terminal status (or to when the wait stopped). */
  durationMs?: number
  timedOut: boolean
  outcome: Outcome
  /** What went wrong on our side (start failure, give-up, cancellation), for the failure line. */
  error?: string
  /** What happened to an abort the action sent. */
  abort?: { ok: boolean; detail: string }
}

export interface RunHooks {
  logger: Logger
  clock: Clock
  /** Fires when the workflow run is cancelled. */
  cancelSignal: AbortSignal
  /** Every token, as soon as it is received (the action masks it). */
  onToken: (token: string) => void
  /** The job id, as soon as the start answered. */
  onStarted?(jobId: string): void
  /** The action is done with the job: nothing is left for the post step to abort. */
  onSettled?(jobId: string): void
  /** An abort failed: the post step should try again, for this reason. */
  onAbortFailed?(jobId: string, why: StopReason): void
  /** Why we abort, for the server's job log: names the workflow run. */
  abortReason(why: StopReason): string
  transport?: Transport
  random?: () => number
  /** Folds a phase's lines in the log (core.group on the runner). */
  group?: <T>(name: string, run: () => Promise<T>) => Promise<T>
}

/** A client for the server in the settings, with its token cache; `dispose` closes its connections. */
export function connect(
  settings: ConnectionSettings & Partial<Pick<Settings, 'pollIntervalMs'>>,
  hooks: Pick<RunHooks, 'clock' | 'logger' | 'onToken' | 'transport' | 'random'>,
): { client: SpotfireClient; dispose: () => void } {
  const { clock, logger } = hooks
  const transport =
    hooks.transport ??
    createTransport({
      requestTimeoutMs: settings.requestTimeoutMs,
      userAgent: 'spotfire-automation-services-action',
      ...(settings.caCertificates === undefined ? {} : { caCertificates: settings.caCertificates }),
    })
  const tokens = new TokenProvider({
    serverUrl: settings.serverUrl,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    authMethod: settings.clientAuthMethod,
    scope: settings.scope,
    transport,
    clock,
    logger,
    onToken: hooks.onToken,
    ...(hooks.random === undefined ? {} : { random: hooks.random }),
  })
  const client = new SpotfireClient({
    serverUrl: settings.serverUrl,
    statusRetryMaxDelayMs: Math.max(settings.pollIntervalMs ?? 30_000, 1000),
    transport,
    tokens,
    clock,
    logger,
    ...(hooks.random === undefined ? {} : { random: hooks.random }),
  })
  return {
    client,
    dispose: () => {
      if (hooks.transport === undefined) transport.dispose()
    },
  }
}

/** How long a job may keep its status before the log says it is still there. */
export const HEARTBEAT_MS = 5 * 60_000

/** Time the runner leaves between its first signal and the kill: the abort must fit in it. */
export const ABORT_ON_CANCEL_TIMEOUT_MS = 5000

/** Starts the job, waits for it and says how it ended. Spotfire failures end up in the result. */
export async function runJob(settings: Settings, hooks: RunHooks): Promise<JobResult> {
  const { clock, logger } = hooks
  const startedRunAt = clock.now()
  const deadline = startedRunAt + settings.timeoutMs
  const { client, dispose } = connect(settings, hooks)
  const stopSignal = AbortSignal.any([hooks.cancelSignal, AbortSignal.timeout(settings.timeoutMs)])
  const base: JobResult = {
    source: settings.job,
    message: '',
    timedOut: false,
    outcome: 'not-started',
  }
  const group = hooks.group ?? ((_name, run) => run())
  try {
    let started: JobStatus
    try {
      started = await group(`Start ${describeSource(settings.job)}`, async () => {
        logger.info(`Starting ${describeSource(settings.job)} on ${settings.serverUrl}`)
        return client.start(settings.job, { deadline, signal: stopSignal })
      })
    } catch (error) {
      if (!(error instanceof SpotfireError)) throw error
      const stoppedBy = stoppedReason(clock.now(), deadline, hooks.cancelSignal)
      return {
        ...base,
        outcome:
          stoppedBy === 'timeout'
            ? 'timed-out'
            : stoppedBy === 'cancelled'
              ? 'cancelled'
              : 'not-started',
        timedOut: stoppedBy === 'timeout',
        error: `Could not start ${describeSource(settings.job)}: ${error.message}`,
      }
    }
    if (isZeroJobId(started.jobId)) {
      return {
        ...base,
        status: started.statusCode,
        message: started.message,
        error: `Could not start ${describeSource(settings.job)}: ${started.message || `the server answered ${started.statusCode} without a job id`}`,
      }
    }
    const startedAt = clock.now()
    hooks.onStarted?.(started.jobId)
    const job = {
      ...base,
      jobId: started.jobId,
      status: started.statusCode,
      message: started.message,
    }
    logger.info(`Started job ${started.jobId}: ${started.statusCode}`)
    if (!settings.wait) {
      hooks.onSettled?.(started.jobId)
      return { ...job, outcome: 'started' }
    }
    const [waited] = await group(`Wait for job ${started.jobId}`, () =>
      waitForJobs([{ jobId: started.jobId, startedAt, status: started }], {
        getStatus: (jobId, signal) => client.status(jobId, { deadline, signal }),
        clock,
        deadline,
        pollIntervalMs: settings.pollIntervalMs,
        signal: stopSignal,
        onChange: (watched, previous, elapsedMs) => {
          logger.info(
            `Job ${watched.jobId}: ${previous.statusCode} -> ${watched.status.statusCode} after ${formatDuration(elapsedMs)}`,
          )
        },
        // A long job still shows signs of life in the log, without a line per poll.
        heartbeatMs: HEARTBEAT_MS,
        onStill: (watched, elapsedMs) => {
          logger.info(
            `Job ${watched.jobId}: still ${watched.status.statusCode} after ${formatDuration(elapsedMs)}`,
          )
        },
        onUnknownStatus: (watched) => {
          logger.warning(
            `Job ${watched.jobId} has status '${watched.status.statusCode}', which this action does not know; it keeps waiting. A newer server may use it.`,
          )
        },
      }),
    )
    if (waited === undefined) throw new Error('the wait loop returned no result')
    const final = waited.job.status
    const result: JobResult = {
      ...job,
      status: final.statusCode,
      message: final.message,
      durationMs: waited.endedAt - startedAt,
    }
    if (waited.end === 'terminal') {
      hooks.onSettled?.(started.jobId)
      return { ...result, outcome: final.statusCode === 'Finished' ? 'finished' : 'job-failed' }
    }
    // The stop signal also fires at the deadline, a moment before the clock may show it passed:
    // only the cancel signal means a cancellation.
    const end = waited.end === 'cancelled' && !hooks.cancelSignal.aborted ? 'timeout' : waited.end
    return await stopWaiting(result, end, waited.error, settings, client, hooks)
  } finally {
    dispose()
  }
}

/** The wait ended without a terminal status: abort the job where the settings say so. */
async function stopWaiting(
  result: JobResult,
  end: Exclude<WaitEnd, 'terminal'>,
  error: SpotfireError | undefined,
  settings: Settings,
  client: SpotfireClient,
  hooks: RunHooks,
): Promise<JobResult> {
  const jobId = result.jobId ?? ''
  const waitedFor = formatDuration(settings.timeoutMs)
  const stopped: JobResult =
    end === 'timeout'
      ? {
          ...result,
          outcome: 'timed-out',
          timedOut: true,
          error: `Job ${jobId} did not finish within ${waitedFor}.`,
        }
      : end === 'cancelled'
        ? {
            ...result,
            outcome: 'cancelled',
            error: `The run was cancelled while job ${jobId} was ${result.status ?? 'running'}.`,
          }
        : {
            ...result,
            outcome: 'gave-up',
            error: `Lost track of job ${jobId}: ${error?.message ?? 'status checks failed'}`,
          }
  const shouldAbort =
    end === 'timeout'
      ? settings.abortOnTimeout
      : end === 'cancelled'
        ? settings.abortOnCancel
        : true
  if (!shouldAbort) {
    hooks.onSettled?.(jobId)
    hooks.logger.warning(
      `Job ${jobId} was left running (abort-on-${end === 'timeout' ? 'timeout' : 'cancel'}: false).`,
    )
    return stopped
  }
  const quick = end === 'cancelled'
  const timeoutMs = quick ? ABORT_ON_CANCEL_TIMEOUT_MS : settings.requestTimeoutMs
  const now = hooks.clock.now()
  try {
    const aborted = await client.abort(jobId, hooks.abortReason(end), {
      deadline: now + (quick ? ABORT_ON_CANCEL_TIMEOUT_MS : 2 * settings.requestTimeoutMs),
      timeoutMs,
    })
    hooks.onSettled?.(jobId)
    hooks.logger.info(`Aborted job ${jobId}: the server answered ${aborted.statusCode}.`)
    return {
      ...stopped,
      status: aborted.statusCode,
      message: aborted.message,
      abort: { ok: true, detail: `aborted (${aborted.statusCode})` },
    }
  } catch (abortError) {
    const detail = `was not aborted and may still be running: ${errorMessage(abortError)}`
    hooks.logger.warning(`Job ${jobId} ${detail}`)
    hooks.onAbortFailed?.(jobId, end)
    return { ...stopped, abort: { ok: false, detail } }
  }
}

function stoppedReason(
  now: number,
  deadline: number,
  cancel: AbortSignal,
): 'timeout' | 'cancelled' | undefined {
  if (cancel.aborted) return 'cancelled'
  return now >= deadline ? 'timeout' : undefined
}

export function describeSource(job: JobSource): string {
  switch (job.kind) {
    case 'library-path':
      return `library job '${job.path}'`
    case 'library-id':
      return `library job ${job.id}`
    case 'xml':
      return job.file === undefined ? 'the inline job (job-xml)' : `the job in '${job.file}'`
  }
}
