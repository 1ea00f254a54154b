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
  /**
   * Start endpoints only: answer StatusCode 'Busy' with the zero id; no job is created. With
   * `withJob`, the request is processed and the Busy answer carries the new job's id (a request
   * that creates no job, e.g. an unknown library path, gets its normal answer).
   */
  | { type: 'busy'; withJob?: boolean }
  /** Answer 307 (default) with Location, without processing. */
  | { type: 'redirect'; location: string; status?: number }
  /**
   * Process, send the status line and headers (real Content-Length) at once, then one body byte
   * per `intervalMs` (default 1000).
   */
  | { type: 'trickle'; intervalMs?: number }
  /**
   * Process, then answer 200 JSON padded with whitespace to exactly `bytes` (an answer already
   * longer is sent as it is), streamed so that the padding is never held in memory.
   */
  | { type: 'oversize'; bytes: number }
  /** Status and abort only: answer as for an unknown job, without processing (the job runs on). */
  | { type: 'not-found' }
  /**
   * Answer `status` (default 500) with text echoing the request line and every header, secrets
   * included, like a misconfigured debug page.
   */
  | { type: 'echo'; status?: number }
  /**
   * Status and abort only, without processing (the job runs on): a JSON 404 that is not the
   * API's: 'gateway' (default) an API gateway's `{"message":"no Route matched with those values"}`,
   * 'spring' a Spring Boot error page `{"timestamp":...,"status":404,"error":"Not Found",...}`.
   */
  | { type: 'json-404'; style?: 'gateway' | 'spring' }
  /**
   * Process fully (a start creates its job, which runs), then answer as Envoy does when the
   * upstream resets before its headers arrive: 503, plain text, no Retry-After.
   */
  | { type: 'upstream-reset' }
  /**
   * Without processing (no job is created), answer as a proxy with no healthy backend: 503, plain
   * text, with Retry-After (default '1').
   */
  | { type: 'no-upstream'; retryAfter?: string }
  /** Start endpoints only: process, then answer `status` with the normal JSON body. */
  | { type: 'created'; status: 201 | 202 }
  /**
   * Status and abort only, without processing: answer with another job's answer, a Finished one
   * (the latest other finished job the simulator ran, or else one it ran before it started).
   */
  | { type: 'other-job' }
  /** Start endpoints only: process, then answer with the JobId in braces, `{…}`. */
  | { type: 'braced-id' }

/** Keyed by the 1-based request number on each endpoint, counted from the simulator's start. */
export type FaultPlan = Partial<Record<Endpoint, Record<number, Fault>>>
export type FaultPlanFn = (endpoint: Endpoint, n: number) => Fault | undefined

export function isStartEndpoint(endpoint: Endpoint): boolean {
  return endpoint === 'start-library' || endpoint === 'start-content'
}

function isJobEndpoint(endpoint: Endpoint): boolean {
  return endpoint === 'status' || endpoint === 'abort'
}

export const DEFAULT_TRICKLE_INTERVAL_MS = 1000

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
    case 'trickle': {
      const ms = fault.intervalMs ?? DEFAULT_TRICKLE_INTERVAL_MS
      return Number.isFinite(ms) && ms >= 0
        ? undefined
        : `trickle fault intervalMs ${ms} is not a duration`
    }
    case 'oversize':
      return Number.isSafeInteger(fault.bytes) && fault.bytes > 0
        ? undefined
        : `oversize fault bytes ${fault.bytes} is not a positive whole number`
    case 'not-found':
    case 'json-404':
    case 'other-job':
      return isJobEndpoint(endpoint)
        ? undefined
        : `a '${faultLabel(fault)}' fault only fits status and abort, not ${endpoint}`
    case 'created':
      // A plan function or JSON may carry any number, whatever the type says.
      if (![201, 202].includes(fault.status)) {
        return `created fault status ${String(fault.status)} is not 201 or 202`
      }
      return isStartEndpoint(endpoint)
        ? undefined
        : `a '${faultLabel(fault)}' fault only fits start-library and start-content, not ${endpoint}`
    case 'braced-id':
      return isStartEndpoint(endpoint)
        ? undefined
        : `a 'braced-id' fault only fits start-library and start-content, not ${endpoint}`
    case 'echo': {
      const status = fault.status ?? 500
      // 1xx, 204 and 304 answers cannot carry the echoed text.
      return Number.isInteger(status) &&
        status >= 200 &&
        status <= 599 &&
        status !== 204 &&
        status !== 304
        ? undefined
        : `echo fault status ${status} is not an HTTP status with a body`
    }
    default:
      return undefined
  }
}

/** A short name for logs, in the vocabulary of the command line's --fault kinds. */
export function faultLabel(fault: Fault): string {
  switch (fault.type) {
    case 'http':
      return `${fault.html === true ? 'html' : 'http'}-${fault.status}`
    case 'busy':
      return fault.withJob === true ? 'busy-with-job' : 'busy'
    case 'slow':
      return `slow-${fault.ms}`
    case 'redirect':
      return `redirect-${fault.status ?? 307}`
    case 'oversize':
      return `oversize-${fault.bytes}`
    case 'json-404':
      return fault.style === 'spring' ? 'spring-404' : 'json-404'
    case 'created':
      return `created-${fault.status}`
    default:
      return fault.type
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

export interface RandomFaultOptions {
  /**
   * Also draw kinds that only a careful client survives: a proxy's HTML 404 and not-found on
   * status, Retry-After 0 or a date in the past, Busy with a real job id on starts, answers that
   * trickle in or run to 2 MiB.
   */
  hostile?: boolean
  /**
   * Answers that are not what the client asked for, drawn on their own: each request on an
   * endpoint one of `kinds` fits has `probability` of one of them, decided before (and apart
   * from) the ordinary draw, so a seed replays the same ordinary faults with or without them.
   */
  extra?: { kinds: readonly ExtraFaultKind[]; probability: number }
}

/** The kinds randomFaults draws only when named in `extra`; this order is part of a seed's replay. */
export const EXTRA_FAULT_KINDS = [
  'json-404',
  'spring-404',
  'other-job',
  'upstream-reset',
  'no-upstream',
  'created-201',
  'created-202',
  'braced-id',
] as const
export type ExtraFaultKind = (typeof EXTRA_FAULT_KINDS)[number]

/**
 * A chaos plan of transient faults: each request has `probability` of one fault, chosen among
 * the kinds that a robust client should survive on that endpoint. The choice is a pure function
 * of (seed, endpoint, n), so a seed replays the same faults whatever order requests arrive in.
 * Redirects and echoes are left out: a useful Location depends on the deployment, not on chance,
 * and an echo is a leak test, not a fault to survive.
 */
export function randomFaults(
  seed: number,
  probability: number,
  options: RandomFaultOptions = {},
): FaultPlanFn {
  if (!Number.isFinite(seed)) throw new RangeError(`randomFaults seed ${seed} is not a number.`)
  if (!(probability >= 0 && probability <= 1)) {
    throw new RangeError(`randomFaults probability ${probability} is not between 0 and 1.`)
  }
  const hostile = options.hostile === true
  const extra = options.extra
  if (extra !== undefined && !(extra.probability >= 0 && extra.probability <= 1)) {
    throw new RangeError(
      `randomFaults extra probability ${extra.probability} is not between 0 and 1.`,
    )
  }
  const extraKinds = EXTRA_FAULT_KINDS.filter((kind) => extra?.kinds.includes(kind) === true)
  return (endpoint, n) => {
    const fitting = extraKinds.filter((kind) => extraFits(kind, endpoint))
    if (extra !== undefined && fitting.length > 0) {
      const random = mulberry32(hash(`${seed}:extra:${endpoint}:${n}`))
      if (random() < extra.probability) return makeExtraFault(pick(fitting, random))
    }
    const random = mulberry32(hash(`${seed}:${endpoint}:${n}`))
    if (random() >= probability) return undefined
    return makeFault(pick(randomKinds(endpoint, hostile), random), random, hostile)
  }
}

// The order of these lists is part of what a seed replays: append, never reorder.
const TRANSIENT_KINDS = ['http', 'reset-before', 'reset-after', 'slow', 'truncated'] as const
const HOSTILE_KINDS = ['trickle', 'oversize'] as const
type RandomKind =
  | (typeof TRANSIENT_KINDS)[number]
  | (typeof HOSTILE_KINDS)[number]
  | 'busy'
  | 'busy-with-job'
  | 'html-404'
  | 'not-found'

function randomKinds(endpoint: Endpoint, hostile: boolean): readonly RandomKind[] {
  const kinds: RandomKind[] = [...TRANSIENT_KINDS]
  if (isStartEndpoint(endpoint)) kinds.push('busy')
  if (!hostile) return kinds
  kinds.push(...HOSTILE_KINDS)
  if (isStartEndpoint(endpoint)) kinds.push('busy-with-job')
  // A proxy's 404 and a node that does not know the job yet only make sense for a job id.
  if (endpoint === 'status') kinds.push('html-404', 'not-found')
  return kinds
}

function extraFits(kind: ExtraFaultKind, endpoint: Endpoint): boolean {
  switch (kind) {
    case 'json-404':
    case 'spring-404':
    case 'other-job':
      return isJobEndpoint(endpoint)
    default:
      return isStartEndpoint(endpoint)
  }
}

/** The fault an extra kind names, for random plans and the --fault flag alike. */
export function makeExtraFault(kind: ExtraFaultKind): Fault {
  switch (kind) {
    case 'json-404':
      return { type: 'json-404', style: 'gateway' }
    case 'spring-404':
      return { type: 'json-404', style: 'spring' }
    case 'created-201':
      return { type: 'created', status: 201 }
    case 'created-202':
      return { type: 'created', status: 202 }
    case 'no-upstream':
      return { type: 'no-upstream', retryAfter: '1' }
    default:
      return { type: kind }
  }
}

const PROXY_STATUSES = [429, 500, 502, 503, 504] as const
/** Any date in the past means "retry now"; a fixed one keeps the plan a pure function. */
const PAST_HTTP_DATE = 'Wed, 21 Oct 2015 07:28:00 GMT'

function makeFault(kind: RandomKind, random: () => number, hostile: boolean): Fault {
  switch (kind) {
    case 'http': {
      const status = pick(PROXY_STATUSES, random)
      const fault: Fault = { type: 'http', status }
      if ((status === 429 || status === 503) && random() < 0.5) {
        fault.retryAfter = retryAfter(random, hostile)
      }
      if ((status === 502 || status === 504) && random() < 0.5) fault.html = true
      return fault
    }
    case 'slow':
      return { type: 'slow', ms: 100 + Math.floor(random() * 1400) }
    case 'busy-with-job':
      return { type: 'busy', withJob: true }
    case 'html-404':
      return { type: 'http', status: 404, html: true }
    case 'trickle':
      return { type: 'trickle', intervalMs: 300 }
    case 'oversize':
      return { type: 'oversize', bytes: 2 * 1024 * 1024 }
    default:
      return { type: kind }
  }
}

function retryAfter(random: () => number, hostile: boolean): string {
  const seconds = String(1 + Math.floor(random() * 2))
  if (!hostile) return seconds
  return pick([seconds, '0', PAST_HTTP_DATE], random)
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
