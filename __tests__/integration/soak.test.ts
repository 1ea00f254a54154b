import { describe, expect, it } from '@jest/globals'
import { randomFaults, startSimulator, type Lifecycle } from '../../src/simulator/index.js'
import { baseInputs, runAction } from './harness.js'

/**
 * Seeded chaos: many runs, random faults on every endpoint, and the invariants checked in each.
 * SOAK_SEED and SOAK_RUNS replay or widen it; CI runs the fixed seed below.
 */
const SEED = Number(process.env.SOAK_SEED ?? 20261129)
const RUNS = Number(process.env.SOAK_RUNS ?? 60)
const PARALLEL = 4
const FAULT_PROBABILITY = 0.25
const TERMINAL = ['Finished', 'Failed', 'Canceled']

/** A small seeded generator for the scenario itself (the faults have their own). */
function scenario(seed: number): { lifecycle: Lifecycle; tokenLifetimeSeconds: number } {
  let state = seed >>> 0
  const next = (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state % n
  }
  const fails = next(4) === 0
  return {
    lifecycle: {
      phases: [
        { status: 'Queued', polls: next(3) },
        { status: 'InProgress', polls: 1 + next(3) },
      ],
      final: fails
        ? {
            status: 'Failed',
            message: "Task 1 'Export Data to File' failed with: No analysis loaded.",
          }
        : { status: 'Finished', message: '' },
    },
    tokenLifetimeSeconds: next(3) === 0 ? 2 : 3600,
  }
}

async function soakRun(index: number): Promise<string[]> {
  const seed = SEED + index
  const { lifecycle, tokenLifetimeSeconds } = scenario(seed)
  const sim = await startSimulator({
    library: [{ path: '/Jobs/Soak', id: '5f0c2a1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b', lifecycle }],
    tokenLifetimeSeconds,
    faults: randomFaults(seed, FAULT_PROBABILITY),
  })
  try {
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-path': '/Jobs/Soak',
        'request-timeout': '1s',
        timeout: '20s',
      }),
    })
    const problems: string[] = []
    const errors = run.annotations.filter((a) => a.level === 'error')
    const job = sim.jobs[0]
    if (sim.jobs.length > 1) problems.push(`${sim.jobs.length} jobs started`)
    if ((run.exitCode === 0) !== (run.outputs.status === 'Finished')) {
      problems.push(`exit code ${String(run.exitCode)} with status '${run.outputs.status ?? ''}'`)
    }
    if (run.exitCode !== 0 && errors.length === 0)
      problems.push('failed without an error annotation')
    if (job !== undefined && run.outputs['job-id'] !== '' && run.outputs['job-id'] !== job.id) {
      problems.push(`job-id output ${run.outputs['job-id'] ?? ''} is not the job ${job.id}`)
    }
    if (job !== undefined && !TERMINAL.includes(job.status)) {
      // The only excuse for a job left running: the action never learned its id, and said so.
      const toldUser = errors.some((e) => e.message.includes('may have reached the server'))
      if (run.outputs['job-id'] !== '' || !toldUser)
        problems.push(`job left ${job.status} (orphaned)`)
    }
    return problems.map((p) => `run ${index} (seed ${seed}): ${p}`)
  } finally {
    await sim.close()
  }
}

describe('soak: random faults on every endpoint', () => {
  it(`keeps every invariant over ${RUNS} seeded runs`, async () => {
    const problems: string[] = []
    for (let first = 0; first < RUNS; first += PARALLEL) {
      const batch = Array.from({ length: Math.min(PARALLEL, RUNS - first) }, (_, i) =>
        soakRun(first + i),
      )
      for (const found of await Promise.all(batch)) problems.push(...found)
    }
    expect(problems).toEqual([])
  }, 300_000)
})
