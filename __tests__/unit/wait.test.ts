import { describe, expect, it, jest } from '@jest/globals'
import { SpotfireError } from '../../src/spotfire/errors.js'
import type { JobStatus } from '../../src/spotfire/status.js'
import { pollDelay, waitForJobs, type WaitOptions, type WatchedJob } from '../../src/wait.js'
import { FakeClock, T0 } from './fake-clock.js'
import { JOB_ID } from './fixtures.js'

const status = (statusCode: string, message = '', jobId = JOB_ID): JobStatus => ({
  jobId,
  statusCode,
  message,
})

const watched = (statusCode = 'Queued', jobId = JOB_ID): WatchedJob => ({
  jobId,
  startedAt: T0,
  status: status(statusCode, '', jobId),
})

type Step = string | Error

/** getStatus that plays `steps` (status codes or thrown errors) and records when it was asked. */
function scripted(
  clock: FakeClock,
  steps: Step[],
): jest.Mock<WaitOptions['getStatus']> & { askedAt: number[] } {
  const queue = [...steps]
  const askedAt: number[] = []
  const mock = jest.fn<WaitOptions['getStatus']>((jobId) => {
    askedAt.push(clock.elapsed())
    const next = queue.shift()
    if (next === undefined) return Promise.reject(new Error(`unscripted status check of ${jobId}`))
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(status(next, '', jobId))
  })
  return Object.assign(mock, { askedAt })
}

function options(
  clock: FakeClock,
  getStatus: WaitOptions['getStatus'],
  overrides: Partial<WaitOptions> = {},
): WaitOptions {
  return {
    getStatus,
    clock,
    deadline: T0 + 30 * 60_000,
    pollIntervalMs: 15_000,
    signal: new AbortController().signal,
    ...overrides,
  }
}

describe('pollDelay', () => {
  it.each([
    [0, 15_000, 1000],
    [1, 15_000, 2000],
    [2, 15_000, 4000],
    [3, 15_000, 8000],
    [4, 15_000, 15_000],
    [100, 15_000, 15_000],
    [5, 60_000, 32_000],
    [0, 500, 500],
    [3, 500, 500],
  ])('waits before check %d, with interval %d, %d ms', (check, interval, ms) => {
    expect(pollDelay(check, interval)).toBe(ms)
  })
})

describe('waitForJobs', () => {
  it('polls a job through Queued and InProgress to Finished, reporting each change once', async () => {
    const clock = new FakeClock()
    const getStatus = scripted(clock, ['Queued', 'InProgress', 'InProgress', 'Finished'])
    const changes: [string, string, number][] = []
    const onChange: WaitOptions['onChange'] = (j, previous, elapsed) => {
      changes.push([previous.statusCode, j.status.statusCode, elapsed])
    }
    const job = watched('Queued')
    const [result] = await waitForJobs([job], options(clock, getStatus, { onChange }))
    expect(result).toEqual({ job, end: 'terminal', endedAt: T0 + 15_000 })
    expect(job.status.statusCode).toBe('Finished')
    expect(getStatus.askedAt).toEqual([1000, 3000, 7000, 15_000])
    expect(changes).toEqual([
      ['Queued', 'InProgress', 3000],
      ['InProgress', 'Finished', 15_000],
    ])
  })

  it('slows its checks down to the poll interval', async () => {
    const clock = new FakeClock()
    const steps = [...Array.from<string>({ length: 7 }).fill('InProgress'), 'Failed']
    const getStatus = scripted(clock, steps)
    await waitForJobs([watched('InProgress')], options(clock, getStatus))
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000, 15_000, 15_000])
  })

  it('checks at the poll interval from the start when it is below one second', async () => {
    const clock = new FakeClock()
    const getStatus = scripted(clock, ['InProgress', 'InProgress', 'Finished'])
    await waitForJobs([watched()], options(clock, getStatus, { pollIntervalMs: 200 }))
    expect(clock.sleeps).toEqual([200, 200, 200])
  })

  it('passes its signal to each status check', async () => {
    const clock = new FakeClock()
    const signal = new AbortController().signal
    const getStatus = scripted(clock, ['Finished'])
    await waitForJobs([watched()], options(clock, getStatus, { signal }))
    expect(getStatus.mock.calls).toEqual([[JOB_ID, signal]])
  })

  it('does not poll a job that is terminal already', async () => {
    const clock = new FakeClock()
    clock.advance(5000)
    const getStatus = scripted(clock, [])
    const job = watched('Failed')
    const [result] = await waitForJobs([job], options(clock, getStatus))
    expect(result).toEqual({ job, end: 'terminal', endedAt: T0 })
    expect(getStatus).not.toHaveBeenCalled()
    expect(clock.sleeps).toEqual([])
  })

  it('stops at the deadline, without sleeping past it', async () => {
    const clock = new FakeClock()
    const getStatus = scripted(clock, Array.from<string>({ length: 10 }).fill('InProgress'))
    const [result] = await waitForJobs(
      [watched()],
      options(clock, getStatus, { deadline: T0 + 20_000 }),
    )
    expect(result?.end).toBe('timeout')
    expect(result?.endedAt).toBe(T0 + 20_000)
    expect(result?.error).toBeUndefined()
    expect(getStatus.askedAt).toEqual([1000, 3000, 7000, 15_000])
    expect(clock.now()).toBe(T0 + 20_000)
  })

  it('stops when the signal fires during a pause', async () => {
    const clock = new FakeClock()
    const controller = new AbortController()
    clock.onSleep = (_ms, index) => {
      if (index === 2) controller.abort()
    }
    const getStatus = scripted(clock, ['Queued', 'Queued', 'Queued'])
    const [result] = await waitForJobs(
      [watched()],
      options(clock, getStatus, { signal: controller.signal }),
    )
    expect(result?.end).toBe('cancelled')
    expect(result?.endedAt).toBe(T0 + 3000)
    expect(getStatus).toHaveBeenCalledTimes(2)
  })

  it('does not poll when the signal has fired already', async () => {
    const clock = new FakeClock()
    const getStatus = scripted(clock, ['Finished'])
    const [result] = await waitForJobs(
      [watched()],
      options(clock, getStatus, { signal: AbortSignal.abort() }),
    )
    expect(result?.end).toBe('cancelled')
    expect(getStatus).not.toHaveBeenCalled()
  })

  it('gives up when a status check fails, keeping the error and the last status', async () => {
    const clock = new FakeClock()
    const failure = new SpotfireError(
      'Checking job failed 8 times; the last time: HTTP 503',
      'http',
      {
        status: 503,
      },
    )
    const getStatus = scripted(clock, ['InProgress', failure, 'Finished'])
    const [result] = await waitForJobs([watched('Queued')], options(clock, getStatus))
    expect(result?.end).toBe('gave-up')
    expect(result?.error).toBe(failure)
    expect(result?.endedAt).toBe(T0 + 3000)
    expect(result?.job.status.statusCode).toBe('InProgress')
    expect(getStatus).toHaveBeenCalledTimes(2)
  })

  it('reports a check that fails because the run was cancelled as cancelled', async () => {
    const clock = new FakeClock()
    const controller = new AbortController()
    const getStatus = jest.fn<WaitOptions['getStatus']>(() => {
      controller.abort()
      return Promise.reject(new SpotfireError('stopped waiting for the answer', 'stopped'))
    })
    const [result] = await waitForJobs(
      [watched()],
      options(clock, getStatus, { signal: controller.signal }),
    )
    expect(result?.end).toBe('cancelled')
    expect(result?.error).toBeUndefined()
  })

  it('reports a check that fails at the deadline as a timeout', async () => {
    const clock = new FakeClock()
    const getStatus = jest.fn<WaitOptions['getStatus']>(() => {
      clock.advance(60_000)
      return Promise.reject(new SpotfireError('stopped waiting for the answer', 'stopped'))
    })
    const [result] = await waitForJobs(
      [watched()],
      options(clock, getStatus, { deadline: T0 + 30_000 }),
    )
    expect(result?.end).toBe('timeout')
  })

  it('lets an unexpected error through', async () => {
    const clock = new FakeClock()
    const getStatus = scripted(clock, [new TypeError('bug')])
    await expect(waitForJobs([watched()], options(clock, getStatus))).rejects.toThrow('bug')
  })

  it('warns once about each unknown status and keeps polling', async () => {
    const clock = new FakeClock()
    const getStatus = scripted(clock, ['Paused', 'Paused', 'Suspended', 'Paused', 'Finished'])
    const onUnknownStatus = jest.fn<NonNullable<WaitOptions['onUnknownStatus']>>()
    const [result] = await waitForJobs(
      [watched()],
      options(clock, getStatus, {
        onUnknownStatus: (job) => {
          onUnknownStatus({ ...job, status: { ...job.status } })
        },
      }),
    )
    expect(result?.end).toBe('terminal')
    expect(result?.job.status.statusCode).toBe('Finished')
    expect(onUnknownStatus.mock.calls.map(([job]) => job.status.statusCode)).toEqual([
      'Paused',
      'Suspended',
    ])
  })

  it('watches several jobs, checking each until it ends', async () => {
    const clock = new FakeClock()
    const quick = watched('Queued', 'quick')
    const slow = watched('Queued', 'slow')
    const plan: Record<string, string[]> = {
      quick: ['Finished'],
      slow: ['InProgress', 'InProgress', 'Failed'],
    }
    const getStatus = jest.fn<WaitOptions['getStatus']>((jobId) => {
      const next = plan[jobId]?.shift()
      return next === undefined
        ? Promise.reject(new Error(`unscripted check of ${jobId}`))
        : Promise.resolve(status(next, '', jobId))
    })
    const results = await waitForJobs([quick, slow], options(clock, getStatus))
    expect(results.map((r) => [r.job.jobId, r.end, r.job.status.statusCode, r.endedAt])).toEqual([
      ['quick', 'terminal', 'Finished', T0 + 1000],
      ['slow', 'terminal', 'Failed', T0 + 7000],
    ])
    expect(getStatus.mock.calls.filter(([id]) => id === 'quick')).toHaveLength(1)
  })
})

describe('waitForJobs: heartbeat', () => {
  it('says a job is still there once per heartbeat, not once per poll, and restarts after a change', async () => {
    const clock = new FakeClock()
    // Polls at 1, 3, 7, 15 s, then every 15 s: Queued until 60 s, then InProgress.
    const steps = Array.from({ length: 30 }, (_, i) => (i < 7 ? 'Queued' : 'InProgress'))
    const getStatus = scripted(clock, [...steps, 'Finished'])
    const still: [string, number][] = []
    const [result] = await waitForJobs(
      [watched()],
      options(clock, getStatus, {
        heartbeatMs: 60_000,
        onStill: (job, elapsedMs) => still.push([job.status.statusCode, elapsedMs]),
      }),
    )
    expect(result?.end).toBe('terminal')
    expect(still.length).toBeGreaterThan(3)
    expect(still.length).toBeLessThan(getStatus.mock.calls.length / 3)
    // Never sooner than a heartbeat after the previous line about the job.
    for (let i = 1; i < still.length; i++) {
      expect((still[i]?.[1] ?? 0) - (still[i - 1]?.[1] ?? 0)).toBeGreaterThanOrEqual(60_000)
    }
    expect(still.some(([code]) => code === 'InProgress')).toBe(true)
  })
})
