import type { PollSchedule } from './poll-schedule.js'
import { SpotfireError } from '../spotfire/errors.js'
import { isTransient } from '../spotfire/responses.js'
import { backoffDelay, MIN_PAUSE_MS, type Backoff } from '../spotfire/retry.js'
import { classifyStatus, isTerminal, type JobStatus } from '../spotfire/status.js'
import type { Clock } from '../spotfire/types.js'

/** What happens to a watched job, for its log lines. */
export interface WatchEvents {
  /** The status changed (`previous` is '' for a job followed by id, before its first check). */
  onChange?(status: JobStatus, previous: string, ageMs: number): void
  /** The status is the same as `heartbeatMs` ago. */
  onStill?(status: JobStatus, ageMs: number): void
  /** A status this action does not know: it keeps polling. Once per status name. */
  onUnknownStatus?(status: JobStatus): void
  /** A check failed in a way worth trying again, after `pauseMs`. */
  onRetry?(error: SpotfireError, pauseMs: number): void
  /** A Missing answer (or the API's 404) not believed yet; `inARow` counts them, from 1. */
  onUnconfirmedMissing?(status: JobStatus, inARow: number): void
}

export interface WatchRequest {
  jobId: string
  /** When the start answered: ages and durations count from here. */
  startedAt: number
  /** The status the start answered; '' when the job was not started here and is checked at once. */
  status: JobStatus
  /** Ends the watch; its reason says why (the run's stop reason). */
  signal: AbortSignal
  events?: WatchEvents
}

/** How a watch ended: the job reached a terminal status, the signal fired, or checks failed for good. */
export type WatchEnd =
  | { kind: 'terminal'; status: JobStatus; at: number }
  | { kind: 'stopped'; status: JobStatus; at: number; lastProblem?: SpotfireError }
  | { kind: 'gave-up'; status: JobStatus; at: number; error: SpotfireError }

export interface PollerOptions {
  /** One status check; a SpotfireError tells the loop whether to try again. */
  check(jobId: string, signal: AbortSignal): Promise<JobStatus>
  clock: Clock
  schedule: PollSchedule
  random?: () => number
  /** A job whose status stays the same is reported again after this long. */
  heartbeatMs?: number
  /** The first such report after a change comes after this long instead (default: heartbeatMs). */
  firstHeartbeatMs?: number
}

/** Failing checks of one job back off from 1 s to a minute, whatever the poll schedule says. */
const FAILURE_BACKOFF: Backoff = { baseMs: 1000, maxMs: 60_000 }
/**
 * A Missing is believed only once it has lasted this long, from the first of the answers in a row:
 * a cluster node that has not heard of a new job, a gateway's JSON 404, a server restarting all
 * say Missing for a while about a job that runs.
 */
export const MISSING_PERSISTS_MS = 10_000
/** Answers in a row that must say Missing, over MISSING_PERSISTS_MS, before it is believed. */
export const MISSING_CONFIRMATIONS = 3
/** The pause before checking a Missing again: the answers needed span the time needed. */
const MISSING_RECHECK_MS = MISSING_PERSISTS_MS / (MISSING_CONFIRMATIONS - 1)

interface Watched {
  request: WatchRequest
  status: JobStatus
  checks: number
  failures: number
  dueAt: number
  inFlight: boolean
  done: boolean
  reportedAt: number
  /** Heartbeats since the last change. */
  heartbeats: number
  missingInARow: number
  /** When the Missing answers in a row began. */
  missingSince?: number
  lastProblem?: SpotfireError
  finish(end: WatchEnd): void
}

/**
 * One loop that checks every watched job when its turn comes: each job on its own schedule, failing
 * checks backing off per job, and a throttling answer (429, 503) holding back every job.
 */
export class Poller {
  private readonly watched = new Set<Watched>()
  private looping = false
  private woken = false
  private wake: AbortController | undefined
  /** No check starts before this: the server asked for room. */
  private holdUntil = 0
  private readonly warned = new Set<string>()

  constructor(private readonly options: PollerOptions) {}

  watch(request: WatchRequest): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve) => {
      const { clock } = this.options
      const now = clock.now()
      const followed = request.status.statusCode === ''
      const job: Watched = {
        request,
        status: request.status,
        checks: 0,
        failures: 0,
        dueAt: followed ? now : now + this.pause(request, request.status, 0),
        inFlight: false,
        done: false,
        reportedAt: now,
        heartbeats: 0,
        missingInARow: 0,
        finish: (end) => {
          if (job.done) return
          job.done = true
          this.watched.delete(job)
          request.signal.removeEventListener('abort', onAbort)
          resolve(end)
          this.poke()
        },
      }
      const onAbort = (): void => {
        job.finish({
          kind: 'stopped',
          status: job.status,
          at: clock.now(),
          ...(job.lastProblem === undefined ? {} : { lastProblem: job.lastProblem }),
        })
      }
      if (request.signal.aborted) {
        onAbort()
        return
      }
      request.signal.addEventListener('abort', onAbort, { once: true })
      this.watched.add(job)
      this.poke()
      if (!this.looping) void this.loop()
    })
  }

  private async loop(): Promise<void> {
    this.looping = true
    try {
      while (this.watched.size > 0) {
        const now = this.options.clock.now()
        let next = Infinity
        for (const job of this.watched) {
          if (job.inFlight) continue
          const due = Math.max(job.dueAt, this.holdUntil)
          if (due <= now) void this.check(job)
          else next = Math.min(next, due)
        }
        await this.idle(next - now)
      }
    } finally {
      this.looping = false
    }
  }

  /** Until `ms` pass or something changes (a job added, a check answered, a watch ended). */
  private async idle(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false
      return
    }
    const wake = new AbortController()
    this.wake = wake
    if (ms === Infinity) {
      await new Promise<void>((resolve) => {
        wake.signal.addEventListener('abort', () => {
          resolve()
        })
      })
    } else {
      await this.options.clock.sleep(ms, wake.signal)
    }
    this.woken = false
  }

  private poke(): void {
    this.woken = true
    this.wake?.abort()
  }

  private async check(job: Watched): Promise<void> {
    job.inFlight = true
    const { clock } = this.options
    try {
      const status = await this.options.check(job.request.jobId, job.request.signal)
      if (!job.done) this.answered(job, status, clock.now())
    } catch (error) {
      if (!job.done) this.failed(job, error, clock.now())
    } finally {
      job.inFlight = false
      this.poke()
    }
  }

  private answered(job: Watched, status: JobStatus, now: number): void {
    const { request } = job
    const events = request.events ?? {}
    const ageMs = now - request.startedAt
    job.checks++
    job.failures = 0
    delete job.lastProblem
    if (status.statusCode === 'Missing' && this.doubt(job, now)) {
      events.onUnconfirmedMissing?.(status, job.missingInARow)
      const left = (job.missingSince ?? now) + MISSING_PERSISTS_MS - now
      job.dueAt =
        now + Math.max(MIN_PAUSE_MS, Math.min(MISSING_RECHECK_MS, left > 0 ? left : Infinity))
      return
    }
    job.missingInARow = 0
    delete job.missingSince
    const previous = job.status.statusCode
    job.status = status
    const { heartbeatMs, firstHeartbeatMs = heartbeatMs } = this.options
    if (status.statusCode !== previous) {
      events.onChange?.(status, previous, ageMs)
      job.reportedAt = now
      job.heartbeats = 0
    } else if (
      heartbeatMs !== undefined &&
      now - job.reportedAt >= (job.heartbeats === 0 ? (firstHeartbeatMs ?? 0) : heartbeatMs)
    ) {
      events.onStill?.(status, ageMs)
      job.reportedAt = now
      job.heartbeats++
    }
    if (isTerminal(status.statusCode)) {
      job.finish({ kind: 'terminal', status, at: now })
      return
    }
    if (classifyStatus(status.statusCode) === 'unknown' && !this.warned.has(status.statusCode)) {
      this.warned.add(status.statusCode)
      events.onUnknownStatus?.(status)
    }
    job.dueAt = now + this.pause(request, status, job.checks)
  }

  /** Whether a Missing answer is one to check again before believing it: at any age of the job. */
  private doubt(job: Watched, now: number): boolean {
    job.missingInARow++
    job.missingSince ??= now
    return now - job.missingSince < MISSING_PERSISTS_MS || job.missingInARow < MISSING_CONFIRMATIONS
  }

  private failed(job: Watched, error: unknown, now: number): void {
    const failure =
      error instanceof SpotfireError
        ? error
        : new SpotfireError(error instanceof Error ? error.message : String(error), 'no-answer')
    // 'stopped' with the watch still on (a token wait that ran out, say): try again later.
    if (!isTransient(failure) && failure.kind !== 'stopped') {
      job.finish({ kind: 'gave-up', status: job.status, at: now, error: failure })
      return
    }
    job.failures++
    job.lastProblem = failure
    const pauseMs = backoffDelay(
      job.failures - 1,
      FAILURE_BACKOFF,
      this.options.random ?? Math.random,
      failure.details.retryAfterMs,
    )
    if (failure.details.status === 429 || failure.details.status === 503) {
      // The server (or its proxy) is short of room: every job waits, not just this one.
      this.holdUntil = Math.max(this.holdUntil, now + pauseMs)
    }
    job.dueAt = now + pauseMs
    job.request.events?.onRetry?.(failure, pauseMs)
  }

  private pause(request: WatchRequest, status: JobStatus, checks: number): number {
    const ageMs = this.options.clock.now() - request.startedAt
    return Math.max(
      MIN_PAUSE_MS,
      this.options.schedule.pauseBefore({ ageMs, statusCode: status.statusCode, checks }),
    )
  }
}
