import { afterEach, describe, expect, it } from '@jest/globals'
import {
  startSimulator,
  type FaultPlan,
  type FaultPlanFn,
  type Simulator,
} from '../../src/simulator/index.js'
import {
  call,
  getToken,
  JOB_API,
  JOB_XML,
  jobApi,
  jobBody,
  requestToken,
  until,
  ZERO,
} from './helpers.js'

const QUICK = {
  path: '/Jobs/Quick',
  id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  lifecycle: {
    phases: [{ status: 'Queued', polls: 1 }],
    final: { status: 'Finished', message: 'all done' },
  },
}

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

async function start(faults: FaultPlan | FaultPlanFn): Promise<Simulator> {
  sim = await startSimulator({ library: [QUICK], faults })
  return sim
}

describe('connection faults', () => {
  it('reset-before drops the connection and creates no job', async () => {
    const s = await start({ 'start-library': { 1: { type: 'reset-before' } } })
    const api = await jobApi(s)
    await expect(api.startLibrary('path=/Jobs/Quick')).rejects.toThrow()
    expect(s.jobs).toHaveLength(0)
    expect(s.requests.at(-1)).toMatchObject({
      endpoint: 'start-library',
      n: 1,
      fault: 'reset-before',
    })
    expect(jobBody(await api.startLibrary('path=/Jobs/Quick')).StatusCode).toBe('Queued')
    expect(s.jobs).toHaveLength(1)
  })

  it('reset-after creates the job, then drops the connection unanswered', async () => {
    const s = await start({ 'start-library': { 1: { type: 'reset-after' } } })
    const api = await jobApi(s)
    await expect(api.startLibrary('path=/Jobs/Quick')).rejects.toThrow()
    expect(s.jobs).toHaveLength(1)
    expect(s.jobs[0]?.status).toBe('Queued')
  })

  it('reset-after on status still counts the poll', async () => {
    const s = await start({ status: { 1: { type: 'reset-after' } } })
    const api = await jobApi(s)
    const id = jobBody(await api.startLibrary('path=/Jobs/Quick')).JobId
    await expect(api.status(id)).rejects.toThrow()
    expect(s.jobs[0]?.statusPolls).toBe(1)
    expect(jobBody(await api.status(id)).StatusCode).toBe('Finished')
  })
})

describe('answer faults', () => {
  it('truncated answers 200 with the first half of the real body', async () => {
    const s = await start({ status: { 2: { type: 'truncated' } } })
    const api = await jobApi(s)
    const id = jobBody(await api.startLibrary('path=/Jobs/Quick')).JobId
    await api.status(id)
    const cut = await api.status(id)
    const whole = JSON.stringify({ JobId: id, StatusCode: 'Finished', Message: 'all done' })
    expect(cut.status).toBe(200)
    expect(cut.json).toBeUndefined()
    expect(cut.text).toBe(whole.slice(0, Math.floor(whole.length / 2)))
    expect(s.jobs[0]?.statusPolls).toBe(2)
  })

  it('truncated works on the token endpoint too', async () => {
    const s = await start({ token: { 1: { type: 'truncated' } } })
    const answer = await requestToken(s)
    expect(answer.status).toBe(200)
    expect(answer.json).toBeUndefined()
    expect(answer.text.startsWith('{"access_token":"')).toBe(true)
  })

  it('slow processes at once and answers after ms', async () => {
    const s = await start({ 'start-library': { 1: { type: 'slow', ms: 300 } } })
    const api = await jobApi(s)
    const began = performance.now()
    const answer = await api.startLibrary('path=/Jobs/Quick')
    expect(performance.now() - began).toBeGreaterThanOrEqual(290)
    expect(jobBody(answer).StatusCode).toBe('Queued')
    expect(s.jobs).toHaveLength(1)
  })

  it('close() does not wait for a pending slow answer', async () => {
    const s = await start({ 'start-library': { 1: { type: 'slow', ms: 600_000 } } })
    const api = await jobApi(s)
    const pending = api.startLibrary('path=/Jobs/Quick')
    await until(() => s.jobs.length === 1)
    await s.close()
    sim = undefined
    await expect(pending).rejects.toThrow()
  })

  it('busy answers Busy with the zero id and creates no job', async () => {
    const s = await start({
      'start-content': { 1: { type: 'busy' } },
      'start-library': { 2: { type: 'busy' } },
    })
    const api = await jobApi(s)
    const busy = await api.startContent(JOB_XML)
    expect(busy.status).toBe(200)
    expect(busy.json).toEqual({
      JobId: ZERO,
      StatusCode: 'Busy',
      Message: expect.stringContaining('too busy'),
    })
    expect(jobBody(await api.startLibrary('path=/Jobs/Quick')).StatusCode).toBe('Queued')
    expect(jobBody(await api.startLibrary('path=/Jobs/Quick')).StatusCode).toBe('Busy')
    expect(jobBody(await api.startContent(JOB_XML)).StatusCode).toBe('Queued')
    expect(s.jobs.map((job) => job.source.kind)).toEqual(['library', 'content'])
  })

  it('http answers the status with JSON and Retry-After, without processing', async () => {
    const s = await start({
      'start-library': { 1: { type: 'http', status: 503, retryAfter: '7' } },
    })
    const api = await jobApi(s)
    const answer = await api.startLibrary('path=/Jobs/Quick')
    expect(answer.status).toBe(503)
    expect(answer.headers.get('retry-after')).toBe('7')
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/)
    expect(answer.json).toEqual({ error: '503 Service Unavailable' })
    expect(s.jobs).toHaveLength(0)
  })

  it('http can answer an HTML error page, as a proxy would', async () => {
    const s = await start({ token: { 1: { type: 'http', status: 502, html: true } } })
    const answer = await requestToken(s)
    expect(answer.status).toBe(502)
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/)
    expect(answer.headers.get('retry-after')).toBeNull()
    expect(answer.text).toContain('<title>502 Bad Gateway</title>')
  })

  it('http on status leaves the job unpolled', async () => {
    const s = await start({ status: { 1: { type: 'http', status: 429, retryAfter: '1' } } })
    const api = await jobApi(s)
    const id = jobBody(await api.startLibrary('path=/Jobs/Quick')).JobId
    expect((await api.status(id)).status).toBe(429)
    expect(s.jobs[0]?.statusPolls).toBe(0)
    expect(jobBody(await api.status(id)).StatusCode).toBe('Queued')
  })

  it('redirect answers 307 with Location (or the given status), without processing', async () => {
    const s = await start({
      'start-library': { 1: { type: 'redirect', location: 'https://login.example.com/sso' } },
      metadata: { 1: { type: 'redirect', location: '/elsewhere', status: 302 } },
    })
    const api = await jobApi(s)
    const answer = await api.startLibrary('path=/Jobs/Quick')
    expect(answer.status).toBe(307)
    expect(answer.headers.get('location')).toBe('https://login.example.com/sso')
    expect(s.jobs).toHaveLength(0)
    const metadata = await call(
      s,
      'GET',
      '/spotfire/.well-known/oauth-authorization-server',
      undefined,
    )
    expect(metadata.status).toBe(302)
    expect(metadata.headers.get('location')).toBe('/elsewhere')
  })
})

describe('fault plans', () => {
  it('numbers requests per endpoint from 1 and records the fault played', async () => {
    const s = await start({ status: { 2: { type: 'http', status: 500 } } })
    const api = await jobApi(s)
    const id = jobBody(await api.startLibrary('path=/Jobs/Quick')).JobId
    await api.status(id)
    await api.status(id)
    await api.status(id)
    expect(s.requests.map((r) => [r.endpoint, r.n, r.fault])).toEqual([
      ['token', 1, undefined],
      ['start-library', 1, undefined],
      ['status', 1, undefined],
      ['status', 2, 'http'],
      ['status', 3, undefined],
    ])
    expect(s.requests[2]).toMatchObject({
      method: 'GET',
      url: `${JOB_API}/status/${id}`,
      body: '',
      headers: { authorization: expect.stringMatching(/^Bearer /) },
    })
  })

  it('asks a plan function for every request on a known endpoint', async () => {
    const asked: string[] = []
    const s = await start((endpoint, n) => {
      asked.push(`${endpoint}#${n}`)
      return endpoint === 'status' && n % 2 === 0 ? { type: 'http', status: 504 } : undefined
    })
    const api = await jobApi(s)
    const id = jobBody(await api.startLibrary('path=/Jobs/Quick')).JobId
    const statuses = [await api.status(id), await api.status(id), await api.status(id)]
    expect(statuses.map((a) => a.status)).toEqual([200, 504, 200])
    await call(s, 'GET', '/nowhere', undefined)
    expect(asked).toEqual(['token#1', 'start-library#1', 'status#1', 'status#2', 'status#3'])
  })

  it('rejects busy outside the start endpoints in a static plan', async () => {
    await expect(startSimulator({ faults: { status: { 1: { type: 'busy' } } } })).rejects.toThrow(
      /busy/,
    )
    const s = await start({})
    expect(() => {
      s.update({ faults: { abort: { 3: { type: 'busy' } } } })
    }).toThrow(/abort #3/)
  })

  it('answers 500 when a plan function asks for busy outside the start endpoints', async () => {
    const s = await start((endpoint) => (endpoint === 'token' ? { type: 'busy' } : undefined))
    const answer = await requestToken(s)
    expect(answer.status).toBe(500)
    expect(answer.text).toContain('busy')
  })

  it('takes a new plan through update()', async () => {
    const s = await start({})
    const token = await getToken(s)
    const path = `${JOB_API}/start-library?path=/Jobs/Quick`
    expect((await call(s, 'POST', path, token)).status).toBe(200)
    s.update({ faults: { 'start-library': { 2: { type: 'http', status: 503 } } } })
    expect((await call(s, 'POST', path, token)).status).toBe(503)
    s.update({ faults: {} })
    expect((await call(s, 'POST', path, token)).status).toBe(200)
  })
})
