import { afterEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type FaultPlan, type Simulator } from '../../src/simulator/index.js'
import { JOB_API, JOB_XML, jobApi, jobBody, manualClock, ZERO } from './helpers.js'

/** Answers a client must not take at their word: they come from something in front of the API. */

const QUICK = {
  path: '/Jobs/Quick',
  id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  lifecycle: { phases: [{ status: 'Queued', polls: 1 }], final: { status: 'Finished' } },
}
const ENVOY_RESET =
  'upstream connect error or disconnect/reset before headers. reset reason: connection termination'

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

async function start(faults: FaultPlan, clock?: () => number): Promise<Simulator> {
  sim = await startSimulator({
    library: [QUICK],
    faults,
    ...(clock === undefined ? {} : { clock }),
  })
  return sim
}

describe('json-404', () => {
  it("answers status and abort with a gateway's JSON 404, and the job runs on", async () => {
    const s = await start({
      status: { 1: { type: 'json-404' } },
      abort: { 1: { type: 'json-404', style: 'gateway' } },
    })
    const api = await jobApi(s)
    const id = jobBody(await api.startLibrary('path=/Jobs/Quick')).JobId
    for (const answer of [await api.status(id), await api.abort(id, 'stop')]) {
      expect(answer.status).toBe(404)
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/)
      expect(answer.json).toEqual({ message: 'no Route matched with those values' })
    }
    expect(s.jobs[0]).toMatchObject({ status: 'Queued', statusPolls: 0, abortReasons: [] })
    expect(s.requests.filter((r) => r.fault === 'json-404')).toHaveLength(2)
    expect(jobBody(await api.status(id)).StatusCode).toBe('Queued')
  })

  it("answers a Spring Boot error page with the server's time and the request path", async () => {
    const clock = manualClock(Date.UTC(2026, 0, 2, 3, 4, 5))
    const s = await start({ status: { 1: { type: 'json-404', style: 'spring' } } }, clock.now)
    const api = await jobApi(s)
    const id = jobBody(await api.startLibrary('path=/Jobs/Quick')).JobId
    const answer = await api.status(id)
    expect(answer.status).toBe(404)
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/)
    expect(answer.json).toEqual({
      timestamp: '2026-01-02T03:04:05.000Z',
      status: 404,
      error: 'Not Found',
      path: `${JOB_API}/status/${id}`,
    })
    expect(s.jobs[0]?.statusPolls).toBe(0)
  })

  it.each(['token', 'metadata', 'start-library', 'start-content'] as const)(
    'is refused on %s',
    async (endpoint) => {
      await expect(start({ [endpoint]: { 1: { type: 'json-404' } } })).rejects.toThrow(
        `'json-404' fault only fits status and abort, not ${endpoint}`,
      )
    },
  )
})

describe('upstream-reset and no-upstream', () => {
  it('upstream-reset creates the job, which runs, and answers the Envoy 503 without Retry-After', async () => {
    const s = await start({
      'start-library': { 1: { type: 'upstream-reset' } },
      'start-content': { 1: { type: 'upstream-reset' } },
    })
    const api = await jobApi(s)
    for (const answer of [
      await api.startLibrary('path=/Jobs/Quick'),
      await api.startContent(JOB_XML),
    ]) {
      expect(answer.status).toBe(503)
      expect(answer.headers.get('content-type')).toMatch(/^text\/plain/)
      expect(answer.headers.get('retry-after')).toBeNull()
      expect(answer.text).toBe(ENVOY_RESET)
    }
    expect(s.jobs.map((job) => [job.source.kind, job.status])).toEqual([
      ['library', 'Queued'],
      ['content', 'Queued'],
    ])
    const id = s.jobs[0]?.id ?? ''
    expect(jobBody(await api.status(id)).StatusCode).toBe('Queued')
    expect(jobBody(await api.status(id)).StatusCode).toBe('Finished')
  })

  it('records which start request created each job, to see the fault it met', async () => {
    const s = await start({ 'start-library': { 2: { type: 'upstream-reset' } } })
    const api = await jobApi(s)
    await api.startLibrary('path=/Jobs/Nope')
    await api.startLibrary('path=/Jobs/Quick')
    await api.startLibrary('path=/Jobs/Quick')
    expect(s.jobs.map((job) => job.startRequest)).toEqual([2, 3])
    const met = s.jobs.map(
      (job) =>
        s.requests.find((r) => r.endpoint === 'start-library' && r.n === job.startRequest)?.fault,
    )
    expect(met).toEqual(['upstream-reset', undefined])
  })

  it('no-upstream answers 503 with Retry-After and creates no job', async () => {
    const s = await start({
      'start-library': { 1: { type: 'no-upstream' }, 2: { type: 'no-upstream', retryAfter: '5' } },
    })
    const api = await jobApi(s)
    const first = await api.startLibrary('path=/Jobs/Quick')
    expect(first.status).toBe(503)
    expect(first.headers.get('retry-after')).toBe('1')
    expect(first.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(first.text).toBe('no healthy upstream')
    expect((await api.startLibrary('path=/Jobs/Quick')).headers.get('retry-after')).toBe('5')
    expect(s.jobs).toHaveLength(0)
    expect(jobBody(await api.startLibrary('path=/Jobs/Quick')).StatusCode).toBe('Queued')
    expect(s.jobs).toHaveLength(1)
  })
})

describe('created', () => {
  it.each([201, 202] as const)('answers a start %i with the normal JSON body', async (status) => {
    const s = await start({
      'start-library': { 1: { type: 'created', status } },
      'start-content': { 1: { type: 'created', status } },
    })
    const api = await jobApi(s)
    const answers = [await api.startLibrary('path=/Jobs/Quick'), await api.startContent(JOB_XML)]
    expect(s.jobs).toHaveLength(2)
    answers.forEach((answer, i) => {
      expect(answer.status).toBe(status)
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/)
      expect(answer.json).toEqual({ JobId: s.jobs[i]?.id, StatusCode: 'Queued', Message: '' })
    })
  })

  it('passes the real answer through when the start creates no job', async () => {
    const s = await start({ 'start-library': { 1: { type: 'created', status: 201 } } })
    const api = await jobApi(s)
    const answer = await api.startLibrary('path=/Jobs/Nope')
    expect(answer.status).toBe(200)
    expect(jobBody(answer)).toMatchObject({ JobId: ZERO, StatusCode: 'Failed' })
  })

  it('is refused on status, and with a status that is not 201 or 202', async () => {
    await expect(start({ status: { 1: { type: 'created', status: 201 } } })).rejects.toThrow(
      "a 'created-201' fault only fits start-library and start-content, not status",
    )
    await expect(
      start({ 'start-library': { 1: { type: 'created', status: 200 as 201 } } }),
    ).rejects.toThrow('created fault status 200 is not 201 or 202')
  })
})

describe('braced-id', () => {
  it('creates the job and answers its id in braces', async () => {
    const s = await start({ 'start-library': { 1: { type: 'braced-id' } } })
    const api = await jobApi(s)
    const answer = await api.startLibrary('path=/Jobs/Quick')
    const id = s.jobs[0]?.id ?? ''
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual({ JobId: `{${id}}`, StatusCode: 'Queued', Message: '' })
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    // The API itself knows the job by its bare id only, as a Java UUID would parse it.
    expect((await api.status(`{${id}}`)).status).toBe(400)
    expect(jobBody(await api.status(id)).StatusCode).toBe('Queued')
  })

  it('is refused on abort', async () => {
    await expect(start({ abort: { 1: { type: 'braced-id' } } })).rejects.toThrow(
      "a 'braced-id' fault only fits start-library and start-content, not abort",
    )
  })
})

describe('other-job', () => {
  it('answers a status or abort with another job that finished, and touches neither', async () => {
    const s = await start({
      status: { 3: { type: 'other-job' } },
      abort: { 1: { type: 'other-job' } },
    })
    const api = await jobApi(s)
    const done = jobBody(await api.startLibrary('path=/Jobs/Quick')).JobId
    await api.status(done)
    expect(jobBody(await api.status(done)).StatusCode).toBe('Finished')
    const running = jobBody(await api.startLibrary('path=/Jobs/Quick')).JobId
    expect(jobBody(await api.status(running))).toEqual({
      JobId: done,
      StatusCode: 'Finished',
      Message: '',
    })
    expect(jobBody(await api.abort(running, 'stop'))).toMatchObject({
      JobId: done,
      StatusCode: 'Finished',
    })
    expect(s.jobs.map((job) => [job.status, job.statusPolls, job.abortReasons])).toEqual([
      ['Finished', 2, []],
      ['Queued', 0, []],
    ])
  })

  it('names a job that finished before the simulator started when it ran none', async () => {
    const s = await start({ status: { 1: { type: 'other-job' } } })
    const api = await jobApi(s)
    const id = jobBody(await api.startLibrary('path=/Jobs/Quick')).JobId
    const other = jobBody(await api.status(id))
    expect(other.StatusCode).toBe('Finished')
    expect(other.JobId).not.toBe(id)
    expect(other.JobId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(s.jobs.map((job) => job.id)).toEqual([id])
    // A real job the server knows: asked for itself, it answers the same.
    expect(jobBody(await api.status(other.JobId))).toEqual(other)
  })

  it('is refused on starts', async () => {
    await expect(start({ 'start-content': { 1: { type: 'other-job' } } })).rejects.toThrow(
      "a 'other-job' fault only fits status and abort, not start-content",
    )
  })
})
