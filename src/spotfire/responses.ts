import { SpotfireError } from './errors.js'
import type { HttpResponse } from './http.js'
import { parseRetryAfter } from './retry.js'
import { head, oneLine } from './text.js'
import { inputWords, type Vocabulary } from './types.js'

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
}

/** Error bodies have no known shape: show them as short plain text (HTML pages lose their tags). */
export function bodySnippet(body: string, max = 200): string {
  const text = body
    .slice(0, 20_000)
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return oneLine(text.length > max ? `${head(text, max)}…` : text)
}

/** `HTTP 503 Service Unavailable`. */
export function statusLine(status: number): string {
  const reason = REASONS[status]
  return reason === undefined ? `HTTP ${status}` : `HTTP ${status} ${reason}`
}

/** Whether the answer is JSON, as the API's own answers (success or error) are. */
export function isJsonAnswer(response: HttpResponse): boolean {
  const type = (response.headers['content-type'] ?? '').toLowerCase()
  if (!type.includes('json')) return false
  try {
    const value: unknown = JSON.parse(response.body)
    return typeof value === 'object' && value !== null
  } catch {
    return false
  }
}

/** What a body that is not the API's JSON looks like, for the message. */
export function describeNonApiBody(response: HttpResponse): string {
  const type = (response.headers['content-type'] ?? '').toLowerCase()
  const body = response.body.trimStart().slice(0, 200).toLowerCase()
  if (type.includes('html') || body.startsWith('<!doctype html') || body.startsWith('<html'))
    return 'an HTML page'
  if (response.body.trim() === '') return 'an empty answer'
  return type.includes('json') ? 'JSON that is not a job status' : 'not JSON'
}

/** An HTTP error answer as a SpotfireError that carries the status and any Retry-After. */
export function httpError(
  response: HttpResponse,
  /** The wall clock (ms since epoch), for an HTTP-date Retry-After. */
  wallNow: number,
  hint?: string,
  words: Vocabulary = inputWords,
): SpotfireError {
  const header: unknown = response.headers['retry-after']
  const first: unknown = Array.isArray(header) ? (header as unknown[])[0] : header
  const retryAfterMs = parseRetryAfter(typeof first === 'string' ? first : undefined, wallNow)
  const location = response.headers.location
  const redirect =
    response.status >= 300 && response.status < 400 && location !== undefined
      ? `a redirect to ${redirectTarget(location)}, which is not followed so that credentials never leave the server; set ${words.name('server-url')} to the address that serves Spotfire directly`
      : undefined
  const snippet = redirect ?? bodySnippet(response.body)
  const message = [statusLine(response.status), snippet === '' ? undefined : snippet, hint]
    .filter((part) => part !== undefined)
    .join(': ')
  return new SpotfireError(message, 'http', {
    status: response.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  })
}

/** An answer that cannot be the API's: it says nothing about the job, so it is retried like a fault. */
export function notApiError(response: HttpResponse, expected: string): SpotfireError {
  const what = describeNonApiBody(response)
  const snippet = bodySnippet(response.body, 120)
  return new SpotfireError(
    `${statusLine(response.status)} with ${what}, not ${expected}${snippet === '' ? '' : ` (${snippet})`}`,
    'not-api',
    { status: response.status },
  )
}

/** The redirect's origin and path, without a query that might carry anything sensitive. */
function redirectTarget(location: string): string {
  try {
    const url = new URL(location)
    return oneLine(`${url.origin}${url.pathname}`)
  } catch {
    return 'another address'
  }
}

/** Failures that leave a repeated idempotent request (token, status, abort) a fair chance. */
export function isTransient(error: SpotfireError): boolean {
  switch (error.kind) {
    case 'not-sent':
      // A host name that does not resolve is a typo far more often than a passing fault.
      return error.details.code !== 'ENOTFOUND'
    case 'no-answer':
    case 'not-api':
    case 'token':
      return true
    case 'http':
      return [408, 429, 500, 502, 503, 504].includes(error.details.status ?? 0)
    default:
      return false
  }
}
