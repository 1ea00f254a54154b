/** Why a request failed, in the terms that decide whether it may be retried. */
export type FailureKind =
  /** The request cannot have reached the server (connection refused, DNS, no TLS session yet). */
  | 'not-sent'
  /** The request may have reached the server, but no answer came back (reset, timeout). */
  | 'no-answer'
  /** The server, or a proxy in front of it, answered with an error status. */
  | 'http'
  /** An answer that is not the API's own JSON: a proxy's HTML page, a truncated or oversized body. */
  | 'not-api'
  /** TLS: no TLS at the address, a certificate not trusted or not naming the host. Never transient. */
  | 'tls'
  /** The HTTP proxy refused to connect to the server. */
  | 'proxy'
  /** Getting a token failed for a passing reason, after its own retries. */
  | 'token'
  /** The token endpoint refused the client id, secret or scope. */
  | 'credentials'
  /** The wait was cancelled or ran out of time while the request was under way. */
  | 'stopped'

export interface FailureDetails {
  status?: number
  retryAfterMs?: number
  code?: string
}

export class SpotfireError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly details: FailureDetails = {},
  ) {
    super(message)
    this.name = 'SpotfireError'
  }

  /** The same failure, with what the caller was doing in front of the message. */
  withContext(context: string): SpotfireError {
    return new SpotfireError(`${context}: ${this.message}`, this.kind, this.details)
  }
}

/** Any thrown value as one readable line: thrown strings and objects must not turn into "undefined". */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  try {
    // JSON.stringify answers undefined for undefined and functions, whatever its type says.
    const json = JSON.stringify(error) as string | undefined
    return json ?? String(error)
  } catch {
    return String(error)
  }
}
