import type { HttpResponse } from './http.js'
import { SpotfireError } from './errors.js'
import { parseRetryAfter } from '../retry.js'

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

/** Error bodies have no known shape: show them as short plain text (HTML pages lose their tags). */
export function bodySnippet(body: string, max = 200): string {
  const text = body
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return text.length > max ? `${text.slice(0, max)}…` : text
}

/** An HTTP error answer as a SpotfireError that carries the status and any Retry-After. */
export function httpError(response: HttpResponse, now: number, hint?: string): SpotfireError {
  const header: unknown = response.headers['retry-after']
  const first: unknown = Array.isArray(header) ? (header as unknown[])[0] : header
  const retryAfterMs = parseRetryAfter(typeof first === 'string' ? first : undefined, now)
  const location = response.headers.location
  const redirect =
    response.status >= 300 && response.status < 400 && location !== undefined
      ? `a redirect to ${redirectTarget(location)}, which is not followed so that credentials never leave the server; set server-url to the address that serves Spotfire directly`
      : undefined
  const snippet = redirect ?? bodySnippet(response.body)
  const reason = REASONS[response.status] ?? ''
  const message = [
    `HTTP ${response.status}${reason === '' ? '' : ` ${reason}`}`,
    snippet === '' ? undefined : snippet,
    hint,
  ]
    .filter((part) => part !== undefined)
    .join(': ')
  return new SpotfireError(message, 'http', {
    status: response.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  })
}

/** The redirect's origin and path, without a query that might carry anything sensitive. */
function redirectTarget(location: string): string {
  try {
    const url = new URL(location)
    return `${url.origin}${url.pathname}`
  } catch {
    return 'another address'
  }
}

/** Failures that leave a repeated idempotent request (token, status, abort) a fair chance. */
export function isTransient(error: SpotfireError): boolean {
  // A host name that does not resolve is a typo far more often than a passing fault: fail fast.
  if (error.kind === 'not-sent' && error.details.code === 'ENOTFOUND') return false
  if (error.kind === 'not-sent' || error.kind === 'no-answer' || error.kind === 'bad-body')
    return true
  return error.kind === 'http' && [408, 429, 500, 502, 503, 504].includes(error.details.status ?? 0)
}
