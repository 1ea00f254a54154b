import type { Clock } from '../clock.js'
import type { Logger } from '../logger.js'
import { retry } from '../retry.js'
import { SpotfireError } from './errors.js'
import type { HttpResponse, Transport } from './http.js'
import { bodySnippet, httpError, isTransient } from './responses.js'

export interface TokenOptions {
  serverUrl: string
  clientId: string
  clientSecret: string
  authMethod: 'basic' | 'post'
  scope: string
  transport: Transport
  clock: Clock
  logger: Logger
  /** For the retry jitter; tests pin it. */
  random?: () => number
  /** Called with every new token before anything else sees it: the action masks it here. */
  onToken(token: string): void
}

export interface CallContext {
  deadline: number
  signal?: AbortSignal
  /** Per-request timeout override. */
  timeoutMs?: number
}

interface CachedToken {
  value: string
  /** When to get a new one: a little before the server says it expires. */
  refreshAt: number
}

/** Gets client-credentials tokens, caches them and refreshes them before they run out. */
export class TokenProvider {
  private cached: CachedToken | undefined

  constructor(private readonly options: TokenOptions) {}

  async get(context: CallContext): Promise<string> {
    const { clock } = this.options
    if (this.cached !== undefined && clock.now() < this.cached.refreshAt) return this.cached.value
    this.cached = await retry(() => this.request(context), tokenPolicy, {
      clock,
      deadline: context.deadline,
      ...(context.signal === undefined ? {} : { signal: context.signal }),
      ...(this.options.random === undefined ? {} : { random: this.options.random }),
      onRetry: (message) => {
        this.options.logger.info(message)
      },
    })
    return this.cached.value
  }

  /** Forgets the cached token, after the API refused it. */
  invalidate(): void {
    this.cached = undefined
  }

  private async request(context: CallContext): Promise<CachedToken> {
    const { clientId, clientSecret, authMethod, scope, transport, clock } = this.options
    const form = new URLSearchParams({ grant_type: 'client_credentials', scope })
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    }
    if (authMethod === 'basic') {
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding.
      const pair = `${formEncode(clientId)}:${formEncode(clientSecret)}`
      headers.Authorization = `Basic ${Buffer.from(pair).toString('base64')}`
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
      ...(context.signal === undefined ? {} : { signal: context.signal }),
      ...(context.timeoutMs === undefined ? {} : { timeoutMs: context.timeoutMs }),
    })
    if (response.status !== 200) throw this.refusal(response, requestedAt)
    const parsed = parseTokenResponse(response.body)
    if (parsed === undefined) {
      throw new SpotfireError(
        'the token endpoint answered 200 without an access_token in JSON',
        'bad-body',
      )
    }
    this.options.onToken(parsed.token)
    const lifetimeMs =
      parsed.expiresInSeconds === undefined ? Infinity : parsed.expiresInSeconds * 1000
    // Refresh a minute early, or halfway through a short lifetime.
    const margin = Math.min(60_000, lifetimeMs / 2)
    this.options.logger.debug(
      `Got a token${parsed.expiresInSeconds === undefined ? '' : ` valid for ${parsed.expiresInSeconds}s`}`,
    )
    return { value: parsed.token, refreshAt: requestedAt + lifetimeMs - margin }
  }

  private refusal(response: HttpResponse, now: number): SpotfireError {
    const { status, body } = response
    const oauth = parseOAuthError(body)
    const described =
      oauth === undefined
        ? bodySnippet(body)
        : `${oauth.error}${oauth.description === undefined ? '' : `: ${oauth.description}`}`
    if (
      status === 401 ||
      oauth?.error === 'invalid_client' ||
      oauth?.error === 'unauthorized_client'
    ) {
      return new SpotfireError(
        `Spotfire refused the client credentials (HTTP ${status}${described === '' ? '' : `, ${described}`}). Check client-id and client-secret, and client-auth-method: a client registered for client_secret_post needs 'post'.`,
        'credentials',
        { status },
      )
    }
    if (oauth?.error === 'invalid_scope') {
      return new SpotfireError(
        `Spotfire will not grant scope '${this.options.scope}' to this client (${described}). Register the API client with -Sapi.rest.automation-services-job.execute (see "Registering the API client" in the README).`,
        'credentials',
        { status },
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
      return httpError(response, now, `no token endpoint at this address; check server-url`)
    }
    return httpError(response, now)
  }
}

const tokenPolicy = {
  label: 'Getting a token',
  isRetryable: isTransient,
  maxAttempts: 8,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+')
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
