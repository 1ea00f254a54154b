import { describe, expect, it, jest } from '@jest/globals'
import type { PollSchedule } from '../../src/jobs/poll-schedule.js'
import {
  MISSING_CONFIRMATIONS,
  MISSING_PERSISTS_MS,
  Poller,
  type WatchEvents,
} from '../../src/jobs/poller.js'
import { SpotfireError } from '../../src/spotfire/errors.js'
import { MIN_PAUSE_MS } from '../../src/spotfire/retry.js'
import type { JobStatus } from '../../src/spotfire/status.js'
import { FakeClock, T0 } from './fake-clock.js'

const status = (statusCode: string, jobId = 'job-1', message = ''): JobStatus => ({
  jobId,
  statusCode,
  message,
})

/** A check that answers from a script per job (the last answer repeats), recording when it was asked. */
function server(clock: FakeClock, scripts: Record<string, (JobStatus | SpotfireError)[]>) {
  const asked: { jobId: string; at: number }[] = []
  const signals: AbortSignal[] = []
  const check = jest.fn((jobId: string, signal: AbortSignal): Promise<JobStatus> => {
    asked.push({ jobId, at: clock.now() - T0 })
    signals.push(signal)
    const script = scripts[jobId] ?? []
    const answer = script.length > 1 ? script.shift() : script[0]
    if (answer === undefined) return Promise.reject(new Error(`no script for ${jobId}`))
    return answer instanceof SpotfireError ? Promise.reject(answer) : Promise.resolve(answer)
  })
  return { check, asked, signals }
}

const every = (ms: number): PollSchedule => ({ pauseBefore: () => ms })

function poller(
  clock: FakeClock,
  check: (jobId: string, signal: AbortSignal) => Promise<JobStatus>,
  schedule: PollSchedule = every(1000),
  extra: { heartbeatMs?: number; firstHeartbeatMs?: number } = {},
): Poller {
  return new Poller({ check, clock, schedule, random: () => 0, ...extra })
}

const watchOf = (
  jobId: string,
  signal = new AbortController().signal,
  events?: WatchEvents,
  initial = 'Queued',
) => ({
  jobId,
  startedAt: T0,
  status: status(initial, jobId),
  signal,
  ...(events === undefined ? {} : { events }),
})

describe('Poller: one job', () => {
  it('checks on the schedule until a terminal status, and says when it was seen', async () => {
    const clock = new FakeClock()
    const { check, asked } = server(clock, {
      'job-1': [status('Queued'), status('InProgress'), status('Finished', 'job-1', 'done')],
    })
    const end = await poller(clock, check, every(2000)).watch(watchOf('job-1'))
    expect(end).toEqual({
      kind: 'terminal',
      status: status('Finished', 'job-1', 'done'),
      at: T0 + 6000,
    })
    expect(asked.map((a) => a.at)).toEqual([2000, 4000, 6000])
  })

  it('passes the age, the status and the count of checks to the schedule', async () => {
    const clock = new FakeClock()
    const { check } = server(clock, { 'job-1': [status('InProgress'), status('Finished')] })
    const pauseBefore = jest.fn<PollSchedule['pauseBefore']>(() => 1000)
    await poller(clock, check, { pauseBefore }).watch(watchOf('job-1'))
    expect(pauseBefore.mock.calls.map(([state]) => state)).toEqual([
      { ageMs: 0, statusCode: 'Queued', checks: 0 },
      { ageMs: 1000, statusCode: 'InProgress', checks: 1 },
    ])
  })

  it('never checks closer together than the floor, whatever the schedule says', async () => {
    const clock = new FakeClock()
    const { check, asked } = server(clock, {
      'job-1': [status('Queued'), status('Queued'), status('Finished')],
    })
    await poller(clock, check, every(0)).watch(watchOf('job-1'))
    expect(asked.map((a) => a.at)).toEqual([MIN_PAUSE_MS, 2 * MIN_PAUSE_MS, 3 * MIN_PAUSE_MS])
  })

  it('reports each change once, and a job that keeps its status at the heartbeat', async () => {
    const clock = new FakeClock()
    const { check } = server(clock, {
      'job-1': [...Array<JobStatus>(5).fill(status('InProgress')), status('Finished')],
    })
    const onChange = jest.fn<NonNullable<WatchEvents['onChange']>>()
    const onStill = jest.fn<NonNullable<WatchEvents['onStill']>>()
    await poller(clock, check, every(1000), { heartbeatMs: 2500 }).watch(
      watchOf('job-1', undefined, { onChange, onStill }),
    )
    expect(onChange.mock.calls.map(([s, previous, age]) => [previous, s.statusCode, age])).toEqual([
      ['Queued', 'InProgress', 1000],
      ['InProgress', 'Finished', 6000],
    ])
    expect(onStill.mock.calls.map(([, age]) => age)).toEqual([4000])
  })

  it('gives the first heartbeat sooner than the next ones, counted from the last change', async () => {
    const clock = new FakeClock()
    const { check } = server(clock, {
      'job-1': [
        ...Array<JobStatus>(3).fill(status('Queued')),
        ...Array<JobStatus>(20).fill(status('InProgress')),
        status('Finished'),
      ],
    })
    const onStill = jest.fn<NonNullable<WatchEvents['onStill']>>()
    await poller(clock, check, every(1000), { firstHeartbeatMs: 2000, heartbeatMs: 5000 }).watch(
      watchOf('job-1', undefined, { onStill }),
    )
    expect(onStill.mock.calls.map(([s, age]) => [s.statusCode, age])).toEqual([
      ['Queued', 2000],
      ['InProgress', 6000],
      ['InProgress', 11_000],
      ['InProgress', 16_000],
      ['InProgress', 21_000],
    ])
  })

  it('warns once about a status it does not know, and keeps waiting', async () => {
    const clock = new FakeClock()
    const { check } = server(clock, {
      'job-1': [status('Paused'), status('Paused'), status('Finished')],
    })
    const onUnknownStatus = jest.fn()
    const end = await poller(clock, check).watch(watchOf('job-1', undefined, { onUnknownStatus }))
    expect(end.kind).toBe('terminal')
    expect(onUnknownStatus).toHaveBeenCalledTimes(1)
  })

  it('checks a followed job (no status yet) at once', async () => {
    const clock = new FakeClock()
    const { check, asked } = server(clock, { 'job-1': [status('InProgress'), status('Finished')] })
    const onChange = jest.fn<NonNullable<WatchEvents['onChange']>>()
    await poller(clock, check).watch(watchOf('job-1', undefined, { onChange }, ''))
    expect(asked[0]?.at).toBe(0)
    expect(onChange.mock.calls[0]?.[1]).toBe('')
  })
})

describe('Poller: failing checks', () => {
  const unavailable = (retryAfterMs?: number): SpotfireError =>
    new SpotfireError('HTTP 503 Service Unavailable', 'http', {
      status: 503,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    })
  const html = new SpotfireError('HTTP 404 with an HTML page, not a job status', 'not-api', {
    status: 404,
  })

  it('backs off more and more while checks fail, and resets after a success', async () => {
    const clock = new FakeClock()
    const { check, asked } = server(clock, {
      'job-1': [html, html, html, status('InProgress'), html, status('Finished')],
    })
    const pauses: number[] = []
    await poller(clock, check, every(1000)).watch(
      watchOf('job-1', undefined, { onRetry: (_e, pause) => pauses.push(pause) }),
    )
    // Equal jitter at random 0: half of 1 s, 2 s, 4 s; then half of 1 s again after the success.
    expect(pauses).toEqual([500, 1000, 2000, 500])
    expect(asked.map((a) => a.at)).toEqual([1000, 1500, 2500, 4500, 5500, 6000])
  })

  it('takes a Retry-After that asks for more room, never less than the floor', async () => {
    const clock = new FakeClock()
    const { check, asked } = server(clock, {
      'job-1': [unavailable(0), unavailable(9000), status('Finished')],
    })
    await poller(clock, check, every(1000)).watch(watchOf('job-1'))
    expect(asked.map((a) => a.at)).toEqual([1000, 1500, 10_500])
  })

  it('holds every job back when the server says it is short of room (429, 503)', async () => {
    const clock = new FakeClock()
    const { check, asked } = server(clock, {
      a: [unavailable(5000), status('Finished', 'a')],
      b: [status('InProgress', 'b'), status('Finished', 'b')],
    })
    const loop = poller(clock, check, every(1000))
    await Promise.all([loop.watch(watchOf('a')), loop.watch(watchOf('b'))])
    expect(asked).toEqual([
      { jobId: 'a', at: 1000 },
      { jobId: 'b', at: 1000 },
      { jobId: 'a', at: 6000 },
      { jobId: 'b', at: 6000 },
    ])
  })

  it('gives up on an answer that trying again cannot fix', async () => {
    const clock = new FakeClock()
    const refused = new SpotfireError('HTTP 400 Bad Request', 'http', { status: 400 })
    const { check, asked } = server(clock, { 'job-1': [status('InProgress'), refused] })
    const end = await poller(clock, check).watch(watchOf('job-1'))
    expect(end).toEqual({
      kind: 'gave-up',
      status: status('InProgress'),
      at: T0 + 2000,
      error: refused,
    })
    expect(asked).toHaveLength(2)
  })

  it('treats a thrown bug as a failure worth retrying, not a crash of the loop', async () => {
    const clock = new FakeClock()
    let calls = 0
    const check = (): Promise<JobStatus> =>
      ++calls === 1 ? Promise.reject(new TypeError('oops')) : Promise.resolve(status('Finished'))
    const end = await poller(clock, check).watch(watchOf('job-1'))
    expect(end.kind).toBe('terminal')
  })
})

describe('Poller: stopping', () => {
  it('ends the watch the moment its signal fires, with the reason on the signal', async () => {
    const clock = new FakeClock()
    const stop = new AbortController()
    const { check, signals } = server(clock, { 'job-1': [status('InProgress')] })
    const watch = poller(clock, check).watch(watchOf('job-1', stop.signal))
    await clock.sleep(3500)
    stop.abort('timeout')
    const end = await watch
    expect(end).toEqual({ kind: 'stopped', status: status('InProgress'), at: T0 + 3500 })
    expect(stop.signal.reason).toBe('timeout')
    // Each check was made under the watch's signal, so a check under way stops too.
    expect(signals.every((signal) => signal === stop.signal)).toBe(true)
  })

  it('names the last failed check when it stops, so a stuck job can be explained', async () => {
    const clock = new FakeClock()
    const stop = new AbortController()
    const html = new SpotfireError('an HTML page, not a job status', 'not-api')
    const { check } = server(clock, { 'job-1': [html] })
    const watch = poller(clock, check).watch(watchOf('job-1', stop.signal))
    await clock.sleep(3000)
    stop.abort('timeout')
    await expect(watch).resolves.toMatchObject({ kind: 'stopped', lastProblem: html })
  })

  it('ends at once when the signal fired before the watch began, without a check', async () => {
    const clock = new FakeClock()
    const { check } = server(clock, { 'job-1': [status('InProgress')] })
    const end = await poller(clock, check).watch(watchOf('job-1', AbortSignal.abort('cancelled')))
    expect(end.kind).toBe('stopped')
    expect(check).not.toHaveBeenCalled()
  })

  it('keeps watching the other jobs when one stops', async () => {
    const clock = new FakeClock()
    const stopA = new AbortController()
    const { check } = server(clock, {
      a: [status('InProgress', 'a')],
      b: [status('InProgress', 'b'), status('InProgress', 'b'), status('Finished', 'b')],
    })
    const loop = poller(clock, check)
    const a = loop.watch(watchOf('a', stopA.signal))
    const b = loop.watch(watchOf('b'))
    stopA.abort('fail-fast')
    await expect(a).resolves.toMatchObject({ kind: 'stopped' })
    await expect(b).resolves.toMatchObject({ kind: 'terminal', at: T0 + 3000 })
  })
})

describe('Poller: a Missing', () => {
  it(`is checked again before it is believed, and forgotten when the job shows up`, async () => {
    const clock = new FakeClock()
    const { check } = server(clock, {
      'job-1': [status('Missing'), status('InProgress'), status('Finished')],
    })
    const onChange = jest.fn<NonNullable<WatchEvents['onChange']>>()
    const onUnconfirmedMissing = jest.fn()
    const end = await poller(clock, check).watch(
      watchOf('job-1', undefined, { onChange, onUnconfirmedMissing }),
    )
    expect(end.kind).toBe('terminal')
    expect(end.status.statusCode).toBe('Finished')
    expect(onUnconfirmedMissing).toHaveBeenCalledTimes(1)
    expect(onChange.mock.calls.map(([s]) => s.statusCode)).toEqual(['InProgress', 'Finished'])
  })

  it(`is believed only once it has lasted ${MISSING_PERSISTS_MS / 1000} s, over at least ${MISSING_CONFIRMATIONS} answers`, async () => {
    const clock = new FakeClock()
    const { check, asked } = server(clock, { 'job-1': [status('Missing')] })
    const end = await poller(clock, check).watch(watchOf('job-1'))
    expect(end).toMatchObject({ kind: 'terminal', status: { statusCode: 'Missing' } })
    const first = asked[0]?.at ?? 0
    expect(end.at - T0 - first).toBeGreaterThanOrEqual(MISSING_PERSISTS_MS)
    expect(asked.length).toBeGreaterThanOrEqual(MISSING_CONFIRMATIONS)
    // Checked again at a steady pace, not hammered while it waits.
    expect(asked.length).toBeLessThanOrEqual(MISSING_CONFIRMATIONS + 1)
  })

  it('is doubted at any age of the job, not only just after its start', async () => {
    const clock = new FakeClock()
    const { check, asked } = server(clock, { 'job-1': [status('Missing')] })
    const end = await poller(clock, check, every(60_000)).watch(watchOf('job-1'))
    expect(end).toMatchObject({ kind: 'terminal', status: { statusCode: 'Missing' } })
    expect(asked[0]?.at).toBe(60_000)
    expect(end.at - T0).toBeGreaterThanOrEqual(60_000 + MISSING_PERSISTS_MS)
    expect(asked.length).toBeGreaterThanOrEqual(MISSING_CONFIRMATIONS)
  })

  it(`needs ${MISSING_CONFIRMATIONS} answers, however long the checks between them failed`, async () => {
    const clock = new FakeClock()
    const failure = new SpotfireError('HTTP 502', 'http', { status: 502 })
    const { check } = server(clock, {
      'job-1': [
        status('Missing'),
        ...Array<SpotfireError>(5).fill(failure),
        status('Missing'),
        status('InProgress'),
        status('Finished'),
      ],
    })
    const end = await poller(clock, check).watch(watchOf('job-1'))
    expect(end).toMatchObject({ kind: 'terminal', status: { statusCode: 'Finished' } })
  })

  it('keeps counting through a failed check, and starts again after a real status', async () => {
    const clock = new FakeClock()
    const failure = new SpotfireError('HTTP 502', 'http', { status: 502 })
    const { check, asked } = server(clock, {
      'job-1': [
        status('Missing'),
        status('InProgress'),
        status('Missing'),
        failure,
        status('Missing'),
        status('Missing'),
      ],
    })
    const end = await poller(clock, check).watch(watchOf('job-1'))
    expect(end).toMatchObject({ kind: 'terminal', status: { statusCode: 'Missing' } })
    // The streak that counts begins with the third answer.
    expect(end.at - T0 - (asked[2]?.at ?? 0)).toBeGreaterThanOrEqual(MISSING_PERSISTS_MS)
  })
})

describe('Poller: many jobs, one loop', () => {
  it('checks each job on its own schedule, in time order, one check per job at a time', async () => {
    const clock = new FakeClock()
    const { check, asked } = server(clock, {
      fast: [
        status('InProgress', 'fast'),
        status('InProgress', 'fast'),
        status('Finished', 'fast'),
      ],
      slow: [status('InProgress', 'slow'), status('Finished', 'slow')],
    })
    const loop = poller(clock, check, every(1000))
    const slowWatch = loop.watch({ ...watchOf('slow'), startedAt: T0 })
    await clock.sleep(500)
    const fastWatch = loop.watch({ ...watchOf('fast'), startedAt: T0 + 500 })
    await Promise.all([slowWatch, fastWatch])
    expect(asked).toEqual([
      { jobId: 'slow', at: 1000 },
      { jobId: 'fast', at: 1500 },
      { jobId: 'slow', at: 2000 },
      { jobId: 'fast', at: 2500 },
      { jobId: 'fast', at: 3500 },
    ])
  })
})
