// The command line's small languages: --library-job and --fault values, and --log-requests lines.
import { createHash } from 'node:crypto'
import { parseDuration } from '../shared/duration.js'
import { defuse } from '../shared/workflow-commands.js'
import {
  EXTRA_FAULT_KINDS,
  faultLabel,
  faultProblem,
  makeExtraFault,
  type ExtraFaultKind,
  type Fault,
  type FaultPlanFn,
} from './faults.js'
import { endpointMethod, ENDPOINTS } from './routes.js'
import type { Endpoint, LibraryItem, Phase, RequestEvent } from './types.js'

export class CliUsageError extends Error {}

const LIBRARY_JOB_FORM =
  'PATH=[queued=QUEUED,]DURATION[:STATUS[:MESSAGE]], e.g. /Jobs/Nightly=2m:Failed:Disk full'
const FINAL_STATUSES = ['Finished', 'Failed', 'Canceled', 'Missing'] as const

/** `PATH=[queued=QUEUED,]DURATION[:STATUS[:MESSAGE]]`: PATH ends at the first `=`, MESSAGE may hold `:`. */
export function parseLibraryJob(value: string): LibraryItem {
  const eq = value.indexOf('=')
  if (eq < 0) {
    throw new CliUsageError(`Option --library-job must be ${LIBRARY_JOB_FORM}, not '${value}'.`)
  }
  const path = value.slice(0, eq)
  if (!path.startsWith('/')) {
    throw new CliUsageError(
      `Option --library-job needs a library path starting with /, not '${path}'.`,
    )
  }
  const [durations = '', status, ...message] = value.slice(eq + 1).split(':')
  const phases: Phase[] = []
  let duration = durations
  // `queued=5s,2m`: Queued for 5 s, then InProgress for 2 min.
  const queued = /^queued=/i.exec(durations)
  if (queued !== null) {
    const [wait = '', run, ...extra] = durations.slice(queued[0].length).split(',')
    if (run === undefined || extra.length > 0) {
      throw new CliUsageError(
        `Option --library-job needs queued=QUEUED,DURATION, not '${durations}' (e.g. queued=5s,2m).`,
      )
    }
    phases.push({ status: 'Queued', ms: phaseMs(wait, 'a QUEUED') })
    duration = run
  }
  phases.push({ status: 'InProgress', ms: phaseMs(duration, 'a DURATION') })
  return {
    path,
    id: libraryJobId(path),
    lifecycle: {
      phases,
      final: { status: finalStatus(status), message: message.join(':') },
    },
  }
}

function phaseMs(value: string, name: string): number {
  const ms = parseDuration(value)
  if (ms === undefined) {
    throw new CliUsageError(
      `Option --library-job needs ${name} like 90, 90s, 2m, 1h30m or 500ms, not '${value}'.`,
    )
  }
  return ms
}

function finalStatus(value: string | undefined): string {
  if (value === undefined) return 'Finished'
  const status = FINAL_STATUSES.find((name) => name.toLowerCase() === value.toLowerCase())
  if (status === undefined) {
    throw new CliUsageError(
      `Option --library-job needs a STATUS of ${FINAL_STATUSES.join(', ')}, not '${value}'.`,
    )
  }
  return status
}

// Ids are UUID v5 of the path in this fixed namespace: the same on every run and machine.
const ID_NAMESPACE = Buffer.from('9b0c3f6e2a4d4f1b8e7a5c3d1f0b2e4a', 'hex')

export function libraryJobId(path: string): string {
  const bytes = createHash('sha1')
    .update(ID_NAMESPACE)
    .update(path, 'utf8')
    .digest()
    .subarray(0, 16)
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6)
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8)
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** One --fault: the first `count` requests on `endpoint` not taken by an earlier --fault there. */
export interface CliFault {
  /** As given, for the banner. */
  spec: string
  endpoint: Endpoint
  fault: Fault
  count: number
}

const FAULT_FORM = 'METHOD:ENDPOINT:KIND[:N], e.g. POST:start-library:busy:2'
const FAULT_KINDS =
  'http-<status>, html-<status>, busy, busy-with-job, reset-before, reset-after, slow-<ms>, truncated, trickle, not-found, echo, json-404, spring-404, other-job, upstream-reset, no-upstream, created-201, created-202 or braced-id'

export function parseFaultSpec(spec: string): CliFault {
  const parts = spec.split(':')
  const [method = '', endpoint = '', kind = '', count = '1'] = parts
  if (parts.length < 3 || parts.length > 4) {
    throw new CliUsageError(`Option --fault must be ${FAULT_FORM}, not '${spec}'.`)
  }
  const upper = method.toUpperCase()
  if (upper !== 'GET' && upper !== 'POST' && upper !== '*') {
    throw new CliUsageError(`Option --fault needs a METHOD of GET, POST or *, not '${method}'.`)
  }
  if (!isEndpoint(endpoint)) {
    throw new CliUsageError(
      `Option --fault needs an ENDPOINT of ${ENDPOINTS.join(', ')}, not '${endpoint}'.`,
    )
  }
  const expected = endpointMethod(endpoint)
  if (upper !== '*' && upper !== expected) {
    throw new CliUsageError(
      `Option --fault: ${endpoint} answers ${expected} requests, not ${upper} (in '${spec}').`,
    )
  }
  const fault = parseFaultKind(kind)
  const problem = faultProblem(endpoint, fault)
  if (problem !== undefined) throw new CliUsageError(`Option --fault: ${problem} (in '${spec}').`)
  if (!/^\d+$/.test(count) || Number(count) < 1 || !Number.isSafeInteger(Number(count))) {
    throw new CliUsageError(
      `Option --fault needs N to be a whole number at least 1, not '${count}'.`,
    )
  }
  return { spec, endpoint, fault, count: Number(count) }
}

function isEndpoint(name: string): name is Endpoint {
  return (ENDPOINTS as readonly string[]).includes(name)
}

function parseFaultKind(kind: string): Fault {
  const withStatus = /^(http|html)-(\d{3})$/.exec(kind)
  if (withStatus !== null) {
    const status = Number(withStatus[2])
    // A 1xx cannot be a final answer; 200 is kept for the proxy login page answered 200.
    if (status < 200) {
      throw new CliUsageError(`Option --fault needs a status from 200 to 599 in '${kind}'.`)
    }
    return withStatus[1] === 'html'
      ? { type: 'http', status, html: true }
      : { type: 'http', status }
  }
  const slow = /^slow-(\d+)$/.exec(kind)
  if (slow !== null) return { type: 'slow', ms: Number(slow[1]) }
  switch (kind) {
    case 'busy':
    case 'reset-before':
    case 'reset-after':
    case 'truncated':
    case 'trickle':
    case 'not-found':
    case 'echo':
    case 'no-upstream': // the server gives it its default Retry-After
      return { type: kind }
    case 'busy-with-job':
      return { type: 'busy', withJob: true }
    default:
      if ((EXTRA_FAULT_KINDS as readonly string[]).includes(kind)) {
        return makeExtraFault(kind as ExtraFaultKind)
      }
      throw new CliUsageError(`Option --fault needs a KIND of ${FAULT_KINDS}, not '${kind}'.`)
  }
}

/** --fault values on one endpoint follow each other: `busy:2` then `http-503` is 1-2, then 3. */
export function cliFaultPlan(faults: readonly CliFault[]): FaultPlanFn {
  return (endpoint, n) => {
    let last = 0
    for (const candidate of faults) {
      if (candidate.endpoint !== endpoint) continue
      last += candidate.count
      if (n <= last) return candidate.fault
    }
    return undefined
  }
}

/**
 * For --log-bodies, under its request line: the body with the client secret, secret form fields
 * and bearer tokens replaced by ***, made inert for CI logs; an upload chunk only by its size.
 * Headers (Authorization above all) are never shown.
 */
export function requestBodyLine(
  event: RequestEvent,
  secrets: readonly string[],
): string | undefined {
  if (event.bodyBytes === undefined || event.bodyBytes === 0) return undefined
  if (event.body === undefined) return `  body: upload chunk, ${event.bodyBytes} bytes, not shown`
  let text = event.body
    .replace(/\b(Bearer|Basic)\s+[\w\-.~+/=%]+/gi, '$1 ***')
    .replace(
      /((?:^|[&?\s"'])(?:client_secret|password|assertion|access_token|refresh_token|token)["']?\s*[=:]\s*["']?)[^&\s"'<]+/gi,
      '$1***',
    )
  for (const secret of secrets) if (secret !== '') text = text.split(secret).join('***')
  return defuse(`  body: ${text.replace(/\r?\n|\r/g, '\n        ')}`)
}

/** Only what cannot carry a secret: no headers, bodies or query strings. */
export function requestLogLine(event: RequestEvent): string {
  const outcome = event.fault === undefined ? String(event.status) : faultLabel(event.fault)
  return `${event.method} ${event.path} -> ${outcome}`
}
