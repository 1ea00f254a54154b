import { describe, expect, it } from '@jest/globals'
import { DEFAULT_SCOPE, ZERO_JOB_ID } from '../../src/constants.js'
import { silentLogger } from '../../src/logger.js'
import type { JobSource } from '../../src/settings.js'
import { isZeroJobId, SpotfireClient } from '../../src/spotfire/client.js'
import { SpotfireError } from '../../src/spotfire/errors.js'
import type { HttpResponse } from '../../src/spotfire/http.js'
import { TokenProvider } from '../../src/spotfire/token.js'
import { FakeClock, T0 } from './fake-clock.js'
import { type Answer, FakeTransport, headerOf, jobStatus, json, text } from './fake-transport.js'
import { JOB_ID, LIBRARY_ID, SAMPLE_JOB } from './fixtures.js'

const SERVER = 'https://spotfire.example.com/analytics'
const API = `${SERVER}/spotfire/api/rest/as`
const LIBRARY_JOB: JobSource = { kind: 'library-path', path: '/Jobs/Refresh sales' }

function setup(
  script: Answer[],
  options: { autoTokens?: boolean } = {},
): { client: SpotfireClient; transport: FakeTransport; clock: FakeClock } {
  const transport = new FakeTransport(script, { autoTokens: options.autoTokens ?? true })
  const clock = new FakeClock()
  const tokens = new TokenProvider({
    serverUrl: SERVER,
    clientId: 'id',
    clientSecret: 'secret',
    authMethod: 'basic',
    scope: DEFAULT_SCOPE,
    transport,
    clock,
    logger: silentLogger,
    onToken: () => undefined,
  })
  const client = new SpotfireClient({
    serverUrl: SERVER,
    transport,
    tokens,
    clock,
    logger: silentLogger,
    random: () => 0.5,
  })
  return { client, transport, clock }
}

const context = { deadline: T0 + 30 * 60_000 }
const queued = (): HttpResponse => jobStatus(JOB_ID, 'Queued')

async function failureOf(promise: Promise<unknown>): Promise<SpotfireError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof SpotfireError))
    throw new Error(`expected a SpotfireError, got ${String(error)}`)
  return error
}

describe('SpotfireClient.start', () => {
  it('starts a library job by path, with the path encoded in the query', async () => {
    const path = '/Jobs/Sales & more/Refresh? #1 ü'
    const { client, transport } = setup([queued()])
    await expect(client.start({ kind: 'library-path', path }, context)).resolves.toEqual({
      jobId: JOB_ID,
      statusCode: 'Queued',
      message: '',
    })
    const [request] = transport.apiRequests()
    expect(request?.method).toBe('POST')
    const url = new URL(request?.url ?? '')
    expect(`${url.origin}${url.pathname}`).toBe(`${API}/job/start-library`)
    expect([...url.searchParams]).toEqual([['path', path]])
    expect(request?.body).toBeUndefined()
    expect(headerOf(request, 'authorization')).toBe('Bearer token-1')
    expect(headerOf(request, 'accept')).toBe('application/json')
  })

  it('starts a library job by id', async () => {
    const { client, transport } = setup([queued()])
    await client.start({ kind: 'library-id', id: LIBRARY_ID }, context)
    const url = new URL(transport.apiRequests()[0]?.url ?? '')
    expect(url.pathname).toBe('/analytics/spotfire/api/rest/as/job/start-library')
    expect([...url.searchParams]).toEqual([['id', LIBRARY_ID]])
  })

  it('starts an inline job by posting the XML as application/xml', async () => {
    const { client, transport } = setup([queued()])
    await client.start({ kind: 'xml', xml: SAMPLE_JOB }, context)
    const [request] = transport.apiRequests()
    expect(request?.method).toBe('POST')
    expect(request?.url).toBe(`${API}/job/start-content`)
    expect(headerOf(request, 'content-type')).toMatch(/^application\/xml(;|$)/)
    expect(request?.body).toBe(SAMPLE_JOB)
  })

  it('returns an answer with the zero job id as it is, for the caller to report', async () => {
    const notFound = jobStatus(ZERO_JOB_ID, 'Failed', 'Job file not found or no access.')
    const { client, transport } = setup([notFound])
    await expect(client.start(LIBRARY_JOB, context)).resolves.toEqual({
      jobId: ZERO_JOB_ID,
      statusCode: 'Failed',
      message: 'Job file not found or no access.',
    })
    expect(transport.calls('/job/start')).toHaveLength(1)
  })

  it('starts again after a Busy answer, with a pause, and returns the job', async () => {
    const { client, transport, clock } = setup([
      jobStatus(ZERO_JOB_ID, 'Busy', 'The job service is busy.'),
      jobStatus(ZERO_JOB_ID, 'Busy', 'The job service is busy.'),
      queued(),
    ])
    await expect(client.start(LIBRARY_JOB, context)).resolves.toMatchObject({
      jobId: JOB_ID,
      statusCode: 'Queued',
    })
    expect(transport.calls('/job/start-library')).toHaveLength(3)
    expect(clock.sleeps).toHaveLength(2)
    expect(clock.sleeps.every((ms) => ms > 0)).toBe(true)
  })

  it.each<[string, Answer]>([
    ['429', text(429, 'Too Many Requests')],
    ['503', text(503, 'Service Unavailable')],
    [
      'connection refused',
      new SpotfireError('cannot connect', 'not-sent', { code: 'ECONNREFUSED' }),
    ],
  ])('starts again after %s, which the server cannot have accepted', async (_what, failure) => {
    const { client, transport } = setup([failure, queued()])
    await expect(client.start(LIBRARY_JOB, context)).resolves.toMatchObject({ jobId: JOB_ID })
    expect(transport.calls('/job/start-library')).toHaveLength(2)
  })

  it('keeps starting a busy server only until the deadline', async () => {
    const busy = (): Answer => jobStatus(ZERO_JOB_ID, 'Busy')
    const { client, transport, clock } = setup(Array.from({ length: 200 }, busy))
    const deadline = T0 + 5 * 60_000
    const error = await failureOf(client.start(LIBRARY_JOB, { deadline }))
    expect(error.message).toMatch(/busy/)
    expect(clock.now()).toBeLessThanOrEqual(deadline)
    expect(transport.calls('/job/start').length).toBeGreaterThan(1)
    expect(transport.remaining).toBeGreaterThan(0)
  })

  it('stops starting again when the run is cancelled during the pause', async () => {
    const controller = new AbortController()
    const { client, transport, clock } = setup([text(503, ''), queued()])
    clock.onSleep = () => {
      controller.abort()
    }
    const error = await failureOf(
      client.start(LIBRARY_JOB, { ...context, signal: controller.signal }),
    )
    expect(error.details.status).toBe(503)
    expect(transport.calls('/job/start')).toHaveLength(1)
  })

  it('waits for the answer to a start already sent even when the run is cancelled', async () => {
    const controller = new AbortController()
    const { client, transport } = setup([
      () => {
        controller.abort()
        return queued()
      },
    ])
    await expect(
      client.start(LIBRARY_JOB, { ...context, signal: controller.signal }),
    ).resolves.toMatchObject({ jobId: JOB_ID })
    expect(transport.calls('/job/start')[0]?.signal).toBeUndefined()
  })

  it.each<[string, Answer]>([
    ['no answer', new SpotfireError('no answer from POST https://spotfire in time', 'no-answer')],
    ['502', text(502, '<h1>Bad Gateway</h1>')],
    ['504', text(504, '<h1>Gateway Timeout</h1>')],
    ['a 200 without a job status', text(200, '<html>Sign in</html>')],
  ])('does not start again after %s, and says the job may be running', async (_what, failure) => {
    const { client, transport } = setup([failure, queued()])
    const error = await failureOf(client.start({ kind: 'xml', xml: SAMPLE_JOB }, context))
    expect(error.message).toMatch(/job may (be running|have started)/)
    expect(transport.calls('/job/start')).toHaveLength(1)
  })

  it('does not start again after a 400, and passes the server text on', async () => {
    const { client, transport } = setup([text(400, 'Could not parse the job'), queued()])
    const error = await failureOf(client.start({ kind: 'xml', xml: SAMPLE_JOB }, context))
    expect(error.details.status).toBe(400)
    expect(error.message).toContain('Could not parse the job')
    expect(transport.calls('/job/start')).toHaveLength(1)
  })

  it('does not send the start when no token can be had', async () => {
    const { client, transport } = setup([json(401, { error: 'invalid_client' })], {
      autoTokens: false,
    })
    const error = await failureOf(client.start(LIBRARY_JOB, context))
    expect(error.kind).toBe('credentials')
    expect(transport.apiRequests()).toHaveLength(0)
  })
})

describe('SpotfireClient: tokens', () => {
  it('gets one new token after a 401 and tries once more', async () => {
    const { client, transport } = setup([text(401, ''), queued()])
    await expect(client.status(JOB_ID, context)).resolves.toMatchObject({ statusCode: 'Queued' })
    const calls = transport.calls('/job/status/')
    expect(calls.map((request) => headerOf(request, 'authorization'))).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ])
    expect(transport.tokenRequests()).toHaveLength(2)
  })

  it('retries a start refused with 401 once (the server did not accept it)', async () => {
    const { client, transport } = setup([text(401, ''), queued()])
    await expect(client.start(LIBRARY_JOB, context)).resolves.toMatchObject({ jobId: JOB_ID })
    expect(transport.calls('/job/start')).toHaveLength(2)
  })

  it('fails when the fresh token is refused too', async () => {
    const { client, transport } = setup([text(401, ''), text(401, ''), queued()])
    const error = await failureOf(client.status(JOB_ID, context))
    expect(error.details.status).toBe(401)
    expect(error.message).toMatch(/fresh access token/)
    expect(transport.calls('/job/status/')).toHaveLength(2)
    expect(transport.tokenRequests()).toHaveLength(2)
  })

  it('reuses the token across calls', async () => {
    const { client, transport } = setup([queued(), queued(), queued()])
    await client.start(LIBRARY_JOB, context)
    await client.status(JOB_ID, context)
    await client.abort(JOB_ID, 'why', context)
    expect(transport.tokenRequests()).toHaveLength(1)
  })

  it('says which scope the client needs on a 403', async () => {
    const { client } = setup([text(403, 'Forbidden')])
    const error = await failureOf(client.start(LIBRARY_JOB, context))
    expect(error.details.status).toBe(403)
    expect(error.message).toContain(DEFAULT_SCOPE)
  })
})

describe('SpotfireClient.status', () => {
  it('asks for the status of the job by id', async () => {
    const { client, transport } = setup([jobStatus(JOB_ID, 'InProgress', 'running')])
    await expect(client.status(JOB_ID, context)).resolves.toEqual({
      jobId: JOB_ID,
      statusCode: 'InProgress',
      message: 'running',
    })
    const [request] = transport.apiRequests()
    expect(request?.method).toBe('GET')
    expect(request?.url).toBe(`${API}/job/status/${JOB_ID}`)
  })

  it('encodes the job id in the path', async () => {
    const { client, transport } = setup([queued()])
    await client.status('a/b?c', context)
    expect(transport.apiRequests()[0]?.url).toBe(`${API}/job/status/a%2Fb%3Fc`)
  })

  it('reads a 404 as Missing', async () => {
    const { client, transport } = setup([text(404, 'Not Found')])
    await expect(client.status(JOB_ID, context)).resolves.toMatchObject({
      jobId: JOB_ID,
      statusCode: 'Missing',
    })
    expect(transport.calls('/job/status/')).toHaveLength(1)
  })

  it.each<[string, Answer]>([
    ['500', text(500, 'oops')],
    ['502', text(502, 'Bad Gateway')],
    ['503', text(503, '')],
    ['a bad body', text(200, '{"JobId": ')],
    ['no answer', new SpotfireError('no answer in time', 'no-answer')],
  ])('asks again after %s', async (_what, failure) => {
    const { client, transport } = setup([failure, failure, jobStatus(JOB_ID, 'Finished')])
    await expect(client.status(JOB_ID, context)).resolves.toMatchObject({
      statusCode: 'Finished',
    })
    expect(transport.calls('/job/status/')).toHaveLength(3)
  })

  it('does not ask again after a 400', async () => {
    const { client, transport } = setup([text(400, 'Malformed job id'), queued()])
    const error = await failureOf(client.status('not-an-id', context))
    expect(error.details.status).toBe(400)
    expect(transport.calls('/job/status/')).toHaveLength(1)
  })

  it('retries transient failures until the deadline, then fails naming the job', async () => {
    const { client, transport } = setup(Array.from({ length: 200 }, () => text(503, '')))
    const error = await failureOf(client.status(JOB_ID, { deadline: T0 + 10 * 60_000 }))
    expect(error.message).toMatch(/HTTP 503/)
    expect(transport.apiRequests().length).toBeGreaterThan(8)
  })
})

describe('SpotfireClient.abort', () => {
  it('posts the abort with the reason in the query', async () => {
    const reason =
      "Aborted by https://github.com/o/r/actions/runs/1 (workflow 'a & b'), which timed out."
    const { client, transport } = setup([jobStatus(JOB_ID, 'Canceled')])
    await expect(client.abort(JOB_ID, reason, context)).resolves.toMatchObject({
      statusCode: 'Canceled',
    })
    const [request] = transport.apiRequests()
    expect(request?.method).toBe('POST')
    const url = new URL(request?.url ?? '')
    expect(`${url.origin}${url.pathname}`).toBe(`${API}/job/abort/${JOB_ID}`)
    expect([...url.searchParams]).toEqual([['reason', reason]])
  })

  it('reads a 404 as Missing', async () => {
    const { client } = setup([text(404, '')])
    await expect(client.abort(JOB_ID, 'r', context)).resolves.toMatchObject({
      statusCode: 'Missing',
    })
  })

  it('passes the per-request timeout on', async () => {
    const { client, transport } = setup([jobStatus(JOB_ID, 'Canceled')])
    await client.abort(JOB_ID, 'r', { ...context, timeoutMs: 5000 })
    expect(transport.apiRequests()[0]?.timeoutMs).toBe(5000)
  })
})

describe('isZeroJobId', () => {
  it.each([
    [ZERO_JOB_ID, true],
    [JOB_ID, false],
    ['', false],
    ['00000000-0000-0000-0000-000000000001', false],
  ])('%j -> %s', (id, expected) => {
    expect(isZeroJobId(id)).toBe(expected)
  })
})
