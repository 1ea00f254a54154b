import { head, oneLine } from './text.js'

/** A job's status as every job call returns it (the server's PascalCase keys, made camelCase). */
export interface JobStatus {
  jobId: string
  /** A known status in its canonical spelling (`Finished`), or the server's own word. */
  statusCode: string
  message: string
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Spotfire answers this id when no job was created (not found, not parsed, busy). */
export const ZERO_JOB_ID = '00000000-0000-0000-0000-000000000000'

export function isZeroJobId(jobId: string): boolean {
  return jobId === ZERO_JOB_ID
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
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const {
    JobId: jobId,
    StatusCode: statusCode,
    Message: message,
  } = value as Record<string, unknown>
  // The API's job ids are GUIDs: anything else is not its answer (and would go into URLs and logs).
  if (typeof jobId !== 'string' || !GUID.test(jobId)) return undefined
  if (typeof statusCode !== 'string' || statusCode.trim() === '') return undefined
  return {
    jobId,
    statusCode: canonicalStatus(statusCode.trim()),
    message: typeof message === 'string' ? message : '',
  }
}

/** A status name fit for a log line: a newer server's word is shown, never obeyed. */
export function statusName(statusCode: string): string {
  return oneLine(statusCode.length > 40 ? `${head(statusCode, 40)}…` : statusCode)
}
