import type { Clock } from './clock.js'
import { SpotfireError } from './spotfire/errors.js'
import { classifyStatus, isTerminal, type JobStatus } from './spotfire/status.js'

/** A started job the loop watches. */
export interface WatchedJob {
  jobId: string
  /** When the start answered (ms since epoch): durations count from here. */
  startedAt: number
  /** The last status seen. */
  status: JobStatus
}

/** Why the loop stopped watching a job. */
export type WaitEnd = 'terminal' | 'timeout' | 'cancelled' | 'gave-up'

export interface WaitResult {
  job: WatchedJob
  end: WaitEnd
  /** When the terminal status was first seen, or when the loop stopped watching. */
  endedAt: number
  /** Why polling gave up. */
  error?: SpotfireError
}

export interface WaitOptions {
  getStatus(jobId: string, signal: AbortSignal): Promise<JobStatus>
  clock: Clock
  /** When to stop waiting (ms since epoch). */
  deadline: number
  /** The longest pause between two status checks. */
  pollIntervalMs: number
  /** Fires on cancellation (and at the deadline, so that a request under way is not waited for). */
  signal: AbortSignal
  onChange?(job: WatchedJob, previous: JobStatus, elapsedMs: number): void
  onUnknownStatus?(job: WatchedJob): void
  /** Called when a job has kept its status for `heartbeatMs` since the last line about it. */
  onStill?(job: WatchedJob, elapsedMs: number): void
  heartbeatMs?: number
}

/** Pause before the n-th check (0-based): 1s, 2s, 4s ... up to the poll interval. */
export function pollDelay(checkIndex: number, pollIntervalMs: number): number {
  return Math.min(pollIntervalMs, 1000 * 2 ** Math.min(checkIndex, 20))
}

/** Polls every job until each one reaches a terminal status, or the wait ends for another reason. */
export async function waitForJobs(jobs: WatchedJob[], options: WaitOptions): Promise<WaitResult[]> {
  const { clock } = options
  const results = new Map<WatchedJob, WaitResult>()
  const warned = new Set<string>()
  // When each job was last reported (started, changed, or still the same): for onStill.
  const reported = new Map(jobs.map((job) => [job, job.startedAt]))
  const stop = (end: WaitEnd, error?: SpotfireError): void => {
    for (const job of jobs) {
      if (!results.has(job)) {
        results.set(job, {
          job,
          end,
          endedAt: clock.now(),
          ...(error === undefined ? {} : { error }),
        })
      }
    }
  }
  for (const job of jobs) {
    if (isTerminal(job.status.statusCode))
      results.set(job, { job, end: 'terminal', endedAt: job.startedAt })
  }
  for (let check = 0; results.size < jobs.length; check++) {
    const pause = Math.min(
      pollDelay(check, options.pollIntervalMs),
      Math.max(0, options.deadline - clock.now()),
    )
    await clock.sleep(pause, options.signal)
    if (clock.now() >= options.deadline) {
      stop('timeout')
      break
    }
    if (options.signal.aborted) {
      stop('cancelled')
      break
    }
    const pending = jobs.filter((job) => !results.has(job))
    await Promise.all(
      pending.map(async (job) => {
        try {
          const previous = job.status
          job.status = await options.getStatus(job.jobId, options.signal)
          const now = clock.now()
          if (job.status.statusCode !== previous.statusCode) {
            options.onChange?.(job, previous, now - job.startedAt)
            reported.set(job, now)
          } else if (
            options.heartbeatMs !== undefined &&
            now - (reported.get(job) ?? now) >= options.heartbeatMs
          ) {
            options.onStill?.(job, now - job.startedAt)
            reported.set(job, now)
          }
          if (isTerminal(job.status.statusCode)) {
            results.set(job, { job, end: 'terminal', endedAt: clock.now() })
          } else if (
            classifyStatus(job.status.statusCode) === 'unknown' &&
            !warned.has(job.status.statusCode)
          ) {
            warned.add(job.status.statusCode)
            options.onUnknownStatus?.(job)
          }
        } catch (error) {
          if (!(error instanceof SpotfireError)) throw error
          const end =
            clock.now() >= options.deadline
              ? 'timeout'
              : options.signal.aborted
                ? 'cancelled'
                : 'gave-up'
          results.set(job, {
            job,
            end,
            endedAt: clock.now(),
            ...(end === 'gave-up' ? { error } : {}),
          })
        }
      }),
    )
  }
  return jobs.map((job) => results.get(job)).filter((r): r is WaitResult => r !== undefined)
}
