import { SpotfireError } from './errors.js'
import type { Clock } from './types.js'

/**
 * The shortest pause before any retry or poll, whatever a schedule or Retry-After says: a server
 * in trouble sees a few requests a second from one action at most, never a storm.
 */
export const MIN_PAUSE_MS = 250

/** A Retry-After longer than this is taken as this: the deadline and the user's timeout rule. */
const MAX_RETRY_AFTER_MS = 5 * 60_000

export interface Backoff {
  /** The pause after the first failure, before jitter. */
  baseMs: number
  /** The longest pause, before Retry-After. */
  maxMs: number
}

export interface RetryPolicy extends Backoff {
  /** Names the operation in logs: "Getting a token". */
  label: string
  isRetryable(error: SpotfireError): boolean
  /** Attempts in all, the first included. */
  maxAttempts: number
}

export interface RetryContext {
  clock: Clock
  /** No retry is started that would end after this time (`clock.now()`, monotonic). */
  deadline: number
  signal?: AbortSignal
  random?: () => number
  onRetry?: (message: string) => void
}

/**
 * The pause before retry `attempt` (0-based): exponential, with "equal jitter" (half fixed, half
 * random), so it keeps growing and never collapses to nothing; never under MIN_PAUSE_MS. A server's
 * Retry-After may lengthen it, never shorten it.
 */
export function backoffDelay(
  attempt: number,
  backoff: Backoff,
  random: () => number,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 30))
  const jittered = Math.round(ceiling / 2 + (random() * ceiling) / 2)
  return Math.max(MIN_PAUSE_MS, jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS))
}

/** Runs `operation` until it succeeds, fails for good, runs out of attempts or of time. */
export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  context: RetryContext,
): Promise<T> {
  const random = context.random ?? Math.random
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt)
    } catch (error) {
      if (!(error instanceof SpotfireError) || !policy.isRetryable(error)) throw error
      if (attempt >= policy.maxAttempts) {
        throw error.withContext(
          `${policy.label} failed ${attempt} ${attempt === 1 ? 'time' : 'times'}; the last time`,
        )
      }
      const delayMs = backoffDelay(attempt - 1, policy, random, error.details.retryAfterMs)
      if (context.clock.now() + delayMs >= context.deadline) {
        // Wait out the little time left rather than give up early: the caller then sees the
        // deadline passed and reports a timeout, with the settings for a timeout, not a failure.
        await context.clock.sleep(
          Math.max(0, context.deadline - context.clock.now()),
          context.signal,
        )
        throw error
      }
      context.onRetry?.(
        `${policy.label}: ${error.message}. Retrying in ${Math.ceil(delayMs / 100) / 10} s.`,
      )
      await context.clock.sleep(delayMs, context.signal)
      if (context.signal?.aborted === true) throw error
    }
  }
}

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP date (a date in the past is 0). An HTTP
 * date is read against `wallNow`, the wall clock (ms since epoch): the only place a date from the
 * server meets ours. The pause it gives is then waited on the monotonic clock.
 */
export function parseRetryAfter(value: string | undefined, wallNow: number): number | undefined {
  const text = value?.trim() ?? ''
  if (text === '') return undefined
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // Only an HTTP date (e.g. "Wed, 21 Oct 2015 07:28:00 GMT"): Date.parse reads junk like "1.5" as a date.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - wallNow)
}
