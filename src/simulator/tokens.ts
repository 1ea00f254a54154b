import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { header, json, mediaType, type SimResponse } from './http.js'
import type { SimClient } from './types.js'

export const EXECUTE_SCOPE = 'api.rest.automation-services-job.execute'

interface IssuedToken {
  clientId: string
  scopes: string[]
  expiresAt: number
}

export interface TokenSettings {
  clients: readonly SimClient[]
  tokenLifetimeSeconds: number
}

export type TokenCheck =
  { ok: true; scopes: readonly string[] } | { ok: false; reason: 'missing' | 'invalid' | 'expired' }

/** The OAuth 2.0 client credentials grant (RFC 6749 §4.4) and the tokens it hands out. */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>()

  constructor(private readonly clock: () => number) {}

  issue(request: IncomingMessage, body: string, settings: TokenSettings): SimResponse {
    if (mediaType(request) !== 'application/x-www-form-urlencoded') {
      return oauthError(
        400,
        'invalid_request',
        'The body must be application/x-www-form-urlencoded.',
      )
    }
    const form = new URLSearchParams(body)
    const client = authenticate(header(request, 'authorization'), form, settings.clients)
    if (typeof client === 'string') {
      return client === 'invalid_request'
        ? oauthError(400, 'invalid_request', 'Use one client authentication method, not two.')
        : oauthError(401, 'invalid_client', 'Client authentication failed.', {
            'WWW-Authenticate': 'Basic realm="spotfire"',
          })
    }
    const grantType = form.get('grant_type')
    if (grantType === null) return oauthError(400, 'invalid_request', 'grant_type is missing.')
    if (grantType !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', `Grant type ${grantType} is not supported.`)
    }
    const requested = (form.get('scope') ?? '').split(' ').filter((scope) => scope !== '')
    const scopes = requested.length === 0 ? client.scopes : requested
    const refused = scopes.filter((scope) => !client.scopes.includes(scope))
    if (refused.length > 0) {
      return oauthError(400, 'invalid_scope', `Scope not allowed: ${refused.join(' ')}`)
    }
    // ~1 KB, like the real server's opaque tokens, so clients must not assume short ones.
    const accessToken = randomBytes(768).toString('base64url')
    this.tokens.set(accessToken, {
      clientId: client.id,
      scopes: [...scopes],
      expiresAt: this.clock() + settings.tokenLifetimeSeconds * 1000,
    })
    return json(
      200,
      {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: settings.tokenLifetimeSeconds,
      },
      { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
    )
  }

  check(authorization: string | undefined): TokenCheck {
    const match = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '')
    if (match?.[1] === undefined) return { ok: false, reason: 'missing' }
    const token = this.tokens.get(match[1])
    if (token === undefined) return { ok: false, reason: 'invalid' }
    if (this.clock() >= token.expiresAt) return { ok: false, reason: 'expired' }
    return { ok: true, scopes: token.scopes }
  }
}

/** The client, or which OAuth error to answer. */
function authenticate(
  authorization: string | undefined,
  form: URLSearchParams,
  clients: readonly SimClient[],
): SimClient | 'invalid_client' | 'invalid_request' {
  const basic = /^Basic +(\S+)\s*$/i.exec(authorization ?? '')?.[1]
  const postedSecret = form.get('client_secret')
  if (basic !== undefined && postedSecret !== null) return 'invalid_request'
  let credentials: { id: string; secret: string; method: 'basic' | 'post' } | undefined
  if (basic !== undefined) {
    credentials = decodeBasic(basic)
  } else {
    const id = form.get('client_id')
    if (id !== null && postedSecret !== null)
      credentials = { id, secret: postedSecret, method: 'post' }
  }
  if (credentials === undefined) return 'invalid_client'
  const { id, secret, method } = credentials
  const client = clients.find((candidate) => candidate.id === id)
  if (client?.secret !== secret) return 'invalid_client'
  if (client.authMethod !== 'any' && client.authMethod !== method) return 'invalid_client'
  return client
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and encoded. */
function decodeBasic(encoded: string): { id: string; secret: string; method: 'basic' } | undefined {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  try {
    return {
      id: formDecode(decoded.slice(0, colon)),
      secret: formDecode(decoded.slice(colon + 1)),
      method: 'basic',
    }
  } catch {
    return undefined
  }
}

function formDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '))
}

function oauthError(
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): SimResponse {
  return json(
    status,
    { error, error_description: description },
    { 'Cache-Control': 'no-store', ...headers },
  )
}
