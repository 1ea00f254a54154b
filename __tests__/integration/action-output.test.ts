import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator } from '../../src/simulator/index.js'
import { baseInputs, runAction } from './harness.js'

/** A job message that every CI system would run, were it printed as it is. */
const HOSTILE_MESSAGE = [
  'Task 1 failed: ##vso[task.prependpath]/tmp/evil',
  '##VSO[task.setvariable variable=X]y',
  "##teamcity[setParameter name='env.PATH' value='/tmp/evil']",
].join('\n')

/** Azure's or TeamCity's command anywhere in a line, in any case. */
const RUNNABLE = /##vso\[|##teamcity\[/i

let sim: Simulator
beforeEach(async () => {
  sim = await startSimulator({
    library: [
      {
        path: '/Jobs/Quick',
        id: '5f0c2a1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b',
        lifecycle: { phases: [{ status: 'Queued', polls: 1 }], final: { status: 'Finished' } },
      },
      {
        path: '/Jobs/Hostile',
        id: '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        lifecycle: {
          phases: [{ status: 'InProgress', polls: 1 }],
          final: { status: 'Failed', message: HOSTILE_MESSAGE },
        },
      },
    ],
  })
})
afterEach(async () => {
  await sim.close()
})

describe("the action's log", () => {
  it.each(['true', 'false'])(
    "holds no other CI system's command from a job's message (fail-on-job-failure %s)",
    async (failOnJobFailure) => {
      const run = await runAction({
        inputs: baseInputs(sim.url, {
          'library-path': '/Jobs/Hostile',
          'fail-on-job-failure': failOnJobFailure,
        }),
      })
      expect(run.log).toContain('/tmp/evil')
      expect(run.log).not.toMatch(RUNNABLE)
    },
  )
})

describe("the action's failure on invalid inputs", () => {
  it("holds no other CI system's command from the value it quotes", async () => {
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-path': '/Jobs/Quick',
        timeout: '##vso[task.prependpath]/tmp/evil',
      }),
    })
    expect(run.exitCode).toBe(1)
    expect(sim.jobs).toHaveLength(0)
    expect(run.log).toContain('/tmp/evil')
    expect(run.log).not.toMatch(RUNNABLE)
  })
})

describe('a job summary that cannot be written', () => {
  it('is a warning, and the outputs of the jobs that ran are set', async () => {
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'library-path': '/Jobs/Quick' }),
      // A directory where the summary file should be.
      env: { GITHUB_STEP_SUMMARY: mkdtempSync(join(tmpdir(), 'summary-dir-')) },
    })
    expect(run.exitCode).toBe(0)
    expect(sim.jobs).toHaveLength(1)
    expect(run.outputs).toMatchObject({ 'job-id': sim.jobs[0]?.id, status: 'Finished' })
    expect(run.annotations).toContainEqual({
      level: 'warning',
      message: expect.stringContaining('job summary') as unknown as string,
    })
    expect(run.annotations.filter((a) => a.level === 'error')).toEqual([])
  })
})
