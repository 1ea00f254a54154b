import { describe, expect, it } from '@jest/globals'
import {
  randomFaults,
  startSimulator,
  type LibraryItem,
  type Lifecycle,
} from '../../src/simulator/index.js'
import { baseInputs, runAction } from './harness.js'

/**
 * Seeded chaos: many runs against a hostile network — resets, timeouts, 5xx with Retry-After: 0
 * or dates in the past, proxy 404 pages, Busy answers with and without a job, trickled and
 * oversized answers, a cluster node that has not heard of a new job — and the invariants checked
 * in each. SOAK_SEED and SOAK_RUNS replay or widen it; CI runs the fixed seed below, under Node 20
 * and again under Node 24.
 */
const SEED = Number(process.env.SOAK_SEED ?? 20261129)
const RUNS = Number(process.env.SOAK_RUNS ?? 60)
const PARALLEL = 6
const FAULT_PROBABILITY = 0.25
const TERMINAL = ['Finished', 'Failed', 'Canceled']

/** A small seeded generator for the scenario itself (the faults have their own). */
function scenario(seed: number): {
  library: LibraryItem[]
  tokenLifetimeSeconds: number
  maxParallel: number
} {
  let state = seed >>> 0
  const next = (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state % n
  }
  const lifecycle = (): Lifecycle => ({
    phases: [
      { status: 'Queued', polls: next(3) },
      { status: 'InProgress', polls: 1 + next(3) },
    ],
    final:
      next(4) === 0
        ? {
            status: 'Failed',
            message: "Task 1 'Export Data to File' failed with: No analysis loaded.",
          }
        : { status: 'Finished', message: '' },
  })
  const jobs = 1 + next(3)
  return {
    library: Array.from({ length: jobs }, (_, i) => ({
      path: `/Jobs/Soak ${i + 1}`,
      id: `5f0c2a1e-3b4d-4e6f-8a9b-0c1d2e3f4a5${i}`,
      lifecycle: lifecycle(),
    })),
    tokenLifetimeSeconds: next(3) === 0 ? 2 : 3600,
    maxParallel: 1 + next(2),
  }
}

async function soakRun(index: number): Promise<{ problems: string[]; unknowable: number }> {
  const seed = SEED + index
  const { library, tokenLifetimeSeconds, maxParallel } = scenario(seed)
  const sim = await startSimulator({
    library,
    tokenLifetimeSeconds,
    faults: randomFaults(seed, FAULT_PROBABILITY, { hostile: true }),
  })
  try {
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-path': library.map((item) => item.path).join('\n'),
        'max-parallel': String(maxParallel),
        'request-timeout': '1s',
        timeout: '30s',
      }),
    })
    const problems: string[] = []
    const errors = run.annotations.filter((a) => a.level === 'error')
    const known = (run.outputs['job-id'] ?? '').split('\n').filter((id) => id !== '')
    for (const item of library) {
      const started = sim.jobs.filter(
        (job) => job.source.kind === 'library' && job.source.path === item.path,
      )
      if (started.length > 1) problems.push(`${item.path} started ${started.length} times`)
    }
    const allFinished = run.outputs.status === 'Finished'
    if ((run.exitCode === 0) !== allFinished) {
      problems.push(`exit code ${String(run.exitCode)} with status '${run.outputs.status ?? ''}'`)
    }
    if (run.exitCode !== 0 && errors.length === 0)
      problems.push('failed without an error annotation')
    for (const id of known) {
      if (!sim.jobs.some((job) => job.id === id)) problems.push(`job-id output ${id} is no job`)
    }
    let unknowable = 0
    for (const job of sim.jobs) {
      if (TERMINAL.includes(job.status)) continue
      // A job left running is only excused when its start's answer never arrived (so nobody has
      // its id: the API cannot list jobs), and the action said so, naming the job's source.
      const path = job.source.kind === 'library' ? (job.source.path ?? '') : ''
      const told = errors.some(
        (e) => e.message.includes('may have reached the server') && e.message.includes(path),
      )
      if (known.includes(job.id) || !told) problems.push(`${path} left ${job.status} (orphaned)`)
      else unknowable++
    }
    return { problems: problems.map((p) => `run ${index} (seed ${seed}): ${p}`), unknowable }
  } finally {
    await sim.close()
  }
}

describe('soak: a hostile network on every endpoint', () => {
  it(`keeps every invariant over ${RUNS} seeded runs`, async () => {
    const problems: string[] = []
    let unknowable = 0
    for (let first = 0; first < RUNS; first += PARALLEL) {
      const batch = Array.from({ length: Math.min(PARALLEL, RUNS - first) }, (_, i) =>
        soakRun(first + i),
      )
      for (const found of await Promise.all(batch)) {
        problems.push(...found.problems)
        unknowable += found.unknowable
      }
    }
    expect(problems).toEqual([])
    // Visible in the test output: how many starts lost their answer (reported, not abortable).
    console.info(`soak: ${RUNS} runs, ${unknowable} jobs whose start answer was lost`)
  }, 600_000)
})
