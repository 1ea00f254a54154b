import { afterEach, describe, expect, it } from '@jest/globals'
import {
  startSimulator,
  type FaultPlan,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator/index.js'
import { call, getToken, JOB_API, JOB_XML, jobApi, jobBody, requestToken, ZERO } from './helpers.js'

const QUICK = {
  path: '/Jobs/Quick',
  id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  lifecycle: { phases: [{ status: 'Queued', polls: 1 }], final: { status: 'Finished' } },
}

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

async function start(faults: FaultPlan, options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator({ library: [QUICK], faults, ...options })
  return sim
}

describe('busy with a job', () => {
  it('creates the job and answers Busy with its id', async () => {
    const s = await start({
      'start-library': { 1: { type: 'busy', withJob: true } },
      'start-content': { 1: { type: 'busy', withJob: true } },
    })
    const api = await jobApi(s)
    for (const answer of [
      await api.startLibrary('path=/Jobs/Quick'),
      await api.startContent(JOB_XML),
    ]) {
      expect(answer.status).toBe(200)
      expect(answer.json).toEqual({
        JobId: expect.any(String),
        StatusCode: 'Busy',
        Message: expect.stringContaining('too busy'),
      })
    }
    expect(s.jobs).toHaveLength(2)
    const id = s.jobs[0]?.id ?? ''
    expect(id).not.toBe(ZERO)
    expect(jobBody(await api.status(id))).toEqual({ JobId: id, StatusCode: 'Queued', Message: '' })
    expect(s.requests.filter((r) => r.fault === 'busy')).toHaveLength(2)
  })

  it('passes the real answer through when the request creates no job', async () => {
    const s = await start({ 'start-library': { 1: { type: 'busy', withJob: true } } })
    const api = await jobApi(s)
    expect((await api.startLibrary('path=/Jobs/Nope')).json).toEqual({
      JobId: ZERO,
      StatusCode: 'Failed',
      Message: 'Job file not found or no access.',
    })
    expect(s.jobs).toHaveLength(0)
  })

  it('is refused outside the start endpoints', async () => {
    await expect(start({ status: { 1: { type: 'busy', withJob: true } } })).rejects.toThrow(
      /'busy' fault only fits/,
    )
  })
})

describe('not-found', () => {
  it('answers status as for an unknown job while the job runs on', async () => {
    const s = await start({ status: { 1: { type: 'not-found' } } })
    const api = await jobApi(s)
    const id = jobBody(await api.startLibrary('path=/Jobs/Quick')).JobId
    const lost = await api.status(id)
    expect(lost.status).toBe(404)
    expect(lost.json).toEqual({ error: `Job ${id} not found.` })
    expect(s.jobs[0]).toMatchObject({ status: 'Queued', statusPolls: 0 })
    expect(jobBody(await api.status(id)).StatusCode).toBe('Queued')
    expect(jobBody(await api.status(id)).StatusCode).toBe('Finished')
  })

  it('answers 200 Missing in the missing variant, and leaves an aborted job running', async () => {
    const s = await start(
      { status: { 1: { type: 'not-found' } }, abort: { 1: { type: 'not-found' } } },
      { unknownJob: 'missing' },
    )
    const api = await jobApi(s)
    const id = jobBody(await api.startLibrary('path=/Jobs/Quick')).JobId
    for (const answer of [await api.status(id), await api.abort(id, 'stop')]) {
      expect(answer.status).toBe(200)
      expect(answer.json).toEqual({ JobId: id, StatusCode: 'Missing', Message: expect.any(String) })
    }
    expect(s.jobs[0]).toMatchObject({ status: 'Queued', abortReasons: [], statusPolls: 0 })
    expect(jobBody(await api.abort(id, 'stop')).StatusCode).toBe('Canceled')
  })

  it.each(['token', 'metadata', 'start-library', 'start-content'] as const)(
    'is refused on %s',
    async (endpoint) => {
      await expect(start({ [endpoint]: { 1: { type: 'not-found' } } })).rejects.toThrow(
        `'not-found' fault only fits status and abort, not ${endpoint}`,
      )
    },
  )
})

describe('echo', () => {
  it('answers 500 text echoing the request line and every header, Authorization too', async () => {
    const s = await start({ status: { 1: { type: 'echo' } } })
    const token = await getToken(s)
    const path = `${JOB_API}/status/${QUICK.id}`
    const answer = await call(s, 'GET', path, token)
    expect(answer.status).toBe(500)
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/)
    const lines = answer.text.split('\n')
    expect(lines[0]).toBe(`GET ${path} HTTP/1.1`)
    expect(lines).toContain(`Authorization: Bearer ${token}`)
    expect(lines.some((line) => /^host: 127\.0\.0\.1:\d+$/.test(line))).toBe(true)
  })

  it('echoes the client credentials of a token request with the given status', async () => {
    const s = await start({ token: { 1: { type: 'echo', status: 200 } } })
    const answer = await requestToken(s)
    expect(answer.status).toBe(200)
    expect(answer.text).toMatch(/^POST \/spotfire\/oauth2\/token HTTP\/1\.1\n/)
    expect(answer.text).toContain('\nAuthorization: Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=\n')
    expect(s.requests.at(-1)?.fault).toBe('echo')
  })

  it.each([99, 204, 304, 600])('refuses status %d, which cannot carry the echo', async (status) => {
    await expect(start({ status: { 1: { type: 'echo', status } } })).rejects.toThrow(
      `echo fault status ${status}`,
    )
  })
})
