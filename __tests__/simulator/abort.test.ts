import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator } from '../../src/simulator/index.js'
import { jobApi, jobBody, pollStatuses, type JobApi } from './helpers.js'

let sim: Simulator
let api: JobApi
beforeEach(async () => {
  sim = await startSimulator({
    library: [
      {
        path: '/Jobs/Quick',
        id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
        lifecycle: { phases: [{ status: 'InProgress', polls: 1 }], final: { status: 'Finished' } },
      },
    ],
  })
  api = await jobApi(sim)
})
afterEach(async () => {
  await sim.close()
})

async function startQuick(): Promise<string> {
  return jobBody(await api.startLibrary('path=/Jobs/Quick')).JobId
}

describe('abort', () => {
  it('cancels a running job with the reason in the message', async () => {
    const id = await startQuick()
    const answer = await api.abort(id, 'Workflow run 4242 was canceled & cleaned up')
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual({
      JobId: id,
      StatusCode: 'Canceled',
      Message: 'Aborted: Workflow run 4242 was canceled & cleaned up',
    })
    expect(await pollStatuses(api, id, 2)).toEqual(['Canceled', 'Canceled'])
    expect(sim.jobs[0]?.history).toEqual(['InProgress', 'Canceled'])
  })

  it('is idempotent and records every reason in order', async () => {
    const id = await startQuick()
    await api.abort(id, 'first')
    const again = jobBody(await api.abort(id, 'second'))
    expect(again).toMatchObject({ StatusCode: 'Canceled', Message: 'Aborted: first' })
    await api.abort(id)
    expect(sim.jobs[0]?.abortReasons).toEqual(['first', 'second', ''])
  })

  it('leaves a finished job as it is', async () => {
    const id = await startQuick()
    expect(await pollStatuses(api, id, 2)).toEqual(['InProgress', 'Finished'])
    const answer = jobBody(await api.abort(id, 'too late'))
    expect(answer).toMatchObject({ JobId: id, StatusCode: 'Finished' })
    expect(sim.jobs[0]).toMatchObject({ status: 'Finished', abortReasons: ['too late'] })
  })

  it('does not count as a status poll', async () => {
    const id = await startQuick()
    await api.abort(id, 'stop')
    expect(sim.jobs[0]?.statusPolls).toBe(0)
  })
})
