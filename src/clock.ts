import { setTimeout as delay } from 'node:timers/promises'
import type { Clock } from './spotfire/types.js'

export type { Clock } from './spotfire/types.js'

/** Node's timers take at most 2^31-1 ms (about 24 days); a longer sleep would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1

export const systemClock: Clock = {
  now: () => Date.now(),
  async sleep(ms, signal) {
    try {
      await delay(
        Math.min(Math.max(0, ms), MAX_TIMER_MS),
        undefined,
        signal === undefined ? {} : { signal },
      )
    } catch {
      // Aborted: the caller looks at the signal itself.
    }
  },
}
