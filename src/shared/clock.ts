import { performance } from 'node:perf_hooks'
import { setTimeout as delay } from 'node:timers/promises'
import { MAX_DURATION_MS } from './duration.js'
import type { Clock } from '../spotfire/types.js'

export type { Clock } from '../spotfire/types.js'

export const systemClock: Clock = {
  // Monotonic, as Node's timers are: an NTP step or a resumed VM moves Date.now(), not this.
  now: () => performance.now(),
  wallNow: () => Date.now(),
  async sleep(ms, signal) {
    try {
      await delay(
        Math.min(Math.max(0, ms), MAX_DURATION_MS),
        undefined,
        signal === undefined ? {} : { signal },
      )
    } catch {
      // Aborted: the caller looks at the signal itself.
    }
  },
}
