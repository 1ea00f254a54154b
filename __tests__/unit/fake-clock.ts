import type { Clock } from '../../src/spotfire/types.js'

/** 2023-11-14T22:13:20Z: any fixed instant will do; nothing in the unit tests reads the real time. */
export const T0 = 1_700_000_000_000

interface Timer {
  at: number
  order: number
  resolve: () => void
}

/**
 * Virtual time for code that sleeps: time moves only when everything else is waiting. Each sleep
 * is a timer; once no promise callback is left to run (checked with setImmediate), time jumps to
 * the earliest timer and fires it. Concurrent sleeps fire in time order, as real ones would, and
 * no test waits. A sleep whose signal fires resolves at once, without moving time.
 *
 * Two clocks, as on a real machine: `now()` is monotonic (timers run on it), `wallNow()` is the
 * wall clock, which `jumpWall` steps back or forward (an NTP step, a resumed VM) without moving
 * the other. Both start at T0, so that tests can compare either with T0.
 */
export class FakeClock implements Clock {
  /** Every pause asked for, in order. */
  readonly sleeps: number[] = []
  private readonly timers: Timer[] = []
  private order = 0
  private ticking = false

  constructor(
    private time = T0,
    /** A guard against a loop that never ends: more sleeps than this throw. */
    private readonly maxSleeps = 10_000,
  ) {}

  /** Wall time minus monotonic time: what `jumpWall` changes. */
  private wallOffset = 0

  now(): number {
    return this.time
  }

  wallNow(): number {
    return this.time + this.wallOffset
  }

  /** Steps the wall clock alone: timers and `now()` do not notice. */
  jumpWall(ms: number): void {
    this.wallOffset += ms
  }

  /** Moves time at once, as if the code under test had been busy. */
  advance(ms: number): void {
    this.time += ms
  }

  /** Time passed since T0. */
  elapsed(): number {
    return this.time - T0
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.sleeps.length >= this.maxSleeps) {
      return Promise.reject(new Error(`FakeClock: more than ${this.maxSleeps} sleeps`))
    }
    this.sleeps.push(ms)
    if (signal?.aborted === true) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const timer: Timer = { at: this.time + Math.max(0, ms), order: this.order++, resolve }
      const onAbort = (): void => {
        this.remove(timer)
        resolve()
      }
      timer.resolve = () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.timers.push(timer)
      this.schedule()
    })
  }

  /** Timers not fired yet. */
  get pending(): number {
    return this.timers.length
  }

  private remove(timer: Timer): void {
    const index = this.timers.indexOf(timer)
    if (index >= 0) this.timers.splice(index, 1)
  }

  private schedule(): void {
    if (this.ticking) return
    this.ticking = true
    setImmediate(() => {
      this.ticking = false
      this.fireNext()
    })
  }

  private fireNext(): void {
    if (this.timers.length === 0) return
    this.timers.sort((a, b) => a.at - b.at || a.order - b.order)
    const timer = this.timers.shift()
    if (timer === undefined) return
    this.time = Math.max(this.time, timer.at)
    timer.resolve()
    if (this.timers.length > 0) this.schedule()
  }
}
