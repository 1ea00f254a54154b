import { afterEach, describe, expect, it } from '@jest/globals'
import { randomUUID } from 'node:crypto'
import {
  SAMPLE_LIBRARY,
  startSimulator,
  type Lifecycle,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator/index.js'
import { jobApi, jobBody, manualClock, pollStatuses, type JobApi, ZERO } from './helpers.js'

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

/** A simulator whose library holds one job with this lifecycle at /Jobs/Test. */
async function withJob(
  lifecycle: Lifecycle,
  options: SimulatorOptions = {},
): Promise<{ api: JobApi; id: string; first: string }> {
  sim = await startSimulator({
    library: [{ path: '/Jobs/Test', id: randomUUID(), lifecycle }],
    ...options,
  })
  const api = await jobApi(sim)
  const start = jobBody(await api.startLibrary('path=/Jobs/Test'))
  return { api, id: start.JobId, first: start.StatusCode }
}

describe('phases counted in polls', () => {
  it('shows each phase to exactly `polls` status requests, then the final status for good', async () => {
    const { api, id, first } = await withJob({
      phases: [
        { status: 'Queued', polls: 2 },
        { status: 'InProgress', polls: 1 },
      ],
      final: { status: 'Failed', message: "Task 1 'Export' failed with: disk full" },
    })
    expect(first).toBe('Queued')
    expect(await pollStatuses(api, id, 6)).toEqual([
      'Queued',
      'Queued',
      'InProgress',
      'Failed',
      'Failed',
      'Failed',
    ])
    expect(jobBody(await api.status(id)).Message).toBe("Task 1 'Export' failed with: disk full")
    expect(sim?.jobs[0]).toMatchObject({
      statusPolls: 7,
      status: 'Failed',
      history: ['Queued', 'InProgress', 'Failed'],
    })
  })

  it('skips phases of zero polls and answers the final status at once with no phases', async () => {
    const skipped = await withJob({
      phases: [
        { status: 'Queued', polls: 0 },
        { status: 'InProgress', polls: 1 },
      ],
      final: { status: 'Finished' },
    })
    expect(skipped.first).toBe('InProgress')
    await sim?.close()
    const none = await withJob({ phases: [], final: { status: 'Finished', message: 'done' } })
    expect(none.first).toBe('Finished')
  })

  it('passes unknown (newer) status names through unchanged', async () => {
    const { api, id, first } = await withJob({
      phases: [{ status: 'WaitingForResources', polls: 1 }],
      final: { status: 'Finished' },
    })
    expect(first).toBe('WaitingForResources')
    expect(await pollStatuses(api, id, 2)).toEqual(['WaitingForResources', 'Finished'])
  })

  it('never ends a phase with neither polls nor ms', async () => {
    const clock = manualClock()
    const { api, id } = await withJob(
      { phases: [{ status: 'InProgress' }], final: { status: 'Finished' } },
      { clock: clock.now, tokenLifetimeSeconds: 400 * 24 * 3600 },
    )
    clock.advance(365 * 24 * 3600 * 1000)
    expect(await pollStatuses(api, id, 5)).toEqual(Array(5).fill('InProgress'))
  })
})

describe('phases counted in time (injected clock)', () => {
  it('moves on when ms have passed since the phase began', async () => {
    const clock = manualClock()
    const { api, id, first } = await withJob(
      {
        phases: [
          { status: 'Queued', ms: 1000 },
          { status: 'InProgress', ms: 2000 },
        ],
        final: { status: 'Finished' },
      },
      { clock: clock.now },
    )
    expect(first).toBe('Queued')
    clock.advance(999)
    expect(await pollStatuses(api, id, 3)).toEqual(['Queued', 'Queued', 'Queued'])
    clock.advance(1)
    expect(await pollStatuses(api, id, 1)).toEqual(['InProgress'])
    clock.advance(1999)
    expect(await pollStatuses(api, id, 1)).toEqual(['InProgress'])
    clock.advance(1)
    expect(await pollStatuses(api, id, 1)).toEqual(['Finished'])
  })

  it('ends several phases between two polls at their scheduled times', async () => {
    const clock = manualClock()
    const { api, id } = await withJob(
      {
        phases: [
          { status: 'Queued', ms: 1000 },
          { status: 'InProgress', ms: 1000 },
          { status: 'Exporting', ms: 5000 },
        ],
        final: { status: 'Finished' },
      },
      { clock: clock.now },
    )
    clock.advance(2500)
    expect(await pollStatuses(api, id, 1)).toEqual(['Exporting'])
    clock.advance(4499)
    expect(await pollStatuses(api, id, 1)).toEqual(['Exporting'])
    clock.advance(1)
    expect(await pollStatuses(api, id, 1)).toEqual(['Finished'])
    expect(sim?.jobs[0]?.history).toEqual(['Queued', 'InProgress', 'Exporting', 'Finished'])
  })

  it('ends a phase with both polls and ms at whichever comes first', async () => {
    const clock = manualClock()
    const { api, id } = await withJob(
      {
        phases: [
          { status: 'Queued', polls: 2, ms: 1000 },
          { status: 'InProgress', polls: 3, ms: 1000 },
        ],
        final: { status: 'Finished' },
      },
      { clock: clock.now },
    )
    expect(await pollStatuses(api, id, 2)).toEqual(['Queued', 'Queued'])
    expect(await pollStatuses(api, id, 1)).toEqual(['InProgress'])
    clock.advance(1000)
    expect(await pollStatuses(api, id, 1)).toEqual(['Finished'])
  })

  it('plays the sample library in real-looking time', async () => {
    const clock = manualClock()
    sim = await startSimulator({ clock: clock.now })
    const api = await jobApi(sim)
    const ids = []
    for (const item of SAMPLE_LIBRARY) {
      ids.push(jobBody(await api.startLibrary(`id=${item.id}`)).JobId)
    }
    const [refresh = '', failing = '', never = ''] = ids
    expect(await pollStatuses(api, refresh, 1)).toEqual(['Queued'])
    clock.advance(1000)
    expect(jobBody(await api.status(failing))).toMatchObject({ StatusCode: 'InProgress' })
    clock.advance(2000)
    expect(jobBody(await api.status(refresh))).toEqual({
      JobId: refresh,
      StatusCode: 'Finished',
      Message: '',
    })
    expect(jobBody(await api.status(failing))).toMatchObject({
      StatusCode: 'Failed',
      Message: "Task 1 'Export Data to File' failed with: No analysis loaded.",
    })
    clock.advance(30 * 60 * 1000)
    expect(jobBody(await api.status(never)).StatusCode).toBe('InProgress')
  })

  it('runs inline jobs through Queued 1 s and InProgress 2 s by default', async () => {
    const clock = manualClock()
    sim = await startSimulator({ clock: clock.now })
    const api = await jobApi(sim)
    const xml = '<Job xmlns="urn:tibco:spotfire.dxp.automation"><Tasks/></Job>'
    const id = jobBody(await api.startContent(xml)).JobId
    clock.advance(1000)
    expect(await pollStatuses(api, id, 1)).toEqual(['InProgress'])
    clock.advance(2000)
    expect(await pollStatuses(api, id, 1)).toEqual(['Finished'])
  })
})

describe('unknown jobs', () => {
  it('answers 404 for an id it never issued, or the zero id, by default', async () => {
    sim = await startSimulator()
    const api = await jobApi(sim)
    expect((await api.status(randomUUID())).status).toBe(404)
    expect((await api.status(ZERO)).status).toBe(404)
    expect((await api.abort(randomUUID(), 'x')).status).toBe(404)
  })

  it('answers 200 Missing in the missing variant', async () => {
    sim = await startSimulator({ unknownJob: 'missing' })
    const api = await jobApi(sim)
    const id = randomUUID()
    for (const answer of [await api.status(id), await api.abort(id, 'x')]) {
      expect(answer.status).toBe(200)
      expect(answer.json).toEqual({ JobId: id, StatusCode: 'Missing', Message: expect.any(String) })
    }
  })

  it.each(['http404', 'missing'] as const)(
    'answers 400 to a malformed id (unknownJob %s)',
    async (unknownJob) => {
      sim = await startSimulator({ unknownJob })
      const api = await jobApi(sim)
      for (const id of ['not-a-guid', '1234', `${randomUUID()}x`, '%E0%A4%A']) {
        expect((await api.status(id)).status).toBe(400)
        expect((await api.abort(id, 'x')).status).toBe(400)
      }
    },
  )

  it('lets a job vanish when its lifecycle ends in Missing', async () => {
    const { api, id } = await withJob({
      phases: [{ status: 'InProgress', polls: 1 }],
      final: { status: 'Missing' },
    })
    const [inProgress, gone] = [await api.status(id), await api.status(id)]
    expect(jobBody(inProgress).StatusCode).toBe('InProgress')
    expect(gone.status).toBe(404)
    expect(sim?.jobs[0]?.status).toBe('Missing')
    sim?.update({ unknownJob: 'missing' })
    const missing = await api.status(id)
    expect(missing.status).toBe(200)
    expect(jobBody(missing)).toMatchObject({ JobId: id, StatusCode: 'Missing' })
    expect((await api.abort(id, 'late')).status).toBe(200)
    expect(sim?.jobs[0]?.status).toBe('Missing')
  })
})
