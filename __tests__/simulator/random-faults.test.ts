import { describe, expect, it } from '@jest/globals'
import {
  EXTRA_FAULT_KINDS,
  randomFaults,
  type Endpoint,
  type ExtraFaultKind,
  type Fault,
} from '../../src/simulator/index.js'
import { faultLabel, faultProblem } from '../../src/simulator/faults.js'

const ENDPOINTS: Endpoint[] = [
  'token',
  'metadata',
  'start-library',
  'start-content',
  'status',
  'abort',
]

function sample(
  seed: number,
  probability: number,
  order = ENDPOINTS,
  hostile = false,
): (Fault | undefined)[] {
  const plan = randomFaults(seed, probability, { hostile })
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

describe('randomFaults without hostile', () => {
  it('replays what earlier versions drew for a seed', () => {
    // Recorded before the hostile kinds existed: a seed in a CI log must keep meaning the same.
    const plan = randomFaults(2024, 0.5)
    const drawn = (endpoint: Endpoint) =>
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => plan(endpoint, n) ?? null)
    expect(drawn('token')).toEqual([
      { type: 'http', status: 502 },
      { type: 'truncated' },
      null,
      { type: 'slow', ms: 671 },
      null,
      null,
      { type: 'reset-after' },
      { type: 'reset-before' },
    ])
    expect(drawn('start-library')).toEqual([
      null,
      null,
      { type: 'slow', ms: 751 },
      { type: 'http', status: 500 },
      null,
      null,
      null,
      null,
    ])
    expect(drawn('status')).toEqual([
      { type: 'reset-after' },
      { type: 'http', status: 429 },
      { type: 'http', status: 500 },
      { type: 'truncated' },
      { type: 'truncated' },
      { type: 'http', status: 503, retryAfter: '1' },
      null,
      { type: 'slow', ms: 1120 },
    ])
    expect(sample(9, 0.4, ENDPOINTS, false)).toEqual(sample(9, 0.4))
  })
})

describe('randomFaults with hostile', () => {
  /** The labels drawn on each endpoint, with every fault. */
  function labels(endpoint: Endpoint): Set<string> {
    const plan = randomFaults(31, 1, { hostile: true })
    const drawn = new Set<string>()
    for (let n = 1; n <= 1500; n++) {
      const fault = plan(endpoint, n)
      if (fault === undefined) throw new Error('probability 1 drew no fault')
      expect(faultProblem(endpoint, fault)).toBeUndefined()
      drawn.add(faultLabel(fault).replace(/^slow-\d+$/, 'slow'))
    }
    return drawn
  }

  const COMMON = [
    'http-429',
    'http-500',
    'http-502',
    'http-503',
    'http-504',
    'html-502',
    'html-504',
    'reset-after',
    'reset-before',
    'slow',
    'truncated',
    'trickle',
    `oversize-${2 * 1024 * 1024}`,
  ]

  it('adds the HTML 404 and not-found on status only, busy-with-job on starts only', () => {
    expect([...labels('status')].sort()).toEqual([...COMMON, 'html-404', 'not-found'].sort())
    for (const endpoint of ['start-library', 'start-content'] as const) {
      expect([...labels(endpoint)].sort()).toEqual([...COMMON, 'busy', 'busy-with-job'].sort())
    }
    for (const endpoint of ['token', 'metadata', 'abort'] as const) {
      expect([...labels(endpoint)].sort()).toEqual([...COMMON].sort())
    }
  })

  it('trickles at 300 ms a byte and sends Retry-After 0 or a past date on 429 and 503', () => {
    const retryAfter = new Set<string>()
    for (const fault of sample(77, 1, ENDPOINTS, true)) {
      if (fault?.type === 'trickle') expect(fault.intervalMs).toBe(300)
      if (fault?.type === 'http' && fault.retryAfter !== undefined) {
        expect([429, 503]).toContain(fault.status)
        retryAfter.add(/^\d+$/.test(fault.retryAfter) ? fault.retryAfter : 'date')
        if (!/^\d+$/.test(fault.retryAfter)) {
          expect(Date.parse(fault.retryAfter)).toBeLessThan(Date.now())
        }
      }
    }
    expect([...retryAfter].sort()).toEqual(['0', '1', '2', 'date'])
  })

  it('stays a pure function of (seed, endpoint, n), and never draws echo or redirect', () => {
    const forward = randomFaults(5, 0.6, { hostile: true })
    const backward = randomFaults(5, 0.6, { hostile: true })
    for (let n = 300; n >= 1; n--) {
      for (const endpoint of [...ENDPOINTS].reverse()) backward(endpoint, n)
    }
    for (let n = 1; n <= 300; n++) {
      for (const endpoint of ENDPOINTS) expect(forward(endpoint, n)).toEqual(backward(endpoint, n))
    }
    expect(sample(5, 0.6, ENDPOINTS, true)).not.toEqual(sample(5, 0.6))
    const kinds = new Set(sample(5, 1, ENDPOINTS, true).map((fault) => fault?.type))
    expect(kinds.has('echo')).toBe(false)
    expect(kinds.has('redirect')).toBe(false)
  })
})

describe('randomFaults with extra kinds', () => {
  const extra = { kinds: EXTRA_FAULT_KINDS, probability: 0.3 }

  it('draws each named kind on the endpoints it fits, and only those named', () => {
    const drawn = (endpoint: Endpoint, kinds: readonly ExtraFaultKind[]): Set<string> => {
      const plan = randomFaults(12, 0, { extra: { kinds, probability: 1 } })
      const labels = new Set<string>()
      for (let n = 1; n <= 400; n++) {
        const fault = plan(endpoint, n)
        if (fault !== undefined) {
          expect(faultProblem(endpoint, fault)).toBeUndefined()
          labels.add(faultLabel(fault))
        }
      }
      return labels
    }
    const onJobs = ['json-404', 'spring-404', 'other-job']
    const onStarts = ['upstream-reset', 'no-upstream', 'created-201', 'created-202', 'braced-id']
    for (const endpoint of ['status', 'abort'] as const) {
      expect([...drawn(endpoint, EXTRA_FAULT_KINDS)].sort()).toEqual([...onJobs].sort())
    }
    for (const endpoint of ['start-library', 'start-content'] as const) {
      expect([...drawn(endpoint, EXTRA_FAULT_KINDS)].sort()).toEqual([...onStarts].sort())
    }
    for (const endpoint of ['token', 'metadata'] as const) {
      expect(drawn(endpoint, EXTRA_FAULT_KINDS).size).toBe(0)
    }
    expect([...drawn('start-library', ['created-202', 'json-404'])]).toEqual(['created-202'])
    expect(drawn('status', ['braced-id']).size).toBe(0)
  })

  it('leaves every ordinary draw as it was where no extra fault is drawn', () => {
    const plain = randomFaults(2024, 0.5, { hostile: true })
    const mixed = randomFaults(2024, 0.5, { hostile: true, extra })
    let extras = 0
    for (let n = 1; n <= 300; n++) {
      for (const endpoint of ENDPOINTS) {
        const fault = mixed(endpoint, n)
        const isExtra =
          fault !== undefined &&
          [
            'json-404',
            'other-job',
            'upstream-reset',
            'no-upstream',
            'created',
            'braced-id',
          ].includes(fault.type)
        if (isExtra) extras++
        else expect(fault).toEqual(plain(endpoint, n))
      }
    }
    // 300 requests on each of four fitting endpoints at 0.3.
    expect(extras).toBeGreaterThan(300)
    expect(extras).toBeLessThan(420)
  })

  it('replays the same extra faults for a seed, in any order, and plays no-upstream with Retry-After', () => {
    const a = randomFaults(8, 0.2, { extra })
    const b = randomFaults(8, 0.2, { extra })
    for (let n = 200; n >= 1; n--) for (const endpoint of ENDPOINTS) b(endpoint, n)
    for (let n = 1; n <= 200; n++) {
      for (const endpoint of ENDPOINTS) {
        const fault = a(endpoint, n)
        expect(fault).toEqual(b(endpoint, n))
        if (fault?.type === 'no-upstream') expect(fault.retryAfter).toBe('1')
      }
    }
  })

  it('rejects an extra probability outside 0..1', () => {
    expect(() => randomFaults(1, 0.1, { extra: { kinds: ['json-404'], probability: 2 } })).toThrow(
      RangeError,
    )
  })
})
