import { describe, expect, it } from '@jest/globals'
import { spread, SPREADS } from '../../bench/schedule-model.js'
import { ADAPTIVE, adaptiveSchedule } from '../../src/jobs/poll-schedule.js'

const SECOND = 1000
const MINUTE = 60 * SECOND

/** The check times (ms after the start) the schedule gives a job that keeps `statusCode`. */
function checkTimes(pollIntervalMs: number, untilMs: number, statusCode = 'InProgress'): number[] {
  const schedule = adaptiveSchedule(pollIntervalMs)
  const times: number[] = []
  let age = 0
  for (let checks = 0; age < untilMs; checks++) {
    age += schedule.pauseBefore({ ageMs: age, statusCode, checks })
    times.push(age)
  }
  return times
}

describe('the adaptive poll schedule', () => {
  it('checks a young job quickly: first at 0.75 s, then about every second', () => {
    expect(checkTimes(15 * SECOND, 5 * SECOND)).toEqual([750, 1587, 2463, 3370, 4304, 5261])
  })

  it('lets the pause grow with the square root of the job’s age: 0.75 s + 0.1 s × √age', () => {
    const schedule = adaptiveSchedule(15 * SECOND)
    const pause = (ageMs: number): number =>
      schedule.pauseBefore({ ageMs, statusCode: 'InProgress', checks: 9 })
    expect(pause(0)).toBe(750)
    expect(pause(10 * SECOND)).toBe(1066)
    expect(pause(MINUTE)).toBe(1525)
    expect(pause(10 * MINUTE)).toBe(3199)
    expect(pause(60 * MINUTE)).toBe(6750)
  })

  it('never waits longer than poll-interval', () => {
    const schedule = adaptiveSchedule(15 * SECOND)
    for (const ageMs of [6 * 60 * MINUTE, 24 * 60 * MINUTE]) {
      expect(schedule.pauseBefore({ ageMs, statusCode: 'InProgress', checks: 100 })).toBe(
        15 * SECOND,
      )
    }
    expect(
      adaptiveSchedule(2 * SECOND).pauseBefore({
        ageMs: 10 * MINUTE,
        statusCode: 'InProgress',
        checks: 9,
      }),
    ).toBe(2 * SECOND)
  })

  it('grows: each pause is at least the one before', () => {
    const times = checkTimes(15 * SECOND, 30 * MINUTE)
    const pauses = times.map((t, i) => t - (times[i - 1] ?? 0))
    for (let i = 1; i < pauses.length; i++) {
      expect(pauses[i]).toBeGreaterThanOrEqual(pauses[i - 1] ?? 0)
    }
  })

  it('checks a queued job less often than a running one', () => {
    const schedule = adaptiveSchedule(15 * SECOND)
    const state = { ageMs: 20 * SECOND, checks: 10 }
    expect(schedule.pauseBefore({ ...state, statusCode: 'Queued' })).toBe(
      Math.round(
        schedule.pauseBefore({ ...state, statusCode: 'InProgress' }) * ADAPTIVE.queuedFactor,
      ),
    )
  })

  it('costs far fewer checks than a 1-second poller on a long job, and more than a 15-second one', () => {
    const hour = checkTimes(15 * SECOND, 60 * MINUTE).length
    expect(hour).toBeLessThan(60 * 60 * 0.3)
    expect(hour).toBeGreaterThan(60 * 4)
  })

  // The README's claim, from the model of the real schedule over lengths spread on a log scale
  // with a random phase (bench/schedule-model.ts): never worse than a fixed-interval poller's
  // trade-off, and never more than twice a 1 Hz poller's lag.
  it.each(SPREADS)(
    'over jobs of %i ms to %i ms: lag × checks ≤ 1 and lag ≤ 2× a 1 Hz poller’s',
    (fromMs, toMs) => {
      const result = spread(fromMs, toMs, { samples: 5000 })
      expect(result.product).toBeLessThanOrEqual(1)
      expect(result.lagRatio).toBeLessThanOrEqual(2)
    },
  )

  it('the model can tell a worse schedule: the old 0.75 s + 6% of the age fails the claim', () => {
    const old = {
      pauseBefore: ({ ageMs }: { ageMs: number }) => Math.min(15_000, 750 + 0.06 * ageMs),
    }
    const result = spread(1000, 600_000, { samples: 5000, schedule: old })
    expect(result.product).toBeGreaterThan(1)
    expect(result.lagRatio).toBeGreaterThan(2)
  })
})
