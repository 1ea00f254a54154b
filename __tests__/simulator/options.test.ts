import { afterEach, describe, expect, it } from '@jest/globals'
import {
  startSimulator,
  type LibraryItem,
  type RequestEvent,
  type Simulator,
} from '../../src/simulator/index.js'
import {
  call,
  getToken,
  JOB_API,
  JOB_XML,
  jobApi,
  jobBody,
  manualClock,
  pollStatuses,
  requestToken,
} from './helpers.js'

const TIMED: LibraryItem = {
  path: '/Jobs/Timed',
  id: '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
  lifecycle: {
    phases: [
      { status: 'Queued', ms: 1000 },
      { status: 'InProgress', ms: 2000 },
    ],
    final: { status: 'Finished' },
  },
}
const POLLED: LibraryItem = {
  path: '/Jobs/Polled',
  id: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
  lifecycle: { phases: [{ status: 'InProgress', polls: 1 }], final: { status: 'Failed' } },
}

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

describe('xmlContentType', () => {
  it.each(['application/xml; charset=utf-8', 'text/xml', 'Application/XML', 'application/xml;'])(
    "answers 415 to '%s' when exact, and no job is created",
    async (contentType) => {
      sim = await startSimulator({ xmlContentType: 'exact' })
      const api = await jobApi(sim)
      const answer = await api.startContent(JOB_XML, contentType)
      expect(answer.status).toBe(415)
      expect(answer.json).toEqual({ error: expect.stringContaining('exactly application/xml') })
      expect(sim.jobs).toHaveLength(0)
    },
  )

  it('takes exactly application/xml, and switches through update()', async () => {
    sim = await startSimulator({ xmlContentType: 'exact' })
    const api = await jobApi(sim)
    expect(jobBody(await api.startContent(JOB_XML, 'application/xml')).StatusCode).toBe('Queued')
    const charset = 'application/xml; charset=utf-8'
    sim.update({ xmlContentType: 'lenient' })
    expect((await api.startContent(JOB_XML, charset)).status).toBe(200)
    sim.update({ xmlContentType: 'exact' })
    expect((await api.startContent(JOB_XML, charset)).status).toBe(415)
  })
})

describe('publicApi: false', () => {
  const NOT_FOUND_TITLE = 'HTTP Status 404 – Not Found'

  it('answers the container 404 page on every REST path, before any token check', async () => {
    sim = await startSimulator({ publicApi: false })
    const token = await getToken(sim)
    const paths: ['GET' | 'POST', string, string | undefined][] = [
      ['POST', `${JOB_API}/start-library?path=/Samples/Refresh+sales`, token],
      ['POST', `${JOB_API}/start-content`, undefined],
      ['GET', `${JOB_API}/status/${TIMED.id}`, 'not-a-token'],
      ['GET', `${JOB_API}/start-library`, token],
      ['GET', '/spotfire/api/rest/other', undefined],
    ]
    for (const [method, path, bearer] of paths) {
      const answer = await call(sim, method, path, bearer)
      expect(answer.status).toBe(404)
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/)
      expect(answer.headers.get('www-authenticate')).toBeNull()
      expect(answer.text).toContain(`<h1>${NOT_FOUND_TITLE}</h1>`)
    }
    expect(sim.jobs).toHaveLength(0)
  })

  it('keeps the token and metadata endpoints, plays no fault there, and turns back on', async () => {
    sim = await startSimulator({
      publicApi: false,
      faults: { 'start-library': { 1: { type: 'busy' } } },
    })
    const metadata = await call(
      sim,
      'GET',
      '/spotfire/.well-known/oauth-authorization-server',
      undefined,
    )
    expect(metadata.status).toBe(200)
    const api = await jobApi(sim)
    expect((await api.startLibrary('path=/Samples/Refresh+sales')).status).toBe(404)
    expect(sim.requests.at(-1)).toMatchObject({ endpoint: 'start-library', n: 1 })
    expect(sim.requests.at(-1)?.fault).toBeUndefined()
    sim.update({ publicApi: true })
    expect(jobBody(await api.startLibrary('path=/Samples/Refresh+sales')).StatusCode).toBe('Queued')
  })
})

describe('job times', () => {
  it('records creation and the scheduled end of a time-based job', async () => {
    const clock = manualClock()
    const t0 = clock.now()
    sim = await startSimulator({ library: [TIMED], clock: clock.now })
    const api = await jobApi(sim)
    const id = jobBody(await api.startLibrary(`id=${TIMED.id}`)).JobId
    expect(sim.jobs[0]).toMatchObject({ createdAt: t0 })
    expect(sim.jobs[0]?.endedAt).toBeUndefined()
    clock.advance(2999)
    await api.status(id)
    expect(sim.jobs[0]?.endedAt).toBeUndefined()
    // Seen late, the end still carries the time its last phase ran out.
    clock.advance(60_000)
    expect(await pollStatuses(api, id, 1)).toEqual(['Finished'])
    expect(sim.jobs[0]).toMatchObject({ createdAt: t0, endedAt: t0 + 3000 })
  })

  it('records the poll that ends a poll-based job, and the moment of an abort', async () => {
    const clock = manualClock()
    const t0 = clock.now()
    sim = await startSimulator({ library: [POLLED, TIMED], clock: clock.now })
    const api = await jobApi(sim)
    const polled = jobBody(await api.startLibrary(`id=${POLLED.id}`)).JobId
    clock.advance(500)
    const timed = jobBody(await api.startLibrary(`id=${TIMED.id}`)).JobId
    clock.advance(700)
    await pollStatuses(api, polled, 2)
    clock.advance(300)
    await api.abort(timed, 'enough')
    const [first, second] = sim.jobs
    expect(first).toMatchObject({ status: 'Failed', createdAt: t0, endedAt: t0 + 1200 })
    expect(second).toMatchObject({ status: 'Canceled', createdAt: t0 + 500, endedAt: t0 + 1500 })
    // What the fields are for: the second started before the first ended, so they overlapped.
    expect(second?.createdAt).toBeLessThan(first?.endedAt ?? 0)
  })
})

describe('onRequest', () => {
  it('tells each request by method, path, endpoint and status or fault, never the query', async () => {
    const events: RequestEvent[] = []
    sim = await startSimulator({
      library: [POLLED],
      faults: { status: { 2: { type: 'http', status: 503 } } },
      onRequest: (event) => events.push(event),
    })
    const api = await jobApi(sim)
    const id = jobBody(await api.startLibrary(`path=${POLLED.path}&secret=x`)).JobId
    await api.status(id)
    await api.status(id)
    await call(sim, 'GET', '/nowhere?token=abc', undefined)
    expect(events).toEqual([
      { method: 'POST', path: '/spotfire/oauth2/token', endpoint: 'token', n: 1, status: 200 },
      {
        method: 'POST',
        path: `${JOB_API}/start-library`,
        endpoint: 'start-library',
        n: 1,
        status: 200,
      },
      { method: 'GET', path: `${JOB_API}/status/${id}`, endpoint: 'status', n: 1, status: 200 },
      {
        method: 'GET',
        path: `${JOB_API}/status/${id}`,
        endpoint: 'status',
        n: 2,
        fault: { type: 'http', status: 503 },
      },
      { method: 'GET', path: '/nowhere', endpoint: 'unknown', n: 1, status: 404 },
    ])
  })

  it('tells refused requests with their status', async () => {
    const statuses: (number | undefined)[] = []
    sim = await startSimulator({ onRequest: (event) => statuses.push(event.status) })
    await requestToken(sim, { grant_type: 'client_credentials' }, {})
    expect(statuses).toEqual([401])
  })
})
