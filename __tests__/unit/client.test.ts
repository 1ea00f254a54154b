import { describe, expect, it, jest } from '@jest/globals'
import { DEFAULT_SCOPE } from '../../src/shared/constants.js'
import {
  JOB_XML_CONTENT_TYPE,
  SpotfireClient,
  type StartRequest,
  type StartResult,
} from '../../src/spotfire/client.js'
import { SpotfireError } from '../../src/spotfire/errors.js'
import type { HttpResponse } from '../../src/spotfire/http.js'
import { MIN_PAUSE_MS } from '../../src/spotfire/retry.js'
import { isZeroJobId, ZERO_JOB_ID } from '../../src/spotfire/status.js'
import { TokenProvider } from '../../src/spotfire/token.js'
import { clientOptions } from './client-fixture.js'
import { FakeClock, T0 } from './fake-clock.js'
import { type Answer, FakeTransport, headerOf, jobStatus, json, text } from './fake-transport.js'
import { JOB_ID, LIBRARY_ID, SAMPLE_JOB } from './fixtures.js'

const SERVER = 'https://spotfire.example.com/analytics'
const API = `${SERVER}/spotfire/api/rest/as`
const LIBRARY_JOB: StartRequest = { kind: 'library-path', path: '/Jobs/Refresh sales' }

function setup(
  script: Answer[],
  options: { autoTokens?: boolean } = {},
): { client: SpotfireClient; transport: FakeTransport; clock: FakeClock } {
  const transport = new FakeTransport(script, { autoTokens: options.autoTokens ?? true })
  const clock = new FakeClock()
  const client = new SpotfireClient(clientOptions(SERVER, transport, clock, DEFAULT_SCOPE))
  return { client, transport, clock }
}

const context = { deadline: T0 + 30 * 60_000 }
/** The pauses between tries: every sleep but the waits for a token, which end at the deadline. */
const pausesOf = (clock: FakeClock): number[] =>
  clock.sleeps.filter((ms) => ms !== context.deadline - T0)
const queued = (): HttpResponse => jobStatus(JOB_ID, 'Queued')

function failureOf(result: StartResult): { error: SpotfireError; mayHaveStarted: boolean } {
  if (result.kind !== 'failed') throw new Error(`expected a failed start, got ${result.kind}`)
  return result
}

async function errorOf(promise: Promise<unknown>): Promise<SpotfireError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof SpotfireError))
    throw new Error(`expected a SpotfireError, got ${String(error)}`)
  return error
}

describe('SpotfireClient.start: what it sends', () => {
  it('starts a library job by path, with the path encoded in the query', async () => {
    const path = '/Jobs/Sales & more/Refresh? #1 ü'
    const { client, transport } = setup([queued()])
    await expect(client.start({ kind: 'library-path', path }, context)).resolves.toEqual({
      kind: 'started',
      status: { jobId: JOB_ID, statusCode: 'Queued', message: '' },
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

  it('posts job XML as exactly application/xml, with no charset parameter', async () => {
    const { client, transport } = setup([queued()])
    await client.start({ kind: 'xml', xml: SAMPLE_JOB }, context)
    const [request] = transport.apiRequests()
    expect(request?.url).toBe(`${API}/job/start-content`)
    expect(JOB_XML_CONTENT_TYPE).toBe('application/xml')
    expect(headerOf(request, 'content-type')).toBe('application/xml')
    expect(request?.body).toBe(SAMPLE_JOB)
  })

  it('tells its hooks when a start goes out and when the server did not take it', async () => {
    const onSending = jest.fn()
    const onNotAccepted = jest.fn()
    const { client } = setup([text(503, '', { 'retry-after': '1' }), queued()])
    await client.start(LIBRARY_JOB, context, { onSending, onNotAccepted })
    expect(onSending).toHaveBeenCalledTimes(2)
    expect(onNotAccepted).toHaveBeenCalledTimes(1)
  })
})

describe('SpotfireClient.start: answers', () => {
  it('returns an answer without a job as refused, for the caller to report', async () => {
    const notFound = jobStatus(ZERO_JOB_ID, 'Failed', 'Job file not found or no access.')
    const { client, transport } = setup([notFound])
    await expect(client.start(LIBRARY_JOB, context)).resolves.toEqual({
      kind: 'refused',
      status: {
        jobId: ZERO_JOB_ID,
        statusCode: 'Failed',
        message: 'Job file not found or no access.',
      },
    })
    expect(transport.calls('/job/start')).toHaveLength(1)
  })

  it('a Busy answer with a job id is a started job, never sent again', async () => {
    const { client, transport } = setup([jobStatus(JOB_ID, 'Busy'), queued()])
    await expect(client.start(LIBRARY_JOB, context)).resolves.toMatchObject({
      kind: 'started',
      status: { jobId: JOB_ID, statusCode: 'Busy' },
    })
    expect(transport.calls('/job/start')).toHaveLength(1)
  })

  it('reads status names without regard to case', async () => {
    const { client } = setup([jobStatus(JOB_ID, 'INPROGRESS')])
    await expect(client.start(LIBRARY_JOB, context)).resolves.toMatchObject({
      status: { statusCode: 'InProgress' },
    })
  })

  it('starts again after a Busy answer without a job, with a growing pause', async () => {
    const busy = (): Answer => jobStatus(ZERO_JOB_ID, 'Busy', 'The job service is busy.')
    const { client, transport, clock } = setup([busy(), busy(), queued()])
    await expect(client.start(LIBRARY_JOB, context)).resolves.toMatchObject({ kind: 'started' })
    expect(transport.calls('/job/start-library')).toHaveLength(3)
    const pauses = pausesOf(clock)
    expect(pauses).toHaveLength(2)
    expect(pauses[0]).toBeGreaterThanOrEqual(1000)
    expect(pauses[1]).toBeGreaterThan(pauses[0] ?? 0)
  })

  it('tries once more just before the deadline, instead of giving up early', async () => {
    const busy = (): Answer => jobStatus(ZERO_JOB_ID, 'Busy', 'The job service is busy.')
    const { client, transport, clock } = setup([busy(), busy(), busy(), queued()])
    // Pauses of 1.5 s and 3 s, then the next (6 s) would pass the deadline at 10 s.
    const started = await client.start(LIBRARY_JOB, { deadline: T0 + 10_000 })
    expect(started).toMatchObject({ kind: 'started' })
    expect(transport.calls('/job/start-library')).toHaveLength(4)
    expect(clock.elapsed()).toBeGreaterThan(9000)
    expect(clock.elapsed()).toBeLessThan(10_000)
  })

  it.each<[string, Answer]>([
    ['429', text(429, 'Too Many Requests')],
    ['503 with Retry-After', text(503, 'Service Unavailable', { 'retry-after': '5' })],
    [
      'a 503 with Retry-After as a date',
      text(503, 'no healthy upstream', { 'retry-after': 'Tue, 14 Nov 2023 22:13:30 GMT' }),
    ],
    [
      'connection refused',
      new SpotfireError('cannot connect', 'not-sent', { code: 'ECONNREFUSED' }),
    ],
    ['a DNS failure', new SpotfireError('cannot connect', 'not-sent', { code: 'EAI_AGAIN' })],
    [
      'a TLS session that was never set up',
      new SpotfireError('closed before it was set up', 'not-sent', { code: 'ECONNRESET' }),
    ],
  ])('starts again after %s, which the server cannot have accepted', async (_what, failure) => {
    const { client, transport } = setup([failure, queued()])
    await expect(client.start(LIBRARY_JOB, context)).resolves.toMatchObject({ kind: 'started' })
    expect(transport.calls('/job/start-library')).toHaveLength(2)
  })

  it('takes a Retry-After of 0 as no reason to hurry: the pause keeps its floor', async () => {
    const { client, clock } = setup([
      text(429, '', { 'retry-after': '0' }),
      text(429, '', { 'retry-after': '0' }),
      queued(),
    ])
    await client.start(LIBRARY_JOB, context)
    const pauses = pausesOf(clock)
    expect(pauses).toHaveLength(2)
    expect(pauses.every((ms) => ms >= MIN_PAUSE_MS)).toBe(true)
    expect(pauses[1]).toBeGreaterThan(pauses[0] ?? 0)
  })

  it('keeps starting a busy server only until the deadline', async () => {
    const busy = (): Answer => jobStatus(ZERO_JOB_ID, 'Busy')
    const { client, transport, clock } = setup(Array.from({ length: 200 }, busy))
    const deadline = T0 + 5 * 60_000
    const { error, mayHaveStarted } = failureOf(await client.start(LIBRARY_JOB, { deadline }))
    expect(error.message).toMatch(/busy/)
    expect(mayHaveStarted).toBe(false)
    expect(clock.now()).toBeLessThanOrEqual(deadline)
    expect(transport.calls('/job/start').length).toBeGreaterThan(1)
    expect(transport.remaining).toBeGreaterThan(0)
  })

  it('stops starting again when its signal fires during the pause', async () => {
    const controller = new AbortController()
    const { client, transport } = setup([text(503, '', { 'retry-after': '1' }), queued()])
    const started = client.start(
      LIBRARY_JOB,
      { ...context, signal: controller.signal },
      {
        onNotAccepted: () => {
          controller.abort()
        },
      },
    )
    const { error } = failureOf(await started)
    expect(error.details.status).toBe(503)
    expect(transport.calls('/job/start')).toHaveLength(1)
  })

  it('waits for the answer to a start already sent even when its signal fires', async () => {
    const controller = new AbortController()
    const { client, transport } = setup([
      () => {
        controller.abort()
        return queued()
      },
    ])
    await expect(
      client.start(LIBRARY_JOB, { ...context, signal: controller.signal }),
    ).resolves.toMatchObject({ kind: 'started', status: { jobId: JOB_ID } })
    expect(transport.calls('/job/start')[0]?.signal).toBeUndefined()
  })

  it.each<[string, Answer]>([
    ['no answer', new SpotfireError('no answer from POST https://spotfire in time', 'no-answer')],
    ['500', text(500, 'oops')],
    ['502', text(502, '<h1>Bad Gateway</h1>')],
    ['504', text(504, '<h1>Gateway Timeout</h1>')],
    ['408', text(408, '')],
    ['a 200 without a job status', text(200, '<html>Sign in</html>')],
    ['an answer too large to read', new SpotfireError('larger than 8 MiB', 'not-api')],
    ['a 503 without Retry-After', text(503, 'Service Unavailable')],
    [
      "Envoy's 503 after the backend took the start",
      text(
        503,
        'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
        {
          'content-type': 'text/plain',
        },
      ),
    ],
    ['a 503 with a Retry-After that is not one', text(503, '', { 'retry-after': 'soon' })],
    [
      'a reset after sending',
      new SpotfireError('connection to POST https://spotfire failed (ECONNRESET)', 'no-answer', {
        code: 'ECONNRESET',
      }),
    ],
  ])('does not start again after %s: the job may have started', async (_what, failure) => {
    const { client, transport } = setup([failure, queued()])
    const { mayHaveStarted } = failureOf(
      await client.start({ kind: 'xml', xml: SAMPLE_JOB }, context),
    )
    expect(mayHaveStarted).toBe(true)
    expect(transport.calls('/job/start')).toHaveLength(1)
  })

  it('does not start again after a 400, and passes the server text on', async () => {
    const { client, transport } = setup([text(400, 'Could not parse the job'), queued()])
    const { error, mayHaveStarted } = failureOf(
      await client.start({ kind: 'xml', xml: SAMPLE_JOB }, context),
    )
    expect(error.details.status).toBe(400)
    expect(error.message).toContain('Could not parse the job')
    expect(mayHaveStarted).toBe(false)
    expect(transport.calls('/job/start')).toHaveLength(1)
  })

  it('says what it sent when the server refuses the content type (415)', async () => {
    const { client } = setup([text(415, 'Unsupported Media Type')])
    const { error, mayHaveStarted } = failureOf(
      await client.start({ kind: 'xml', xml: SAMPLE_JOB }, context),
    )
    expect(error.message).toContain('Content-Type application/xml')
    expect(mayHaveStarted).toBe(false)
  })

  it('points at the REST API switch when the path answers a page, not the API', async () => {
    const { client } = setup([text(404, '<html><h1>HTTP Status 404 – Not Found</h1></html>')])
    const { error, mayHaveStarted } = failureOf(await client.start(LIBRARY_JOB, context))
    expect(error.message).toContain('config-web-service-api')
    expect(error.message).toContain('an HTML page')
    expect(mayHaveStarted).toBe(false)
  })

  it('says which scope the client needs on a 403', async () => {
    const { client } = setup([text(403, 'Forbidden')])
    const { error } = failureOf(await client.start(LIBRARY_JOB, context))
    expect(error.details.status).toBe(403)
    expect(error.message).toContain(DEFAULT_SCOPE)
  })
})

describe('SpotfireClient.start: an answer that names a job is that job, whatever its HTTP code', () => {
  it.each([201, 202])('follows a %i with a job id: an accepted start', async (code) => {
    const { client, transport } = setup([
      json(code, { JobId: JOB_ID, StatusCode: 'Queued', Message: '' }),
      queued(),
    ])
    await expect(client.start(LIBRARY_JOB, context)).resolves.toEqual({
      kind: 'started',
      status: { jobId: JOB_ID, statusCode: 'Queued', message: '' },
    })
    expect(transport.calls('/job/start')).toHaveLength(1)
  })

  it('follows a 202 that carries only a job id, its status not known yet', async () => {
    const { client } = setup([json(202, { JobId: JOB_ID })])
    await expect(client.start(LIBRARY_JOB, context)).resolves.toEqual({
      kind: 'started',
      status: { jobId: JOB_ID, statusCode: '', message: '' },
    })
  })

  it.each([409, 500, 503, 429])(
    'follows a %i that names a job: the server knows that job',
    async (code) => {
      const { client, transport } = setup([
        json(code, { JobId: JOB_ID, Message: 'something went wrong' }, { 'retry-after': '1' }),
        queued(),
      ])
      await expect(client.start(LIBRARY_JOB, context)).resolves.toMatchObject({
        kind: 'started',
        status: { jobId: JOB_ID },
      })
      expect(transport.calls('/job/start')).toHaveLength(1)
    },
  )

  it('takes a non-2xx answer with the zero id for what its status code says', async () => {
    const { client } = setup([json(500, { JobId: ZERO_JOB_ID, Message: 'oops' })])
    const { mayHaveStarted } = failureOf(await client.start(LIBRARY_JOB, context))
    expect(mayHaveStarted).toBe(true)
  })

  it('takes a GUID in braces without them, and follows any other id as given', async () => {
    const braced = setup([jobStatus(`{${JOB_ID.toUpperCase()}}`, 'Queued')])
    await expect(braced.client.start(LIBRARY_JOB, context)).resolves.toMatchObject({
      kind: 'started',
      status: { jobId: JOB_ID.toUpperCase() },
    })
    const other = setup([jobStatus('job 7/a', 'Queued'), jobStatus('job 7/a', 'Finished')])
    const started = await other.client.start(LIBRARY_JOB, context)
    expect(started).toMatchObject({ kind: 'started', status: { jobId: 'job 7/a' } })
    await other.client.status('job 7/a', context)
    expect(other.transport.calls('/job/status/')[0]?.url).toBe(`${API}/job/status/job%207%2Fa`)
  })
})

describe('SpotfireClient.start: tokens', () => {
  it('does not send the start when no token can be had, and never says it may have started', async () => {
    const { client, transport } = setup([json(401, { error: 'invalid_client' })], {
      autoTokens: false,
    })
    const { error, mayHaveStarted } = failureOf(await client.start(LIBRARY_JOB, context))
    expect(error.kind).toBe('credentials')
    expect(mayHaveStarted).toBe(false)
    expect(transport.apiRequests()).toHaveLength(0)
  })

  it.each([501, 505, 502])(
    'a token endpoint answering %i is a token failure, not a start that may have landed',
    async (status) => {
      const { client, transport } = setup(
        Array.from({ length: 10 }, () => text(status, 'token trouble')),
        { autoTokens: false },
      )
      const { error, mayHaveStarted } = failureOf(
        await client.start(LIBRARY_JOB, { deadline: T0 + 60_000 }),
      )
      expect(error.message).toContain(`HTTP ${status}`)
      // Said once: not "getting a token failed: Getting a token failed 8 times".
      expect(error.message.match(/getting a token/gi) ?? []).toHaveLength(1)
      expect(mayHaveStarted).toBe(false)
      expect(transport.apiRequests()).toHaveLength(0)
    },
  )

  it('sends a start refused with 401 again once, with a new token (it was not accepted)', async () => {
    const { client, transport } = setup([text(401, ''), queued()])
    await expect(client.start(LIBRARY_JOB, context)).resolves.toMatchObject({ kind: 'started' })
    expect(transport.calls('/job/start').map((r) => headerOf(r, 'authorization'))).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ])
  })
})

describe('SpotfireClient.status', () => {
  it('asks for the status of the job by id, once', async () => {
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
    const { client, transport } = setup([jobStatus('a/b?c', 'Queued')])
    await client.status('a/b?c', context)
    expect(transport.apiRequests()[0]?.url).toBe(`${API}/job/status/a%2Fb%3Fc`)
  })

  it("reads the API's own JSON not-found as Missing", async () => {
    const { client } = setup([json(404, { error: 'Job not found.' })])
    await expect(client.status(JOB_ID, context)).resolves.toMatchObject({
      jobId: JOB_ID,
      statusCode: 'Missing',
    })
  })

  it('takes a 404 page from a proxy for what it is: nothing about the job', async () => {
    const { client } = setup([
      text(404, '<html><center><h1>404 Not Found</h1></center>nginx</html>'),
    ])
    const error = await errorOf(client.status(JOB_ID, context))
    expect(error.kind).toBe('not-api')
    expect(error.message).toContain('an HTML page')
  })

  it('takes an answer about another job as not the API: it says nothing of this one', async () => {
    const other = '11111111-2222-4333-8444-555555555555'
    const { client } = setup([jobStatus(other, 'Finished')])
    const error = await errorOf(client.status(JOB_ID, context))
    expect(error.kind).toBe('not-api')
    expect(error.message).toContain(other)
  })

  it('takes the same GUID in another case or in braces as this job, and keeps the id it holds', async () => {
    const { client } = setup([
      jobStatus(JOB_ID.toUpperCase(), 'InProgress'),
      jobStatus(`{${JOB_ID}}`, 'Finished'),
    ])
    await expect(client.status(JOB_ID, context)).resolves.toEqual({
      jobId: JOB_ID,
      statusCode: 'InProgress',
      message: '',
    })
    await expect(client.status(JOB_ID, context)).resolves.toMatchObject({ jobId: JOB_ID })
  })

  it('takes a Missing with the zero id as Missing of this job', async () => {
    const { client } = setup([jobStatus(ZERO_JOB_ID, 'Missing')])
    await expect(client.status(JOB_ID, context)).resolves.toMatchObject({
      jobId: JOB_ID,
      statusCode: 'Missing',
    })
  })

  it('takes any other status with the zero id as not about this job', async () => {
    const { client } = setup([jobStatus(ZERO_JOB_ID, 'Finished')])
    await expect(errorOf(client.status(JOB_ID, context))).resolves.toMatchObject({
      kind: 'not-api',
    })
  })

  it('takes a 200 that is not a job status as not the API', async () => {
    const { client } = setup([text(200, '<html>Sign in</html>')])
    await expect(errorOf(client.status(JOB_ID, context))).resolves.toMatchObject({
      kind: 'not-api',
    })
  })

  it('makes one try: the loop decides about the next', async () => {
    const { client, transport } = setup([text(503, ''), queued()])
    await expect(errorOf(client.status(JOB_ID, context))).resolves.toMatchObject({
      details: { status: 503 },
    })
    expect(transport.calls('/job/status/')).toHaveLength(1)
  })

  it('gets one new token after a 401 and tries once more', async () => {
    const { client, transport } = setup([text(401, ''), queued()])
    await expect(client.status(JOB_ID, context)).resolves.toMatchObject({ statusCode: 'Queued' })
    expect(transport.tokenRequests()).toHaveLength(2)
  })

  it('forgets only the token that was refused, not one another job got meanwhile', async () => {
    const { client, transport } = setup([queued()])
    const tokens = (client as unknown as { options: { tokens: TokenProvider } }).options.tokens
    await tokens.get(context)
    tokens.invalidate('an older token')
    await client.status(JOB_ID, context)
    expect(transport.tokenRequests()).toHaveLength(1)
    tokens.invalidate('token-1')
    expect(transport.tokenRequests()).toHaveLength(1)
    await tokens.get(context)
    expect(transport.tokenRequests()).toHaveLength(2)
  })

  it('fails when the fresh token is refused too', async () => {
    const { client, transport } = setup([text(401, ''), text(401, ''), queued()])
    const error = await errorOf(client.status(JOB_ID, context))
    expect(error.details.status).toBe(401)
    expect(error.message).toMatch(/fresh access token/)
    expect(transport.calls('/job/status/')).toHaveLength(2)
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

  it('tries again after a transient failure, with a pause', async () => {
    const { client, transport, clock } = setup([text(502, ''), jobStatus(JOB_ID, 'Canceled')])
    await expect(client.abort(JOB_ID, 'r', context)).resolves.toMatchObject({
      statusCode: 'Canceled',
    })
    expect(transport.calls('/job/abort/')).toHaveLength(2)
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(MIN_PAUSE_MS)
  })

  it("reads the API's JSON not-found as Missing", async () => {
    const { client } = setup([json(404, { error: 'not found' })])
    await expect(client.abort(JOB_ID, 'r', context)).resolves.toMatchObject({
      statusCode: 'Missing',
    })
  })

  it('takes an answer about another job as a passing fault: it tries again, for this job', async () => {
    const other = '11111111-2222-4333-8444-555555555555'
    const { client, transport } = setup([
      jobStatus(other, 'Finished'),
      jobStatus(JOB_ID, 'Canceled'),
    ])
    await expect(client.abort(JOB_ID, 'r', context)).resolves.toEqual({
      jobId: JOB_ID,
      statusCode: 'Canceled',
      message: '',
    })
    const urls = transport.calls('/job/abort/').map((r) => new URL(r.url).pathname)
    expect(urls).toEqual([0, 1].map(() => `/analytics/spotfire/api/rest/as/job/abort/${JOB_ID}`))
  })

  it('never takes the answer of another job for this one, up to the deadline', async () => {
    const other = '11111111-2222-4333-8444-555555555555'
    const { client } = setup(Array.from({ length: 50 }, () => jobStatus(other, 'Finished')))
    const error = await errorOf(client.abort(JOB_ID, 'r', { deadline: T0 + 10_000 }))
    expect(error.kind).toBe('not-api')
  })

  it('passes the per-request timeout on', async () => {
    const { client, transport } = setup([jobStatus(JOB_ID, 'Canceled')])
    await client.abort(JOB_ID, 'r', { ...context, timeoutMs: 5000 })
    expect(transport.apiRequests()[0]?.timeoutMs).toBe(5000)
  })

  it('never lets a try outlast the deadline: the last one gets only the time left', async () => {
    const { client, transport } = setup([
      text(502, ''),
      text(502, ''),
      jobStatus(JOB_ID, 'Canceled'),
    ])
    await client.abort(JOB_ID, 'r', { deadline: T0 + 4000, timeoutMs: 30_000 })
    const timeouts = transport.calls('/job/abort/').map((r) => r.timeoutMs ?? Infinity)
    expect(timeouts[0]).toBe(4000)
    for (const ms of timeouts.slice(1)) expect(ms).toBeLessThan(4000)
  })
})

describe('SpotfireClient.probe', () => {
  it('asks for the status of the zero job id, which starts nothing', async () => {
    const { client, transport } = setup([json(404, { error: 'not found' })])
    await expect(client.probe(context)).resolves.toMatch(/404/)
    expect(transport.apiRequests()[0]?.url).toBe(`${API}/job/status/${ZERO_JOB_ID}`)
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

describe('an HTTP-date Retry-After', () => {
  it('is read against the wall clock, though the monotonic clock runs the pause', async () => {
    let wallNow = (): number => 0
    const { client, clock } = setup([
      () => text(503, '', { 'retry-after': new Date(wallNow() + 20_000).toUTCString() }),
      queued(),
    ])
    wallNow = () => clock.wallNow()
    // The wall clock is an hour behind the monotonic one: they must never be compared.
    clock.jumpWall(-60 * 60_000)
    await expect(client.start(LIBRARY_JOB, context)).resolves.toMatchObject({ kind: 'started' })
    expect(pausesOf(clock)).toEqual([20_000])
  })
})
