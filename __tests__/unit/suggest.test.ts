import { describe, expect, it } from '@jest/globals'
import { closest, editDistance } from '../../src/shared/suggest.js'

describe('editDistance', () => {
  it.each([
    ['library-path', 'library-path', 0],
    ['libary-path', 'library-path', 1],
    ['REGON', 'REGION', 1],
    ['timout', 'timeout', 1],
    ['tiemout', 'timeout', 1],
    ['abc', 'xyz', 3],
    ['', 'abc', 3],
  ])('%j to %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance)
  })
})

describe('closest', () => {
  const flags = ['library-path', 'library-id', 'job-file', 'job-id', 'timeout']

  it('names the flag a typo is closest to', () => {
    expect(closest('libary-path', flags)).toBe('library-path')
    expect(closest('jobfile', flags)).toBe('job-file')
    expect(closest('TIMEOUT', flags)).toBe('timeout')
  })

  it('suggests nothing for a word far from every candidate', () => {
    expect(closest('server-url', flags)).toBeUndefined()
    expect(closest('x', flags)).toBeUndefined()
  })

  it('does not suggest the word itself', () => {
    expect(closest('timeout', ['timeout'])).toBeUndefined()
  })
})
