import { cut, head, oneLine } from './text.js'

/** A job's status as every job call returns it (the server's PascalCase keys, made camelCase). */
export interface JobStatus {
  jobId: string
  /** A known status in its canonical spelling (`Finished`), or the server's own word. */
  statusCode: string
  message: string
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const BRACED_GUID = /^\{([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}$/i
/** Longer than any id a server makes; an id goes into URLs, log lines and outputs. */
const MAX_JOB_ID_LENGTH = 200

/**
 * The most of a job's message kept (the `message` output's limit): an answer may carry megabytes,
 * and a step follows up to hundreds of jobs.
 */
export const MAX_MESSAGE_LENGTH = 10_000

/** Spotfire answers this id when no job was created (not found, not parsed, busy). */
export const ZERO_JOB_ID = '00000000-0000-0000-0000-000000000000'

/** The zero id in any spelling (braces, no hyphens): no job. */
export function isZeroJobId(jobId: string): boolean {
  return /^\{?[0-]*0[0-]*\}?$/.test(jobId)
}

/** Whether two ids name the same job: GUIDs without regard to case or braces, others exactly. */
export function sameJobId(a: string, b: string): boolean {
  return canonicalJobId(a) === canonicalJobId(b)
}

function canonicalJobId(jobId: string): string {
  const id = BRACED_GUID.exec(jobId)?.[1] ?? jobId
  return GUID.test(id) ? id.toLowerCase() : id
}

/**
 * A job id from an answer, as the action will use it: a GUID in braces loses them, any other id is
 * kept as given. Undefined for an id that is blank, not one line of plain text, or endless: no
 * server makes such ids, and this one would go into log lines.
 */
function jobIdOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_JOB_ID_LENGTH) {
    return undefined
  }
  if (oneLine(value) !== value) return undefined
  return BRACED_GUID.exec(value)?.[1] ?? value
}

const CLASSES = {
  Queued: 'running',
  InProgress: 'running',
  Finished: 'finished',
  Failed: 'failed',
  Canceled: 'failed',
  Missing: 'failed',
  NotSet: 'failed',
  Busy: 'busy',
} as const

export type KnownStatus = keyof typeof CLASSES
export type StatusClass = (typeof CLASSES)[KnownStatus] | 'unknown'

const CANONICAL = new Map(Object.keys(CLASSES).map((name) => [name.toLowerCase(), name]))

/** The server's enum names are compared without regard to case: `FINISHED` is `Finished`. */
export function canonicalStatus(statusCode: string): string {
  return CANONICAL.get(statusCode.toLowerCase()) ?? statusCode
}

/** What the action does with a status: see the status table in the README. */
export function classifyStatus(statusCode: string): StatusClass {
  const name = canonicalStatus(statusCode)
  // Own keys only: `constructor` or `__proto__` from a server must not read Object's members.
  return Object.hasOwn(CLASSES, name) ? CLASSES[name as KnownStatus] : 'unknown'
}

export function isTerminal(statusCode: string): boolean {
  const kind = classifyStatus(statusCode)
  return kind === 'finished' || kind === 'failed'
}

/** Parses the JSON body of a job call; undefined when it is not the API's shape. */
export function parseJobStatus(body: string): JobStatus | undefined {
  const answer = readJobAnswer(body)
  return answer === undefined || answer.statusCode === '' ? undefined : answer
}

/**
 * The job an answer names, with its status if it has one ('' if not): a start answered 202, or
 * even 500, with a job id names a job the server knows. Undefined without a usable JobId.
 */
export function readJobAnswer(body: string): JobStatus | undefined {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const { JobId: id, StatusCode: statusCode, Message: message } = value as Record<string, unknown>
  const jobId = jobIdOf(id)
  if (jobId === undefined) return undefined
  return {
    jobId,
    statusCode: typeof statusCode === 'string' ? canonicalStatus(statusCode.trim()) : '',
    message: typeof message === 'string' ? ownCopy(cut(message, MAX_MESSAGE_LENGTH)) : '',
  }
}

/**
 * The text in memory of its own: a cut of a long string may be a slice that keeps the whole of it
 * alive (V8 does that), and the answer it came from is megabytes.
 */
function ownCopy(text: string): string {
  return text.length < MAX_MESSAGE_LENGTH ? text : Buffer.from(text, 'utf16le').toString('utf16le')
}

/** A status name fit for a log line: a newer server's word is shown, never obeyed. */
export function statusName(statusCode: string): string {
  return oneLine(statusCode.length > 40 ? `${head(statusCode, 40)}…` : statusCode)
}
