import type { Endpoint } from './types.js'

export type Fault =
  /** Answer this status without processing: JSON body {"error": ...}, or an HTML error page. */
  | { type: 'http'; status: number; retryAfter?: string; html?: boolean }
  /** Destroy the socket without processing the request. */
  | { type: 'reset-before' }
  /** Process the request fully (e.g. the job IS created), then destroy the socket unanswered. */
  | { type: 'reset-after' }
  /** Process, then answer after `ms`. */
  | { type: 'slow'; ms: number }
  /** Process, then answer 200 with the body cut in half. */
  | { type: 'truncated' }
  /** Start endpoints only: answer StatusCode 'Busy' with the zero id; no job is created. */
  | { type: 'busy' }
  /** Answer 307 (default) with Location, without processing. */
  | { type: 'redirect'; location: string; status?: number }

/** Keyed by the 1-based request number on each endpoint, counted from the simulator's start. */
export type FaultPlan = Partial<Record<Endpoint, Record<number, Fault>>>
export type FaultPlanFn = (endpoint: Endpoint, n: number) => Fault | undefined

export function isStartEndpoint(endpoint: Endpoint): boolean {
  return endpoint === 'start-library' || endpoint === 'start-content'
}

export function faultFor(
  faults: FaultPlan | FaultPlanFn,
  endpoint: Endpoint,
  n: number,
): Fault | undefined {
  return typeof faults === 'function' ? faults(endpoint, n) : faults[endpoint]?.[n]
}

/** Returns why the fault cannot be played on this endpoint, or undefined when it can. */
export function faultProblem(endpoint: Endpoint, fault: Fault): string | undefined {
  switch (fault.type) {
    case 'busy':
      return isStartEndpoint(endpoint)
        ? undefined
        : `a 'busy' fault only fits start-library and start-content, not ${endpoint}`
    case 'http':
      return Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599
        ? undefined
        : `http fault status ${fault.status} is not an HTTP status`
    case 'redirect': {
      const status = fault.status ?? 307
      return Number.isInteger(status) && status >= 300 && status <= 399
        ? undefined
        : `redirect fault status ${status} is not a 3xx status`
    }
    case 'slow':
      return Number.isFinite(fault.ms) && fault.ms >= 0
        ? undefined
        : `slow fault ms ${fault.ms} is not a duration`
    default:
      return undefined
  }
}

/** Throws on the first fault of a static plan that cannot be played, so mistakes show at setup. */
export function validateFaults(faults: FaultPlan | FaultPlanFn): void {
  if (typeof faults === 'function') return
  for (const [endpoint, byNumber] of Object.entries(faults) as [
    Endpoint,
    Record<number, Fault>,
  ][]) {
    for (const [n, fault] of Object.entries(byNumber)) {
      const problem = faultProblem(endpoint, fault)
      if (problem !== undefined) throw new Error(`Fault ${endpoint} #${n}: ${problem}.`)
    }
  }
}

/**
 * A chaos plan of transient faults: each request has `probability` of one fault, chosen among
 * the kinds that a robust client should survive on that endpoint. The choice is a pure function
 * of (seed, endpoint, n), so a seed replays the same faults whatever order requests arrive in.
 * Redirects are left out: a useful Location depends on the deployment, not on chance.
 */
export function randomFaults(seed: number, probability: number): FaultPlanFn {
  if (!Number.isFinite(seed)) throw new RangeError(`randomFaults seed ${seed} is not a number.`)
  if (!(probability >= 0 && probability <= 1)) {
    throw new RangeError(`randomFaults probability ${probability} is not between 0 and 1.`)
  }
  return (endpoint, n) => {
    const random = mulberry32(hash(`${seed}:${endpoint}:${n}`))
    if (random() >= probability) return undefined
    const kinds = isStartEndpoint(endpoint)
      ? [...TRANSIENT_KINDS, 'busy' as const]
      : TRANSIENT_KINDS
    return makeFault(pick(kinds, random), random)
  }
}

const TRANSIENT_KINDS = ['http', 'reset-before', 'reset-after', 'slow', 'truncated'] as const
type RandomKind = (typeof TRANSIENT_KINDS)[number] | 'busy'

const PROXY_STATUSES = [429, 500, 502, 503, 504] as const

function makeFault(kind: RandomKind, random: () => number): Fault {
  switch (kind) {
    case 'http': {
      const status = pick(PROXY_STATUSES, random)
      const fault: Fault = { type: 'http', status }
      if ((status === 429 || status === 503) && random() < 0.5) {
        fault.retryAfter = String(1 + Math.floor(random() * 2))
      }
      if ((status === 502 || status === 504) && random() < 0.5) fault.html = true
      return fault
    }
    case 'slow':
      return { type: 'slow', ms: 100 + Math.floor(random() * 1400) }
    default:
      return { type: kind }
  }
}

function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)]
  if (item === undefined) throw new Error('pick from an empty list')
  return item
}

/** FNV-1a, 32 bit. */
function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
