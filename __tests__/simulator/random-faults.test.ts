import { describe, expect, it } from '@jest/globals'
import { randomFaults, type Endpoint, type Fault } from '../../src/simulator/index.js'

const ENDPOINTS: Endpoint[] = [
  'token',
  'metadata',
  'start-library',
  'start-content',
  'status',
  'abort',
]

function sample(seed: number, probability: number, order = ENDPOINTS): (Fault | undefined)[] {
  const plan = randomFaults(seed, probability)
  const faults: (Fault | undefined)[] = []
  for (let n = 1; n <= 300; n++) for (const endpoint of order) faults.push(plan(endpoint, n))
  return faults
}

describe('randomFaults', () => {
  it('gives the same faults for the same seed', () => {
    expect(sample(42, 0.3)).toEqual(sample(42, 0.3))
    expect(sample(42, 0.3)).not.toEqual(sample(43, 0.3))
  })

  it('depends only on (endpoint, n), not on the order requests arrive in', () => {
    const forward = randomFaults(7, 0.5)
    const backward = randomFaults(7, 0.5)
    const reversed = [...ENDPOINTS].reverse()
    for (let n = 300; n >= 1; n--) {
      for (const endpoint of reversed) backward(endpoint, n)
    }
    for (let n = 1; n <= 50; n++) {
      for (const endpoint of ENDPOINTS) expect(forward(endpoint, n)).toEqual(backward(endpoint, n))
    }
  })

  it('faults about `probability` of requests', () => {
    const faults = sample(1, 0.2)
    const share = faults.filter((f) => f !== undefined).length / faults.length
    expect(share).toBeGreaterThan(0.15)
    expect(share).toBeLessThan(0.25)
    expect(sample(1, 0).every((f) => f === undefined)).toBe(true)
    expect(sample(1, 1).every((f) => f !== undefined)).toBe(true)
  })

  it('plays busy on start endpoints only, and every other transient kind everywhere', () => {
    const plan = randomFaults(99, 1)
    for (const endpoint of ENDPOINTS) {
      const kinds = new Set<string>()
      for (let n = 1; n <= 400; n++) kinds.add(plan(endpoint, n)?.type ?? 'none')
      const expected = ['http', 'reset-after', 'reset-before', 'slow', 'truncated']
      if (endpoint.startsWith('start-')) expected.push('busy')
      expect([...kinds].sort()).toEqual(expected.sort())
    }
  })

  it('makes faults a client can survive: proxy statuses and short delays', () => {
    for (const fault of sample(5, 1)) {
      if (fault?.type === 'http') {
        expect([429, 500, 502, 503, 504]).toContain(fault.status)
        if (fault.retryAfter !== undefined) expect(fault.retryAfter).toMatch(/^\d+$/)
      }
      if (fault?.type === 'slow') {
        expect(fault.ms).toBeGreaterThanOrEqual(100)
        expect(fault.ms).toBeLessThan(1500)
      }
    }
  })

  it('rejects a probability outside 0..1 and a seed that is not a number', () => {
    expect(() => randomFaults(1, 1.5)).toThrow(RangeError)
    expect(() => randomFaults(1, -0.1)).toThrow(RangeError)
    expect(() => randomFaults(1, NaN)).toThrow(RangeError)
    expect(() => randomFaults(NaN, 0.5)).toThrow(RangeError)
  })
})
