import type { Clock } from './clock.js'
import { SpotfireError } from './spotfire/errors.js'

export interface RetryPolicy {
  /** Names the operation in logs: "Polling job 7d5c…". */
  label: string
  /** Whether this failure may be tried again. */
  isRetryable(error: SpotfireError): boolean
  /** Attempts in all, the first included. */
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
}

export interface RetryContext {
  clock: Clock
  /** No retry is started that would end after this time (ms since epoch). */
  deadline: number
  signal?: AbortSignal
  random?: () => number
  onRetry?: (message: string) => void
}

/** Capped exponential backoff with full jitter; a Retry-After from the server wins over it. */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs * 4)
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt)
  return Math.round(random() * ceiling)
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
        `${policy.label}: ${error.message}. Retrying in ${Math.ceil(delayMs / 100) / 10}s.`,
      )
      await context.clock.sleep(delayMs, context.signal)
      if (context.signal?.aborted === true) throw error
    }
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  // Only an HTTP date (e.g. "Wed, 21 Oct 2015 07:28:00 GMT"): Date.parse reads junk like "1.5" as a date.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value.trim()))
    return undefined
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
