import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { systemClock } from '../../src/shared/clock.js'

const HOUR = 3_600_000

describe('systemClock', () => {
  afterEach(() => {
    jest.restoreAllMocks()
  })

  it.each([
    ['back', -HOUR],
    ['forward', HOUR],
  ])('keeps deadlines on time when the wall clock steps %s an hour', (_direction, step) => {
    const before = systemClock.now()
    const wall = Date.now()
    jest.spyOn(Date, 'now').mockReturnValue(wall + step)
    const after = systemClock.now()
    expect(after).toBeGreaterThanOrEqual(before)
    expect(after - before).toBeLessThan(HOUR / 2)
  })

  it('tells people the wall time, step included', () => {
    const wall = Date.now()
    jest.spyOn(Date, 'now').mockReturnValue(wall - HOUR)
    expect(systemClock.wallNow()).toBe(wall - HOUR)
  })
})
