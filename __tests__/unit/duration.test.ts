import { describe, expect, it } from '@jest/globals'
import { formatDuration, parseDuration } from '../../src/shared/duration.js'

describe('parseDuration', () => {
  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1h30m15s', 5_415_000],
    ['2m30s', 150_000],
    ['500ms', 500],
    ['1m500ms', 60_500],
    ['  45s  ', 45_000],
    ['15M', 900_000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each([
    ['0'],
    ['0s'],
    ['0h0m'],
    ['soon'],
    ['1x'],
    [''],
    ['   '],
    ['m'],
    ['ms'],
    ['-5s'],
    ['1.5m'],
    ['30s15m'],
    ['1 h'],
    ['99999999999999999999'],
  ])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined()
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [500, '0.5 s'],
    [1234, '1.2 s'],
    [59_900, '59.9 s'],
    [59_960, '1 min'],
    [60_000, '1 min'],
    [95_500, '1 min 36 s'],
    [3_600_000, '1 h'],
    [5_415_700, '1 h 30 min'],
    [-20, '0 s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })

  it('rounds to a tenth of a second, carrying into minutes', () => {
    expect(formatDuration(59_990)).toBe('1 min')
  })
})
