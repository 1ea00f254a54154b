/** A job's status as every job call returns it (the server's PascalCase keys, made camelCase). */
export interface JobStatus {
  jobId: string
  statusCode: string
  message: string
}

export const TERMINAL_STATUSES = ['Finished', 'Failed', 'Canceled', 'Missing', 'NotSet'] as const
const RUNNING_STATUSES = ['Queued', 'InProgress']

export type StatusClass = 'running' | 'finished' | 'failed' | 'busy' | 'unknown'

/** What the action does with a status: see the status table in the README. */
export function classifyStatus(statusCode: string): StatusClass {
  if (statusCode === 'Finished') return 'finished'
  if ((TERMINAL_STATUSES as readonly string[]).includes(statusCode)) return 'failed'
  if (RUNNING_STATUSES.includes(statusCode)) return 'running'
  if (statusCode === 'Busy') return 'busy'
  // A newer server's status: keep polling (the caller warns once).
  return 'unknown'
}

export function isTerminal(statusCode: string): boolean {
  const kind = classifyStatus(statusCode)
  return kind === 'finished' || kind === 'failed'
}

/** Parses the JSON body of a job call; undefined when it is not the expected shape. */
export function parseJobStatus(body: string): JobStatus | undefined {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  const { JobId: jobId, StatusCode: statusCode, Message: message } = record
  if (typeof jobId !== 'string' || jobId === '') return undefined
  if (typeof statusCode !== 'string' || statusCode === '') return undefined
  return { jobId, statusCode, message: typeof message === 'string' ? message : '' }
}
