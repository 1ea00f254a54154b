import { afterEach, describe, expect, it } from '@jest/globals'
import { randomUUID } from 'node:crypto'
import {
  EXECUTE_SCOPE,
  startSimulator,
  type SimClient,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator/index.js'
import { basicAuth, call, getToken, JOB_API, manualClock, requestToken } from './helpers.js'

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator(options)
  return sim
}

const client = (overrides: Partial<SimClient>): SimClient => ({
  id: 'c0ffee.oauth-clients.spotfire.tibco.com',
  secret: 'b4d5ecre7',
  authMethod: 'any',
  scopes: [EXECUTE_SCOPE],
  ...overrides,
})

const GRANT = { grant_type: 'client_credentials', scope: EXECUTE_SCOPE }

describe('token endpoint', () => {
  it('issues an opaque ~1 KB bearer token to client_secret_basic', async () => {
    const s = await start()
    const { status, json, headers } = await requestToken(s, GRANT)
    expect(status).toBe(200)
    expect(headers.get('content-type')).toMatch(/^application\/json/)
    expect(headers.get('cache-control')).toBe('no-store')
    const body = json as Record<string, unknown>
    expect(body).toEqual({
      access_token: expect.stringMatching(/^[A-Za-z0-9_-]{1000,}$/),
      token_type: 'Bearer',
      expires_in: 3600,
    })
  })

  it('issues a token to client_secret_post', async () => {
    const s = await start()
    const { status, json } = await requestToken(
      s,
      { ...GRANT, client_id: 'demo-client', client_secret: 'demo-secret' },
      {},
    )
    expect(status).toBe(200)
    expect(json).toMatchObject({ token_type: 'Bearer' })
  })

  it('form-decodes id and secret from the Basic header (RFC 6749 §2.3.1)', async () => {
    const odd = client({ id: 'my client:1', secret: 'p@ss w+rd%' })
    const s = await start({ clients: [odd] })
    const ok = await requestToken(s, GRANT, { Authorization: basicAuth(odd.id, odd.secret) })
    expect(ok.status).toBe(200)
    const raw = `Basic ${Buffer.from(`${odd.id}:${odd.secret}`).toString('base64')}`
    const notEncoded = await requestToken(s, GRANT, { Authorization: raw })
    expect(notEncoded.status).toBe(401)
  })

  it.each([
    ['a wrong secret', basicAuth('demo-client', 'nope')],
    ['an unknown client', basicAuth('someone', 'demo-secret')],
    ['a header without a colon', `Basic ${Buffer.from('demo-client').toString('base64')}`],
  ])('answers 401 invalid_client with a Basic challenge for %s', async (_, authorization) => {
    const s = await start()
    const { status, json, headers } = await requestToken(s, GRANT, { Authorization: authorization })
    expect(status).toBe(401)
    expect(headers.get('www-authenticate')).toBe('Basic realm="spotfire"')
    expect(json).toEqual({ error: 'invalid_client', error_description: expect.any(String) })
  })

  it('answers 401 when no client authentication is sent', async () => {
    const s = await start()
    expect((await requestToken(s, GRANT, {})).status).toBe(401)
  })

  it('refuses client_secret_post to a client registered for basic only', async () => {
    const basicOnly = client({ authMethod: 'basic' })
    const s = await start({ clients: [basicOnly] })
    const post = await requestToken(
      s,
      { ...GRANT, client_id: basicOnly.id, client_secret: basicOnly.secret },
      {},
    )
    expect(post.status).toBe(401)
    expect(post.json).toMatchObject({ error: 'invalid_client' })
    const basic = await requestToken(s, GRANT, {
      Authorization: basicAuth(basicOnly.id, basicOnly.secret),
    })
    expect(basic.status).toBe(200)
  })

  it('refuses client_secret_basic to a client registered for post only', async () => {
    const postOnly = client({ authMethod: 'post' })
    const s = await start({ clients: [postOnly] })
    const basic = await requestToken(s, GRANT, {
      Authorization: basicAuth(postOnly.id, postOnly.secret),
    })
    expect(basic.status).toBe(401)
    const post = await requestToken(
      s,
      { ...GRANT, client_id: postOnly.id, client_secret: postOnly.secret },
      {},
    )
    expect(post.status).toBe(200)
  })

  it('answers 400 invalid_request when both methods are used at once', async () => {
    const s = await start()
    const { status, json } = await requestToken(s, {
      ...GRANT,
      client_id: 'demo-client',
      client_secret: 'demo-secret',
    })
    expect(status).toBe(400)
    expect(json).toMatchObject({ error: 'invalid_request' })
  })

  it('answers 400 unsupported_grant_type for other grants, invalid_request without one', async () => {
    const s = await start()
    const password = await requestToken(s, { grant_type: 'password', scope: EXECUTE_SCOPE })
    expect(password.status).toBe(400)
    expect(password.json).toMatchObject({ error: 'unsupported_grant_type' })
    const none = await requestToken(s, { scope: EXECUTE_SCOPE })
    expect(none.status).toBe(400)
    expect(none.json).toMatchObject({ error: 'invalid_request' })
  })

  it('answers 400 invalid_scope for a scope the client may not have', async () => {
    const s = await start()
    const { status, json } = await requestToken(s, {
      grant_type: 'client_credentials',
      scope: `${EXECUTE_SCOPE} api.rest.library.admin`,
    })
    expect(status).toBe(400)
    expect(json).toEqual({
      error: 'invalid_scope',
      error_description: expect.stringContaining('api.rest.library.admin'),
    })
  })

  it('grants the client its scopes when no scope is asked for', async () => {
    const s = await start()
    const token = await getToken(s)
    const answer = await call(s, 'GET', `${JOB_API}/status/${randomUUID()}`, token)
    expect(answer.status).toBe(404)
  })

  it('answers 400 to a body that is not form-encoded', async () => {
    const s = await start()
    const response = await fetch(`${s.url}/spotfire/oauth2/token`, {
      method: 'POST',
      headers: {
        Authorization: basicAuth('demo-client', 'demo-secret'),
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(GRANT),
    })
    expect(response.status).toBe(400)
  })

  it('reports tokenLifetimeSeconds as expires_in, also after update()', async () => {
    const s = await start({ tokenLifetimeSeconds: 90 })
    expect((await requestToken(s)).json).toMatchObject({ expires_in: 90 })
    s.update({ tokenLifetimeSeconds: 5 })
    expect((await requestToken(s)).json).toMatchObject({ expires_in: 5 })
  })
})

describe('authorization server metadata', () => {
  it('lists an absolute token endpoint and both auth methods', async () => {
    const s = await start()
    const answer = await call(
      s,
      'GET',
      '/spotfire/.well-known/oauth-authorization-server',
      undefined,
    )
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({
      issuer: `${s.url}/spotfire`,
      token_endpoint: `${s.url}/spotfire/oauth2/token`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    })
  })

  it('lists only client_secret_basic when no client may use post (before 12.2)', async () => {
    const s = await start({ clients: [client({ authMethod: 'basic' })] })
    const answer = await call(
      s,
      'GET',
      '/spotfire/.well-known/oauth-authorization-server',
      undefined,
    )
    expect(answer.json).toMatchObject({
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
    })
  })
})

describe('bearer tokens on the job API', () => {
  const anyJob = `${JOB_API}/status/${randomUUID()}`

  it('answers 401 with a Bearer challenge without a token', async () => {
    const s = await start()
    const answer = await call(s, 'GET', anyJob, undefined)
    expect(answer.status).toBe(401)
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer /)
  })

  it('answers 401 invalid_token to a token it never issued', async () => {
    const s = await start()
    const answer = await call(s, 'GET', anyJob, 'made-up-token')
    expect(answer.status).toBe(401)
    expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })

  it('answers 401 on an unknown REST path without a token, 404 with one', async () => {
    const s = await start()
    expect((await call(s, 'GET', '/spotfire/rest/nothing', undefined)).status).toBe(401)
    expect((await call(s, 'GET', '/spotfire/api/rest/as/job/nothing', undefined)).status).toBe(401)
    const token = await getToken(s)
    expect((await call(s, 'GET', '/spotfire/api/rest/as/job/nothing', token)).status).toBe(404)
  })

  it('expires tokens after expires_in seconds of the injected clock', async () => {
    const clock = manualClock()
    const s = await start({ clock: clock.now, tokenLifetimeSeconds: 60 })
    const token = await getToken(s)
    clock.advance(59_999)
    expect((await call(s, 'GET', anyJob, token)).status).toBe(404)
    clock.advance(1)
    const expired = await call(s, 'GET', anyJob, token)
    expect(expired.status).toBe(401)
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"')
    const fresh = await getToken(s)
    expect((await call(s, 'GET', anyJob, fresh)).status).toBe(404)
  })

  it('answers 403 to a token without the execute scope', async () => {
    const other = client({ scopes: ['api.rest.library.read', EXECUTE_SCOPE] })
    const s = await start({ clients: [other] })
    const { json } = await requestToken(
      s,
      { grant_type: 'client_credentials', scope: 'api.rest.library.read' },
      { Authorization: basicAuth(other.id, other.secret) },
    )
    const token = (json as { access_token: string }).access_token
    const answer = await call(
      s,
      'POST',
      `${JOB_API}/start-library?path=/Samples/Never%20ends`,
      token,
    )
    expect(answer.status).toBe(403)
    expect(s.jobs).toHaveLength(0)
  })
})
