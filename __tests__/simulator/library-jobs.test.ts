import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import {
  SAMPLE_LIBRARY,
  startSimulator,
  type LibraryItem,
  type Simulator,
} from '../../src/simulator/index.js'
import { call, getToken, JOB_API, jobApi, jobBody, type JobApi, ZERO } from './helpers.js'

const ONE_POLL = { phases: [{ status: 'Queued', polls: 1 }], final: { status: 'Finished' } }
const ALPHA: LibraryItem = {
  path: '/Jobs/Alpha',
  id: '11111111-2222-4333-8444-555555555555',
  lifecycle: ONE_POLL,
}
const BETA: LibraryItem = {
  path: '/Jobs/Beta',
  id: '66666666-7777-4888-9999-aaaaaaaaaaaa',
  lifecycle: { phases: [{ status: 'InProgress' }], final: { status: 'Finished' } },
}

let sim: Simulator
let api: JobApi
beforeEach(async () => {
  sim = await startSimulator({ library: [ALPHA, BETA] })
  api = await jobApi(sim)
})
afterEach(async () => {
  await sim.close()
})

describe('start-library', () => {
  it('starts a job by path and answers its first status', async () => {
    const answer = await api.startLibrary(`path=${encodeURIComponent(ALPHA.path)}`)
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/)
    const body = jobBody(answer)
    expect(body).toEqual({ JobId: expect.any(String), StatusCode: 'Queued', Message: '' })
    expect(body.JobId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(body.JobId).not.toBe(ZERO)
    expect(sim.jobs).toHaveLength(1)
    expect(sim.jobs[0]).toMatchObject({
      id: body.JobId,
      source: { kind: 'library', path: ALPHA.path },
      status: 'Queued',
      statusPolls: 0,
      abortReasons: [],
      history: ['Queued'],
    })
  })

  it('accepts + for spaces in the path, as form-style query encoding sends it', async () => {
    const s = await startSimulator()
    try {
      const token = await getToken(s)
      const answer = await call(
        s,
        'POST',
        `${JOB_API}/start-library?path=/Samples/Refresh+sales`,
        token,
      )
      expect(jobBody(answer).StatusCode).toBe('Queued')
    } finally {
      await s.close()
    }
  })

  it('starts a job by id, in any letter case', async () => {
    const body = jobBody(await api.startLibrary(`id=${BETA.id.toUpperCase()}`))
    expect(body.StatusCode).toBe('InProgress')
    expect(sim.jobs[0]?.source).toEqual({ kind: 'library', id: BETA.id.toUpperCase() })
  })

  it('lets the id win when both path and id are given', async () => {
    const body = jobBody(
      await api.startLibrary(`path=${encodeURIComponent(ALPHA.path)}&id=${BETA.id}`),
    )
    expect(body.StatusCode).toBe('InProgress')
    expect(sim.jobs[0]?.source).toEqual({ kind: 'library', path: ALPHA.path, id: BETA.id })
  })

  it('answers an unknown id as not found even if the path exists', async () => {
    const body = jobBody(
      await api.startLibrary(
        `path=${encodeURIComponent(ALPHA.path)}&id=${ZERO.replace(/0$/, '1')}`,
      ),
    )
    expect(body.StatusCode).toBe('Failed')
    expect(sim.jobs).toHaveLength(0)
  })

  it.each([['path=/Jobs/Nope'], ['id=12345678-1234-4234-8234-123456789abc']])(
    'answers 200 Failed with the zero id for an unknown item (%s)',
    async (query) => {
      const answer = await api.startLibrary(query)
      expect(answer.status).toBe(200)
      expect(answer.json).toEqual({
        JobId: ZERO,
        StatusCode: 'Failed',
        Message: 'Job file not found or no access.',
      })
      expect(sim.jobs).toHaveLength(0)
    },
  )

  it('answers 400 without path or id', async () => {
    expect((await api.startLibrary('')).status).toBe(400)
    expect((await api.startLibrary('path=&id=')).status).toBe(400)
    expect(sim.jobs).toHaveLength(0)
  })

  it('answers 405 to GET and 404 to paths it does not know', async () => {
    const token = await getToken(sim)
    const get = await call(sim, 'GET', `${JOB_API}/start-library?path=/Jobs/Alpha`, token)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    expect((await call(sim, 'GET', '/spotfire/elsewhere', undefined)).status).toBe(404)
    expect((await call(sim, 'POST', `${JOB_API}/start-library/`, token)).status).toBe(404)
    expect(sim.jobs).toHaveLength(0)
  })

  it('uses a library replaced by update() for new jobs', async () => {
    sim.update({ library: [{ ...ALPHA, path: '/Jobs/Renamed' }] })
    expect(jobBody(await api.startLibrary('path=/Jobs/Renamed')).StatusCode).toBe('Queued')
    expect(jobBody(await api.startLibrary(`path=${BETA.path}`)).JobId).toBe(ZERO)
  })
})

describe('the built-in sample library', () => {
  it('has the three demo jobs under /Samples with fixed, distinct ids', () => {
    expect(SAMPLE_LIBRARY.map((item) => item.path)).toEqual([
      '/Samples/Refresh sales',
      '/Samples/Failing export',
      '/Samples/Never ends',
    ])
    const ids = new Set(SAMPLE_LIBRARY.map((item) => item.id))
    expect(ids.size).toBe(3)
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})
