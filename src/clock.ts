import { setTimeout as delay } from 'node:timers/promises'

/** Time as the wait loop and retries see it; tests replace it so that no test sleeps. */
export interface Clock {
  now: () => number
  /** Resolves after `ms`, or early (without error) when `signal` fires. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  async sleep(ms, signal) {
    try {
      await delay(ms, undefined, signal === undefined ? {} : { signal })
    } catch {
      // Aborted: the caller looks at the signal itself.
    }
  },
}
