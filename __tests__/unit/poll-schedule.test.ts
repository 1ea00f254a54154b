import { describe, expect, it } from '@jest/globals'
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
    expect(checkTimes(15 * SECOND, 5 * SECOND)).toEqual([750, 1545, 2388, 3281, 4228, 5232])
  })

  it('lets the pause grow with the job: 0.75 s plus 6% of its age', () => {
    const schedule = adaptiveSchedule(15 * SECOND)
    expect(schedule.pauseBefore({ ageMs: 0, statusCode: 'InProgress', checks: 0 })).toBe(750)
    expect(schedule.pauseBefore({ ageMs: 10 * SECOND, statusCode: 'InProgress', checks: 9 })).toBe(
      1350,
    )
    expect(schedule.pauseBefore({ ageMs: MINUTE, statusCode: 'InProgress', checks: 30 })).toBe(4350)
  })

  it('never waits longer than poll-interval', () => {
    const schedule = adaptiveSchedule(15 * SECOND)
    for (const ageMs of [4 * MINUTE, 30 * MINUTE, 24 * 60 * MINUTE]) {
      expect(schedule.pauseBefore({ ageMs, statusCode: 'InProgress', checks: 100 })).toBe(
        15 * SECOND,
      )
    }
    expect(
      adaptiveSchedule(2 * SECOND).pauseBefore({
        ageMs: MINUTE,
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
    expect(hour).toBeLessThan(60 * 60 * 0.2)
    expect(hour).toBeGreaterThan(60 * 4)
  })
})
