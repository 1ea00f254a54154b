import { describe, expect, it } from '@jest/globals'
import { JobStore } from '../../src/simulator/jobs.js'
import { parseCliArgs } from '../../src/simulator/cli.js'
import type { Lifecycle } from '../../src/simulator/types.js'
import { manualClock } from './helpers.js'

const ONE_MINUTE: Lifecycle = {
  phases: [{ status: 'InProgress', ms: 60_000 }],
  final: { status: 'Finished', message: '' },
}
const source = { kind: 'library', path: '/Jobs/A' } as const

describe('job slots', () => {
  it('runs at most N jobs at once; the others wait Queued until a slot frees', () => {
    const clock = manualClock()
    const store = new JobStore(clock.now, { jobSlots: 2 })
    const a = store.create(source, ONE_MINUTE)
    clock.advance(10_000)
    const b = store.create(source, ONE_MINUTE)
    const c = store.create(source, ONE_MINUTE)
    expect([a.StatusCode, b.StatusCode, c.StatusCode]).toEqual([
      'InProgress',
      'InProgress',
      'Queued',
    ])
    clock.advance(49_000)
    expect(store.status(c.JobId)?.StatusCode).toBe('Queued')
    // a ends at 60 s: c takes its slot then, and runs its full minute from there.
    clock.advance(1_000)
    expect(store.status(a.JobId)?.StatusCode).toBe('Finished')
    expect(store.status(c.JobId)?.StatusCode).toBe('InProgress')
    clock.advance(59_999)
    expect(store.status(c.JobId)?.StatusCode).toBe('InProgress')
    clock.advance(1)
    expect(store.status(c.JobId)?.StatusCode).toBe('Finished')
    expect(store.jobs.map((job) => job.history)).toEqual([
      ['InProgress', 'Finished'],
      ['InProgress', 'Finished'],
      ['Queued', 'InProgress', 'Finished'],
    ])
  })

  it('frees a slot when a running job is aborted', () => {
    const clock = manualClock()
    const store = new JobStore(clock.now, { jobSlots: 1 })
    const a = store.create(source, ONE_MINUTE)
    const b = store.create(source, ONE_MINUTE)
    expect(b.StatusCode).toBe('Queued')
    expect(store.abort(a.JobId, '')?.StatusCode).toBe('Canceled')
    expect(store.status(b.JobId)?.StatusCode).toBe('InProgress')
  })

  it('has no limit by default', () => {
    const store = new JobStore(manualClock().now)
    const answers = Array.from({ length: 5 }, () => store.create(source, ONE_MINUTE))
    expect(answers.every((answer) => answer.StatusCode === 'InProgress')).toBe(true)
  })

  it('is set by --job-slots, a whole number at least 1', () => {
    const command = parseCliArgs(['--job-slots', '3'])
    expect(command.kind === 'run' && command.options.jobSlots).toBe(3)
    expect(() => parseCliArgs(['--job-slots', '0'])).toThrow(
      "Option --job-slots must be a whole number at least 1, not '0'.",
    )
  })
})
