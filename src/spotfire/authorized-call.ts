import { SpotfireError } from './errors.js'
import type { HttpResponse, Transport } from './http.js'
import type { RetryContext } from './retry.js'
import { httpError, isTransient } from './responses.js'
import type { CallContext, TokenProvider } from './token.js'
import { inputWords, type Clock, type Logger, type Vocabulary } from './types.js'

// The one way both clients (jobs and library) call the API with a token.

export interface AuthorizedCallOptions {
  transport: Transport
  tokens: TokenProvider
  clock: Clock
  logger: Logger
  words?: Vocabulary
  /** How long one request may take (the transport's own limit), for calls bound by answerBy. */
  requestTimeoutMs?: number
}

export interface CallContent {
  body: string | Uint8Array
  contentType: string
}

/** Where a call is: getting its token (nothing has been sent), or sending the request itself. */
export interface CallProgress {
  phase: 'token' | 'request'
}

/**
 * One request with a valid bearer token; a 401 gets one new token and one more try (a 401 was not
 * accepted, so even a request that must not be repeated may go again). 403 is the caller's to
 * word: only it knows the scope it needed.
 */
export async function authorizedCall(
  options: AuthorizedCallOptions,
  request: { method: 'GET' | 'POST'; url: string; content?: CallContent },
  context: CallContext,
  progress: CallProgress = { phase: 'token' },
  hooks: {
    /** Right before the request goes out (the token is in hand). */
    beforeSend?: () => void
    /** Stops waiting for the token, but never a request already sent (a job start). */
    tokenSignal?: AbortSignal | undefined
  } = {},
): Promise<HttpResponse> {
  const tokenContext: CallContext =
    hooks.tokenSignal === undefined ? context : { ...context, signal: hooks.tokenSignal }
  let token = ''
  const attempt = async (): Promise<HttpResponse> => {
    progress.phase = 'token'
    token = await tokenFor(options, tokenContext)
    progress.phase = 'request'
    hooks.beforeSend?.()
    const { content } = request
    const timeoutMs = answerTimeout(options, context)
    return options.transport.request({
      method: request.method,
      url: request.url,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        ...(content === undefined ? {} : { 'Content-Type': content.contentType }),
      },
      ...(content === undefined ? {} : { body: content.body }),
      ...(context.signal === undefined ? {} : { signal: context.signal }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    })
  }
  let response = await attempt()
  if (response.status === 401) {
    options.logger.debug('The server refused the token (401); getting a new one')
    // Only that token: another call may have got a fresh one meanwhile.
    options.tokens.invalidate(token)
    response = await attempt()
    if (response.status === 401) {
      throw httpError(
        response,
        options.clock.wallNow(),
        'the server refused a fresh access token',
        options.words ?? inputWords,
      )
    }
  }
  return response
}

/** The request's timeout: the call's own, or the transport's, but never past its `answerBy`. */
function answerTimeout(options: AuthorizedCallOptions, context: CallContext): number | undefined {
  if (context.answerBy === undefined) return context.timeoutMs
  const left = Math.max(1, context.answerBy - options.clock.now())
  return Math.min(context.timeoutMs ?? options.requestTimeoutMs ?? left, left)
}

/** How a client's call retries: within the call's deadline and signal, each try logged. */
export function retryContextOf(
  options: { clock: Clock; logger: Logger; random?: () => number },
  context: CallContext,
): RetryContext {
  return {
    clock: options.clock,
    deadline: context.deadline,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
    ...(options.random === undefined ? {} : { random: options.random }),
    onRetry: (message) => {
      options.logger.info(message)
    },
  }
}

/**
 * A token for the next call. A transient failure (already retried by the provider) becomes kind
 * 'token', which says nothing about the call; refusals (credentials, 4xx) stay as they are.
 */
export async function tokenFor(
  options: AuthorizedCallOptions,
  context: CallContext,
): Promise<string> {
  try {
    return await options.tokens.get(context)
  } catch (error) {
    if (
      error instanceof SpotfireError &&
      error.kind !== 'stopped' &&
      error.kind !== 'credentials'
    ) {
      throw new SpotfireError(
        error.message,
        isTransient(error) ? 'token' : error.kind,
        error.details,
      )
    }
    throw error
  }
}
