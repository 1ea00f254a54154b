/** Why a request failed, in the terms that decide whether it may be retried. */
export type FailureKind =
  /** The request cannot have reached the server (connection refused, DNS failure). */
  | 'not-sent'
  /** The request may have reached the server, but no usable answer came back (reset, timeout). */
  | 'no-answer'
  /** The server answered with an error status. */
  | 'http'
  /** The server answered 200 with a body that is not the expected JSON. */
  | 'bad-body'
  /** The TLS certificate was not trusted, or the handshake failed. */
  | 'tls'
  /** Getting a token failed for another reason, after its own retries. */
  | 'token'
  /** The client id, secret or scope was refused by the token endpoint. */
  | 'credentials'
  /** The wait was cancelled or ran out of time while the request was under way. */
  | 'stopped'

export class SpotfireError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly details: { status?: number; retryAfterMs?: number; code?: string } = {},
  ) {
    super(message)
    this.name = 'SpotfireError'
  }

  /** The same failure, with what the caller was doing in front of the message. */
  withContext(context: string): SpotfireError {
    return new SpotfireError(`${context}: ${this.message}`, this.kind, this.details)
  }
}

export function isSpotfireError(error: unknown): error is SpotfireError {
  return error instanceof SpotfireError
}

/** Any thrown value as one readable line: thrown strings and objects must not turn into "undefined". */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  try {
    return JSON.stringify(error)
  } catch {
    return String(error)
  }
}
