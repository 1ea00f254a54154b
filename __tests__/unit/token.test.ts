import { describe, expect, it, jest } from '@jest/globals'
import { DEFAULT_SCOPE } from '../../src/shared/constants.js'
import { silentLogger } from '../../src/spotfire/types.js'
import { SpotfireError } from '../../src/spotfire/errors.js'
import { type TokenOptions, TokenProvider } from '../../src/spotfire/token.js'
import { FakeClock, T0 } from './fake-clock.js'
import {
  type Answer,
  FakeTransport,
  formOf,
  headerOf,
  json,
  text,
  tokenAnswer,
} from './fake-transport.js'

const SERVER = 'https://spotfire.example.com'
const CLIENT_ID = '0123abcd.oauth-clients.spotfire.tibco.com'
const SECRET = 'c0ffee0123456789'

function provider(
  script: Answer[],
  options: Partial<Omit<TokenOptions, 'transport' | 'clock'>> = {},
): {
  tokens: TokenProvider
  transport: FakeTransport
  clock: FakeClock
  onToken: jest.Mock<(token: string) => void>
} {
  const transport = new FakeTransport(script, { otherwise: () => text(503, 'down') })
  const clock = new FakeClock()
  const onToken = jest.fn<(token: string) => void>()
  const tokens = new TokenProvider({
    serverUrl: SERVER,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    authMethod: 'basic',
    scope: DEFAULT_SCOPE,
    logger: silentLogger,
    onToken,
    ...options,
    transport,
    clock,
  })
  return { tokens, transport, clock, onToken }
}

const context = { deadline: T0 + 10 * 60_000 }

describe('TokenProvider: the token request', () => {
  it('posts client_credentials with the scope to the token endpoint, client_secret_basic', async () => {
    const { tokens, transport } = provider([tokenAnswer('tok-1')])
    await expect(tokens.get(context)).resolves.toBe('tok-1')
    expect(transport.requests).toHaveLength(1)
    const [request] = transport.requests
    expect(request?.method).toBe('POST')
    expect(request?.url).toBe(`${SERVER}/spotfire/oauth2/token`)
    expect(headerOf(request, 'content-type')).toBe('application/x-www-form-urlencoded')
    expect(Object.fromEntries(formOf(request))).toEqual({
      grant_type: 'client_credentials',
      scope: DEFAULT_SCOPE,
    })
    const authorization = headerOf(request, 'authorization') ?? ''
    expect(authorization).toMatch(/^Basic [A-Za-z0-9+/]+=*$/)
    const decoded = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8')
    expect(decoded).toBe(`${CLIENT_ID}:${SECRET}`)
  })

  it('form-urlencodes the id and secret before the Basic encoding (RFC 6749 2.3.1)', async () => {
    const { tokens, transport } = provider([tokenAnswer('tok-1')], {
      clientId: 'my client',
      clientSecret: 'p@ss:w+rd%/é',
    })
    await tokens.get(context)
    const authorization = headerOf(transport.requests[0], 'authorization') ?? ''
    const decoded = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8')
    expect(decoded).toBe('my+client:p%40ss%3Aw%2Brd%25%2F%C3%A9')
  })

  it('sends the id and secret as form fields with client_secret_post, and no Authorization', async () => {
    const { tokens, transport } = provider([tokenAnswer('tok-1')], { authMethod: 'post' })
    await tokens.get(context)
    const [request] = transport.requests
    expect(headerOf(request, 'authorization')).toBeUndefined()
    expect(Object.fromEntries(formOf(request))).toEqual({
      grant_type: 'client_credentials',
      scope: DEFAULT_SCOPE,
      client_id: CLIENT_ID,
      client_secret: SECRET,
    })
  })

  it('asks for several scopes as one space-separated value', async () => {
    const { tokens, transport } = provider([tokenAnswer('tok-1')], { scope: 'a.b c.d' })
    await tokens.get(context)
    expect(formOf(transport.requests[0]).get('scope')).toBe('a.b c.d')
  })

  it('passes the per-request timeout on, but not the caller’s signal: the request is shared', async () => {
    const { tokens, transport } = provider([tokenAnswer('t1')])
    const signal = new AbortController().signal
    await tokens.get({ ...context, signal, timeoutMs: 1234 })
    expect(transport.requests[0]?.signal).toBeDefined()
    expect(transport.requests[0]?.signal).not.toBe(signal)
    expect(transport.requests[0]?.timeoutMs).toBe(1234)
  })
})

describe('TokenProvider: caching', () => {
  it('reuses the token while it is valid', async () => {
    const { tokens, transport, clock } = provider([tokenAnswer('tok-1', 3600)])
    await tokens.get(context)
    clock.advance(30 * 60_000)
    await expect(tokens.get(context)).resolves.toBe('tok-1')
    expect(transport.requests).toHaveLength(1)
  })

  it('gets a new token a minute before the old one runs out', async () => {
    const { tokens, transport, clock } = provider([
      tokenAnswer('tok-1', 3600),
      tokenAnswer('tok-2', 3600),
    ])
    await tokens.get(context)
    clock.advance(3600_000 - 60_000 - 1)
    await expect(tokens.get(context)).resolves.toBe('tok-1')
    clock.advance(1)
    await expect(tokens.get(context)).resolves.toBe('tok-2')
    expect(transport.requests).toHaveLength(2)
  })

  it('refreshes a short-lived token halfway through its life', async () => {
    const { tokens, clock } = provider([tokenAnswer('tok-1', 20), tokenAnswer('tok-2', 20)])
    await tokens.get(context)
    clock.advance(9_999)
    await expect(tokens.get(context)).resolves.toBe('tok-1')
    clock.advance(1)
    await expect(tokens.get(context)).resolves.toBe('tok-2')
  })

  it('keeps a token without expires_in until it is invalidated', async () => {
    const { tokens, clock, transport } = provider([
      tokenAnswer('tok-1', null),
      tokenAnswer('tok-2', null),
    ])
    await tokens.get(context)
    clock.advance(24 * 3600_000)
    await expect(tokens.get(context)).resolves.toBe('tok-1')
    tokens.invalidate()
    await expect(tokens.get(context)).resolves.toBe('tok-2')
    expect(transport.requests).toHaveLength(2)
  })

  it('gets a new token after invalidate', async () => {
    const { tokens, transport } = provider([tokenAnswer('tok-1'), tokenAnswer('tok-2')])
    await tokens.get(context)
    tokens.invalidate()
    await expect(tokens.get(context)).resolves.toBe('tok-2')
    expect(transport.requests).toHaveLength(2)
  })

  it('calls onToken with each new token, once, before handing it out', async () => {
    const { tokens, onToken } = provider([tokenAnswer('tok-1'), tokenAnswer('tok-2')])
    onToken.mockImplementation((token) => {
      expect(token).toMatch(/^tok-/)
    })
    await tokens.get(context)
    expect(onToken.mock.calls).toEqual([['tok-1']])
    await tokens.get(context)
    tokens.invalidate()
    await tokens.get(context)
    expect(onToken.mock.calls).toEqual([['tok-1'], ['tok-2']])
  })
})

describe('TokenProvider: failures', () => {
  it('keeps trying a token through a server restart, within the deadline', async () => {
    const down = Array.from({ length: 12 }, () => text(503, 'restarting'))
    const { tokens, transport } = provider([...down, tokenAnswer('after-restart')])
    await expect(tokens.get(context)).resolves.toBe('after-restart')
    expect(transport.requests).toHaveLength(13)
  })

  it('reports refused credentials as such, without retrying', async () => {
    const { tokens, transport } = provider([
      json(
        401,
        { error: 'invalid_client', error_description: 'Bad client credentials' },
        { 'www-authenticate': 'Basic realm="spotfire"' },
      ),
      tokenAnswer('never'),
    ])
    const failure = tokens.get(context)
    await expect(failure).rejects.toMatchObject({ kind: 'credentials', details: { status: 401 } })
    await expect(failure).rejects.toThrow(/invalid_client: Bad client credentials/)
    await expect(failure).rejects.toThrow(/client-id and client-secret/)
    expect(transport.requests).toHaveLength(1)
  })

  it('treats a 401 without an OAuth body as refused credentials too', async () => {
    const { tokens, transport } = provider([text(401, '<h1>Unauthorized</h1>')])
    await expect(tokens.get(context)).rejects.toMatchObject({ kind: 'credentials' })
    expect(transport.requests).toHaveLength(1)
  })

  it('points at server-url, not the credentials, for a bare 401 when server-url has an API path', async () => {
    // The token request went to …/spotfire/api/rest/as/spotfire/oauth2/token, which any
    // authenticated path answers 401: the credentials were never looked at.
    const { tokens } = provider([text(401, '')], {
      serverUrl: 'https://spotfire.example.com/spotfire/api/rest/as',
    })
    const failure = tokens.get(context)
    await expect(failure).rejects.toThrow(/server-url has the path \/spotfire\/api\/rest\/as/)
    await expect(failure).rejects.not.toThrow(/client-id/)
  })

  it('keeps pointing at the credentials for a bare 401 under a plain context path', async () => {
    const { tokens } = provider([text(401, '')], {
      serverUrl: 'https://spotfire.example.com/analytics',
    })
    await expect(tokens.get(context)).rejects.toThrow(/client-id and client-secret/)
  })

  it('names the scope it asked for when the server refuses it', async () => {
    const { tokens, transport } = provider(
      [json(400, { error: 'invalid_scope', error_description: 'scope not allowed' })],
      { scope: 'api.rest.automation-services-job.execute extra.scope' },
    )
    const failure = tokens.get(context)
    await expect(failure).rejects.toMatchObject({ kind: 'credentials', details: { status: 400 } })
    await expect(failure).rejects.toThrow(
      "scope 'api.rest.automation-services-job.execute extra.scope'",
    )
    await expect(failure).rejects.toThrow(/scope not allowed/)
    expect(transport.requests).toHaveLength(1)
  })

  it('does not retry any other 400', async () => {
    const { tokens, transport } = provider([json(400, { error: 'unsupported_grant_type' })])
    await expect(tokens.get(context)).rejects.toThrow(/HTTP 400, unsupported_grant_type/)
    expect(transport.requests).toHaveLength(1)
  })

  it('retries a server error with backoff, then succeeds', async () => {
    const { tokens, transport, clock, onToken } = provider([
      text(500, 'Internal Server Error'),
      text(503, 'Service Unavailable'),
      tokenAnswer('tok-1'),
    ])
    await expect(tokens.get(context)).resolves.toBe('tok-1')
    expect(transport.requests).toHaveLength(3)
    // The pauses between tries; the caller's wait, bounded by its deadline, is the other sleep.
    expect(clock.sleeps.filter((ms) => ms !== context.deadline - T0)).toHaveLength(2)
    expect(onToken.mock.calls).toEqual([['tok-1']])
  })

  it('retries when nothing was sent or nothing came back', async () => {
    const { tokens, transport } = provider([
      new SpotfireError('cannot connect', 'not-sent', { code: 'ECONNREFUSED' }),
      new SpotfireError('no answer in time', 'no-answer'),
      tokenAnswer('tok-1'),
    ])
    await expect(tokens.get(context)).resolves.toBe('tok-1')
    expect(transport.requests).toHaveLength(3)
  })

  it('retries a 200 without an access token', async () => {
    const { tokens, transport } = provider([
      text(200, '<html>login page</html>'),
      json(200, { token_type: 'Bearer' }),
      tokenAnswer('tok-1'),
    ])
    await expect(tokens.get(context)).resolves.toBe('tok-1')
    expect(transport.requests).toHaveLength(3)
  })

  it('says to check server-url on a 404, without retrying', async () => {
    const { tokens, transport } = provider([text(404, 'Not Found')])
    const failure = tokens.get(context)
    await expect(failure).rejects.toMatchObject({ kind: 'http', details: { status: 404 } })
    await expect(failure).rejects.toThrow(/server-url/)
    expect(transport.requests).toHaveLength(1)
  })

  it('gives up at the deadline, saying why, after tries that back off', async () => {
    const { tokens, transport, clock } = provider([])
    await expect(tokens.get({ deadline: T0 + 60_000 })).rejects.toThrow(
      /getting a token failed: HTTP 503 Service Unavailable: down/,
    )
    expect(clock.elapsed()).toBeLessThanOrEqual(60_000)
    expect(transport.requests.length).toBeGreaterThan(3)
    expect(transport.requests.length).toBeLessThan(10)
  })

  it('does not keep a token it failed to get, nor call onToken', async () => {
    const { tokens, onToken } = provider([text(404, ''), tokenAnswer('tok-1')])
    await expect(tokens.get(context)).rejects.toBeInstanceOf(SpotfireError)
    expect(onToken).not.toHaveBeenCalled()
    await expect(tokens.get(context)).resolves.toBe('tok-1')
  })

  it('never puts the secret in an error message', async () => {
    const answers: Answer[] = [
      json(401, { error: 'invalid_client' }),
      json(400, { error: 'invalid_scope' }),
      json(400, { error: 'invalid_request' }),
      text(404, ''),
      text(403, 'Forbidden'),
    ]
    for (const authMethod of ['basic', 'post'] as const) {
      for (const answer of answers) {
        const { tokens } = provider([answer], { authMethod })
        const error = await tokens.get(context).then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(error).toBeInstanceOf(SpotfireError)
        expect((error as Error).message).not.toContain(SECRET)
      }
    }
  })
})

describe('TokenProvider: many callers', () => {
  it("stops waiting at the caller's own deadline, even when the shared request runs longer", async () => {
    const { tokens, clock } = provider([], {})
    // A first caller with a long deadline starts the request; it keeps failing (503s).
    const first = tokens.get({ deadline: T0 + 60 * 60_000 })
    const quick = tokens.get({ deadline: T0 + 5000 })
    await expect(quick).rejects.toMatchObject({ kind: 'stopped' })
    expect(clock.elapsed()).toBeLessThanOrEqual(5000)
    tokens.close()
    await expect(first).rejects.toBeInstanceOf(SpotfireError)
  })

  it('shares one request among callers at the same moment', async () => {
    const { tokens, transport } = provider([tokenAnswer('t1')])
    const values = await Promise.all([
      tokens.get(context),
      tokens.get(context),
      tokens.get(context),
    ])
    expect(values).toEqual(['t1', 't1', 't1'])
    expect(transport.requests).toHaveLength(1)
  })

  it('lets one caller stop waiting without failing the others', async () => {
    const { tokens, transport } = provider([text(503, 'down'), tokenAnswer('t1')])
    const stop = new AbortController()
    const leaving = tokens.get({ ...context, signal: stop.signal })
    const staying = tokens.get(context)
    stop.abort()
    await expect(leaving).rejects.toMatchObject({ kind: 'stopped' })
    await expect(staying).resolves.toBe('t1')
    expect(transport.requests).toHaveLength(2)
  })

  it('tells a caller that stops waiting why the request is still going', async () => {
    const { tokens, clock } = provider([text(502, 'Bad Gateway'), tokenAnswer('t1')])
    const stop = new AbortController()
    const waiting = tokens.get({ ...context, signal: stop.signal })
    await clock.sleep(100)
    stop.abort()
    await expect(waiting).rejects.toThrow(/^getting a token failed: HTTP 502 Bad Gateway/)
  })

  it('ends a request that nobody waits for any more when closed', async () => {
    const { tokens, transport, clock } = provider(
      Array.from({ length: 8 }, () => text(503, 'down')),
    )
    const waiting = tokens.get(context)
    await clock.sleep(100)
    tokens.close()
    await expect(waiting).rejects.toBeInstanceOf(SpotfireError)
    const sent = transport.requests.length
    await clock.sleep(60_000)
    expect(transport.requests.length).toBe(sent)
  })
})
