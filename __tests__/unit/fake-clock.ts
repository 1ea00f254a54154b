import type { Clock } from '../../src/clock.js'

/** 2023-11-14T22:13:20Z: any fixed instant will do; nothing in the unit tests reads the real time. */
export const T0 = 1_700_000_000_000

/**
 * A Clock whose `sleep` advances `now` at once, so that no test waits. A sleep whose signal has fired
 * (before it or from `onSleep`) resolves without advancing time, as the real one resolves early.
 */
export class FakeClock implements Clock {
  /** Every pause asked for, in order. */
  readonly sleeps: number[] = []
  /** Called at the start of each sleep, e.g. to cancel the run while the loop pauses. */
  onSleep: ((ms: number, index: number) => void) | undefined

  constructor(
    private time = T0,
    /** A guard against a loop that never ends: more sleeps than this throw. */
    private readonly maxSleeps = 10_000,
  ) {}

  now(): number {
    return this.time
  }

  advance(ms: number): void {
    this.time += ms
  }

  /** Time passed since the clock was made at T0 (when it was). */
  elapsed(): number {
    return this.time - T0
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.sleeps.length >= this.maxSleeps) {
      return Promise.reject(new Error(`FakeClock: more than ${this.maxSleeps} sleeps`))
    }
    this.sleeps.push(ms)
    this.onSleep?.(ms, this.sleeps.length - 1)
    if (signal?.aborted !== true) this.time += Math.max(0, ms)
    return Promise.resolve()
  }
}
