import { SpotfireError } from './errors.js'
import type { HttpResponse, Transport } from './http.js'
import { bodySnippet, httpError, isTransient } from './responses.js'
import { retry } from './retry.js'
import { oneLine } from './text.js'
import { inputWords, type Clock, type Logger, type Vocabulary } from './types.js'

export const EXECUTE_SCOPE = 'api.rest.automation-services-job.execute'

export interface TokenOptions {
  serverUrl: string
  clientId: string
  clientSecret: string
  authMethod: 'basic' | 'post'
  scope: string
  transport: Transport
  clock: Clock
  logger: Logger
  /** How long one request may take (the transport's own limit), unless a call says otherwise. */
  requestTimeoutMs?: number
  /** For the retry jitter; tests pin it. */
  random?: () => number
  /** Called with every new token before anything else sees it: the action masks it here. */
  onToken(token: string): void
  /** How messages name settings; the action's input names by default. */
  words?: Vocabulary
}

export interface CallContext {
  deadline: number
  signal?: AbortSignal
  /** Per-request timeout override. */
  timeoutMs?: number
  /**
   * No request of the call may still wait for its answer after this (monotonic ms): a start sent
   * just before the deadline gets only the step's cleanup time, whatever request-timeout says.
   */
  answerBy?: number
}

interface CachedToken {
  value: string
  /** When to get a new one: a little before the server says it expires. */
  refreshAt: number
}

/** Transient failures are tried again until the caller's deadline: a server restart takes minutes. */
const tokenPolicy = {
  label: 'Getting a token',
  isRetryable: isTransient,
  maxAttempts: Number.MAX_SAFE_INTEGER,
  baseMs: 1000,
  maxMs: 30_000,
}

/**
 * Gets client-credentials tokens, caches them and refreshes them before they run out. Callers at
 * the same moment share one request: many jobs, one token.
 */
export class TokenProvider {
  private cached: CachedToken | undefined
  private pending: Promise<CachedToken> | undefined
  /** Why the last try of the request under way failed: said when a caller stops waiting. */
  private lastFailure: SpotfireError | undefined
  /** Stops a shared request that nobody waits for any more, so that no timer outlives the run. */
  private readonly closing = new AbortController()

  constructor(private readonly options: TokenOptions) {}

  async get(context: CallContext): Promise<string> {
    const { clock } = this.options
    if (this.cached !== undefined && clock.now() < this.cached.refreshAt) return this.cached.value
    // The shared request runs without the caller's signal, so that one caller giving up does not
    // fail the others; each caller still stops waiting on its own signal.
    this.pending ??= this.fetch({ deadline: context.deadline, ...timeoutOf(context) }).finally(
      () => {
        this.pending = undefined
        this.lastFailure = undefined
      },
    )
    const token = await this.waitFor(this.pending, context)
    this.cached = token
    return token.value
  }

  /**
   * The shared request's outcome, or a 'stopped' failure as soon as the caller's signal fires or
   * its own deadline passes: the request may run on another caller's, longer, deadline.
   */
  private waitFor(pending: Promise<CachedToken>, context: CallContext): Promise<CachedToken> {
    const { clock } = this.options
    return new Promise<CachedToken>((resolve, reject) => {
      const over = new AbortController()
      const finish = (): void => {
        over.abort()
        context.signal?.removeEventListener('abort', stop)
      }
      const stop = (): void => {
        finish()
        reject(
          new SpotfireError(
            this.lastFailure === undefined
              ? 'no token in time'
              : `getting a token failed: ${this.lastFailure.message}`,
            'stopped',
            // What went wrong (a refused connection, a timeout) still points at the likely cause.
            this.lastFailure?.details ?? {},
          ),
        )
      }
      if (context.signal?.aborted === true) {
        stop()
        return
      }
      context.signal?.addEventListener('abort', stop, { once: true })
      void clock.sleep(Math.max(0, context.deadline - clock.now()), over.signal).then(() => {
        if (!over.signal.aborted) stop()
      })
      pending.then(
        (token) => {
          finish()
          resolve(token)
        },
        (error: unknown) => {
          finish()
          reject(error instanceof Error ? error : new Error(String(error)))
        },
      )
    })
  }

  /** Forgets the cached token, after the API refused it (only that one, when it is named). */
  invalidate(token?: string): void {
    if (token === undefined || this.cached?.value === token) this.cached = undefined
  }

  /** Ends a token request still under way: nothing will use it. */
  close(): void {
    this.closing.abort()
  }

  private async fetch(context: CallContext): Promise<CachedToken> {
    try {
      return await this.fetchWithRetries(context)
    } catch (error) {
      // Say that it was the token, once: the retry's own message already does.
      if (
        error instanceof SpotfireError &&
        error.kind !== 'credentials' &&
        !/^getting a token/i.test(error.message)
      ) {
        throw error.withContext('getting a token failed')
      }
      throw error
    }
  }

  private fetchWithRetries(context: CallContext): Promise<CachedToken> {
    const signal = this.closing.signal
    return retry(
      async () => {
        try {
          // No try may outlast the deadline: the caller stops waiting then anyway.
          const left = Math.max(1, context.deadline - this.options.clock.now())
          const limit = context.timeoutMs ?? this.options.requestTimeoutMs ?? left
          const timeoutMs = Math.min(limit, left)
          return await this.request({ ...context, timeoutMs, signal })
        } catch (error) {
          if (error instanceof SpotfireError) this.lastFailure = error
          throw error
        }
      },
      tokenPolicy,
      {
        clock: this.options.clock,
        deadline: context.deadline,
        signal,
        ...(this.options.random === undefined ? {} : { random: this.options.random }),
        onRetry: (message) => {
          this.options.logger.info(message)
        },
      },
    )
  }

  private async request(context: CallContext): Promise<CachedToken> {
    const { clientId, clientSecret, authMethod, scope, transport, clock } = this.options
    const form = new URLSearchParams({ grant_type: 'client_credentials', scope })
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    }
    if (authMethod === 'basic') {
      headers.Authorization = basicCredentials(clientId, clientSecret)
    } else {
      form.set('client_id', clientId)
      form.set('client_secret', clientSecret)
    }
    const url = `${this.options.serverUrl}/spotfire/oauth2/token`
    this.options.logger.debug(
      `Requesting a token from ${url} (client_secret_${authMethod}, scope ${scope})`,
    )
    const requestedAt = clock.now()
    const response = await transport.request({
      method: 'POST',
      url,
      headers,
      body: form.toString(),
      sensitive: [clientSecret, formEncode(clientSecret)],
      ...timeoutOf(context),
      ...(context.signal === undefined ? {} : { signal: context.signal }),
    })
    if (response.status !== 200) throw this.refusal(response, clock.wallNow())
    const parsed = parseTokenResponse(response.body)
    if (parsed === undefined) {
      throw new SpotfireError(
        `the token endpoint answered 200 with ${bodySnippet(response.body, 60) === '' ? 'an empty body' : 'something else'}, not an access_token in JSON`,
        'not-api',
      )
    }
    this.options.onToken(parsed.token)
    const lifetimeMs =
      parsed.expiresInSeconds === undefined ? Infinity : parsed.expiresInSeconds * 1000
    // Refresh a minute early, or halfway through a short lifetime.
    const margin = Math.min(60_000, lifetimeMs / 2)
    this.options.logger.debug(
      `Got a token${parsed.expiresInSeconds === undefined ? '' : ` valid for ${parsed.expiresInSeconds} s`}`,
    )
    return { value: parsed.token, refreshAt: requestedAt + lifetimeMs - margin }
  }

  /** `now` is wall time: only an HTTP-date Retry-After is read against it. */
  private refusal(response: HttpResponse, now: number): SpotfireError {
    const { status, body } = response
    const words = this.options.words ?? inputWords
    const oauth = parseOAuthError(body)
    const described =
      oauth === undefined
        ? bodySnippet(body)
        : oneLine(
            `${oauth.error}${oauth.description === undefined ? '' : `: ${oauth.description}`}`,
          )
    const apiPath = apiPathOf(this.options.serverUrl)
    if (status === 401 && oauth === undefined && apiPath !== undefined) {
      // Any authenticated Spotfire path answers 401 without an OAuth error: the token request went
      // to a path under the one in server-url, and the credentials were never looked at.
      return new SpotfireError(
        `the token endpoint answered HTTP 401 without an OAuth error, and ${words.name('server-url')} has the path ${apiPath}: the token request went to ${apiPath}/spotfire/oauth2/token. Set ${words.name('server-url')} to the address Spotfire is served at, without /spotfire/..., such as ${new URL(this.options.serverUrl).origin}.`,
        'credentials',
        { status, code: 'server-url' },
      )
    }
    if (
      status === 401 ||
      oauth?.error === 'invalid_client' ||
      oauth?.error === 'unauthorized_client'
    ) {
      return new SpotfireError(
        `Spotfire refused the client credentials (HTTP ${status}${described === '' ? '' : `, ${described}`}). Check ${words.name('client-id')} and ${words.name('client-secret')}, and ${words.name('client-auth-method')}: a client registered for client_secret_post needs ${words.setting('client-auth-method', 'post')}.`,
        'credentials',
        { status, code: 'invalid_client' },
      )
    }
    if (oauth?.error === 'invalid_scope') {
      return new SpotfireError(
        `Spotfire will not grant scope '${this.options.scope}' to this client (${described}). Register the API client with -S${EXECUTE_SCOPE} (see "Registering the API client" in the README).`,
        'credentials',
        { status, code: 'invalid_scope' },
      )
    }
    if (status === 400) {
      return new SpotfireError(
        `Spotfire refused the token request (HTTP 400, ${described}).`,
        'credentials',
        { status },
      )
    }
    if (status === 404) {
      return httpError(
        response,
        now,
        `no token endpoint at this address; check ${words.name('server-url')}`,
        words,
      )
    }
    return httpError(response, now, undefined, words)
  }
}

/** The path of a server URL that reaches into Spotfire's own paths (/spotfire/..., /api/...). */
function apiPathOf(serverUrl: string): string | undefined {
  const path = new URL(serverUrl).pathname.replace(/\/+$/, '')
  return /\/(spotfire|api|rest|oauth2)(\/|$)/i.test(path) ? oneLine(path) : undefined
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding. */
export function basicCredentials(clientId: string, clientSecret: string): string {
  const pair = `${formEncode(clientId)}:${formEncode(clientSecret)}`
  return `Basic ${Buffer.from(pair).toString('base64')}`
}

/** application/x-www-form-urlencoded, as RFC 6749 §2.3.1 asks (so !'()*~ are encoded too). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2)
}

function timeoutOf(context: CallContext): { timeoutMs?: number } {
  return context.timeoutMs === undefined ? {} : { timeoutMs: context.timeoutMs }
}

function parseTokenResponse(
  body: string,
): { token: string; expiresInSeconds?: number } | undefined {
  try {
    const value = JSON.parse(body) as Record<string, unknown>
    const token = value.access_token
    if (typeof token !== 'string' || token === '') return undefined
    const expires = Number(value.expires_in)
    return Number.isFinite(expires) && expires > 0
      ? { token, expiresInSeconds: expires }
      : { token }
  } catch {
    return undefined
  }
}

function parseOAuthError(body: string): { error: string; description?: string } | undefined {
  try {
    const value = JSON.parse(body) as Record<string, unknown>
    if (typeof value.error !== 'string') return undefined
    return typeof value.error_description === 'string'
      ? { error: value.error, description: value.error_description }
      : { error: value.error }
  } catch {
    return undefined
  }
}
