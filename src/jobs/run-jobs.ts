import { setMaxListeners } from 'node:events'
import { shortLabel } from './labels.js'
import type { Ledger } from './ledger.js'
import { isSuccess, type AbortWhy, type JobResult } from './outcome.js'
import { adaptiveSchedule, type PollSchedule } from './poll-schedule.js'
import { Poller } from './poller.js'
import { runJob } from './run-job.js'
import type { Settings } from '../settings/index.js'
import { CLEANUP_BUDGET_MS } from '../shared/constants.js'
import type { SpotfireClient } from '../spotfire/client.js'
import type { Clock, Logger, Vocabulary } from '../spotfire/types.js'

/**
 * How long a job may keep its status before the log says it is still there: soon the first time,
 * since most jobs take minutes and a quiet minute already looks stuck, then every 5 minutes.
 */
export const FIRST_HEARTBEAT_MS = 60_000
export const HEARTBEAT_MS = 5 * 60_000

export interface RunContext {
  client: SpotfireClient
  clock: Clock
  logger: Logger
  /** Fires when the workflow run is cancelled. */
  cancel: AbortSignal
  ledger: Ledger
  abortReason: (why: AbortWhy) => string
  words: Vocabulary
  schedule?: PollSchedule
  random?: () => number
}

/**
 * Runs the jobs, at most `maxParallel` at once and in input order, under one deadline and one
 * polling loop. The first stop (the timeout, a cancellation, fail-fast) travels as the reason of
 * one signal to every job: running jobs are aborted, jobs not started yet are skipped.
 */
export async function runJobs(settings: Settings, ctx: RunContext): Promise<JobResult[]> {
  const { clock, client } = ctx
  const stop = new AbortController()
  const over = new AbortController()
  // Every job's watch and every request under way listen to these: far more than Node's
  // default of ten, which would print a leak warning into the log.
  setMaxListeners(0, stop.signal, ctx.cancel)
  const onCancel = (): void => {
    stop.abort('cancelled')
  }
  if (ctx.cancel.aborted) onCancel()
  else ctx.cancel.addEventListener('abort', onCancel, { once: true })
  const deadline = clock.now() + settings.timeoutMs
  // One bound for what follows a stop, shared by every job: the step ends by it.
  const cleanupDeadline = deadline + CLEANUP_BUDGET_MS
  const lastChecks = new Map<string, number>()
  // A timer this run holds (Node 20 can collect an AbortSignal.timeout before it fires).
  void clock.sleep(settings.timeoutMs, over.signal).then(() => {
    if (!over.signal.aborted) stop.abort('timeout')
  })
  const poller = new Poller({
    check: (jobId, signal) => {
      lastChecks.set(jobId, clock.now())
      return client.status(jobId, { deadline, signal })
    },
    clock,
    schedule: ctx.schedule ?? adaptiveSchedule(settings.pollIntervalMs),
    heartbeatMs: HEARTBEAT_MS,
    firstHeartbeatMs: FIRST_HEARTBEAT_MS,
    ...(ctx.random === undefined ? {} : { random: ctx.random }),
  })
  const results: JobResult[] = []
  let next = 0
  let crash: Error | undefined
  const worker = async (): Promise<void> => {
    for (let index = next++; index < settings.jobs.length; index = next++) {
      const job = settings.jobs[index]
      if (job === undefined) continue
      const ledger = ctx.ledger.job(index)
      const result = await runJob(job, {
        client,
        poller,
        clock,
        logger: ctx.logger,
        settings,
        stop: stop.signal,
        cancel: ctx.cancel,
        deadline,
        cleanupDeadline,
        lastCheckAt: (jobId) => lastChecks.get(jobId),
        ledger,
        shared: settings.jobs.length > 1,
        abortReason: ctx.abortReason,
        words: ctx.words,
      }).catch((error: unknown) => {
        // Its own code failed: whatever it started is left to the post step to abort.
        ledger.abortFailed('internal-error')
        throw error
      })
      results[index] = result
      if (settings.failFast && !isSuccess(result, true) && !stop.signal.aborted) {
        ctx.logger.info(`${shortLabel(job)} did not finish: stopping the other jobs (fail-fast).`)
        stop.abort('fail-fast')
      }
    }
  }
  // A bug in one job must not leave the others running unwatched: abort them all (it is no
  // cancellation: abort-on-cancel does not apply), then report it.
  const guarded = (): Promise<void> =>
    worker().catch((error: unknown) => {
      crash ??= error instanceof Error ? error : new Error(String(error))
      stop.abort('internal-error')
    })
  try {
    const workers = Math.min(settings.maxParallel, settings.jobs.length)
    await Promise.all(Array.from({ length: workers }, guarded))
  } finally {
    over.abort()
    ctx.cancel.removeEventListener('abort', onCancel)
  }
  if (crash !== undefined) throw crash
  return results
}
