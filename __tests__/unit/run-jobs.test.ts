import { describe, expect, it } from '@jest/globals'
import { CLEANUP_BUDGET_MS } from '../../src/shared/constants.js'
import { execute, type ExecuteHooks, type RunReport } from '../../src/flow/execute.js'
import type { LedgerChange, LedgerEntry } from '../../src/jobs/ledger.js'
import type { AbortWhy, JobResult } from '../../src/jobs/outcome.js'
import type { PollSchedule } from '../../src/jobs/poll-schedule.js'
import { jobVerdict } from '../../src/report/verdict.js'
import type { JobSpec, Settings } from '../../src/settings/index.js'
import { SpotfireError } from '../../src/spotfire/errors.js'
import { TROUBLE_SPACING_MS } from '../../src/spotfire/paced-transport.js'
import { MIN_PAUSE_MS } from '../../src/spotfire/retry.js'
import type { Logger } from '../../src/spotfire/types.js'
import { FakeClock, T0 } from './fake-clock.js'
import { FakeTransport, json, text } from './fake-transport.js'
import { HangingTransport } from './hanging-transport.js'
import { settingsOf } from './settings-fixture.js'
import { VirtualServer, type VirtualJobSpec } from './virtual-server.js'

const MINUTE = 60_000

const library = (path: string): JobSpec => ({ kind: 'library-path', path })
const every = (ms: number): PollSchedule => ({ pauseBefore: () => ms })

interface Harness {
  clock: FakeClock
  server: VirtualServer
  transport: FakeTransport
  cancel: AbortController
  ledger: LedgerEntry[]
  log: string[]
  hooks: ExecuteHooks
}

function harness(jobs: Record<string, VirtualJobSpec>): Harness {
  const clock = new FakeClock()
  const server = new VirtualServer(clock, jobs)
  const transport = new FakeTransport([], { autoTokens: true, otherwise: server.answer })
  const cancel = new AbortController()
  const h: Harness = {
    clock,
    server,
    transport,
    cancel,
    ledger: [],
    log: [],
    hooks: {} as ExecuteHooks,
  }
  const logger: Logger = {
    debug: () => undefined,
    info: (m) => h.log.push(m),
    warning: (m) => h.log.push(`warning: ${m}`),
  }
  h.hooks = {
    logger,
    clock,
    transport,
    random: () => 0,
    cancelSignal: cancel.signal,
    onToken: () => undefined,
    onLedger: (entries) => {
      h.ledger = entries.map((e) => ({ ...e }))
    },
    abortReason: (why: AbortWhy) => `stopped: ${why}`,
  }
  return h
}

/** A run (not a dry run) of the settings. */
async function executeRun(settings: Settings, hooks: ExecuteHooks): Promise<RunReport> {
  const report = await execute(settings, hooks)
  if (report.kind !== 'run') throw new Error('expected a run, got a dry run')
  return report
}

const abortsOf = (h: Harness): string[] =>
  h.transport.calls('/job/abort/').map((r) => new URL(r.url).searchParams.get('reason') ?? '')

describe('one job', () => {
  it('starts it, follows it to Finished and records it in the ledger', async () => {
    const h = harness({ '/Jobs/A': { ms: 7000 } })
    const { results } = await executeRun(settingsOf([library('/Jobs/A')]), h.hooks)
    expect(results).toMatchObject([
      { jobId: h.server.jobs[0]?.id, status: 'Finished', outcome: { kind: 'finished' } },
    ])
    expect(results[0]?.durationMs).toBeGreaterThanOrEqual(7000)
    expect(h.ledger).toMatchObject([
      { source: '/Jobs/A', jobId: h.server.jobs[0]?.id, settled: true },
    ])
    expect(h.log).toContain(`Started job ${h.server.jobs[0]?.id ?? ''}: InProgress`)
  })

  it('reports a job the server does not find, and never checks the zero id', async () => {
    const h = harness({})
    const { results } = await executeRun(settingsOf([library('/Jobs/Nope')]), h.hooks)
    expect(results[0]?.outcome).toEqual({
      kind: 'not-started',
      refused: true,
      mayHaveStarted: false,
    })
    expect(results[0]?.problem).toBe('Job file not found or no access.')
    expect(h.transport.calls('/job/status/')).toEqual([])
  })

  it('returns at once with wait: false, leaving nothing for the post step', async () => {
    const h = harness({ '/Jobs/A': { ms: 7000 } })
    const { results } = await executeRun(settingsOf([library('/Jobs/A')], { wait: false }), h.hooks)
    expect(results[0]?.outcome.kind).toBe('started')
    expect(h.transport.calls('/job/status/')).toEqual([])
    expect(h.ledger[0]?.settled).toBe(true)
  })
})

describe('the deadline', () => {
  it('runs on the injected clock: the job is checked once more, then aborted at the timeout', async () => {
    const h = harness({ '/Jobs/Long': { ms: 60 * MINUTE } })
    const { results } = await executeRun(
      settingsOf([library('/Jobs/Long')], { timeoutMs: MINUTE }),
      h.hooks,
    )
    expect(h.clock.elapsed()).toBe(MINUTE)
    expect(results[0]).toMatchObject({ status: 'Canceled', outcome: { kind: 'timed-out' } })
    expect(results[0]?.abort).toEqual({ kind: 'aborted', status: 'Canceled' })
    expect(abortsOf(h)).toEqual(['stopped: timeout'])
    const statusAt = h.server.requests.filter((r) => r.path.startsWith('/job/status/')).at(-1)?.at
    expect(statusAt).toBe(T0 + MINUTE)
    expect(h.ledger[0]?.settled).toBe(true)
  })

  it('a job that ended between the last check and the deadline is reported as it ended', async () => {
    // Checks every 15 s land at 45 s and 60 s; the job ends at 50 s, the deadline is at 55 s.
    const h = harness({ '/Jobs/A': { ms: 50_000 } })
    const { results } = await executeRun(settingsOf([library('/Jobs/A')], { timeoutMs: 55_000 }), {
      ...h.hooks,
      schedule: every(15_000),
    })
    expect(results[0]).toMatchObject({ status: 'Finished', outcome: { kind: 'finished' } })
    expect(abortsOf(h)).toEqual([])
  })

  it('an abort answered with Finished means the job finished: not timed out', async () => {
    const h = harness({ '/Jobs/A': { ms: 59_000 } })
    // The check at the deadline fails; the abort's answer tells how the job ended.
    h.server.override = (_request, path) =>
      path.startsWith('/job/status/') && h.clock.now() >= T0 + MINUTE
        ? new SpotfireError('no answer in time', 'no-answer')
        : undefined
    const { results } = await executeRun(settingsOf([library('/Jobs/A')], { timeoutMs: MINUTE }), {
      ...h.hooks,
      schedule: every(50_000),
    })
    expect(abortsOf(h)).toHaveLength(1)
    expect(results[0]).toMatchObject({ status: 'Finished', outcome: { kind: 'finished' } })
    expect(results[0]?.abort).toBeUndefined()
  })

  it('leaves the job running with abort-on-timeout: false, and says so', async () => {
    const h = harness({ '/Jobs/Long': { ms: 60 * MINUTE } })
    const { results } = await executeRun(
      settingsOf([library('/Jobs/Long')], { timeoutMs: MINUTE, abortOnTimeout: false }),
      h.hooks,
    )
    expect(abortsOf(h)).toEqual([])
    expect(results[0]).toMatchObject({
      outcome: { kind: 'timed-out' },
      abort: { kind: 'left-running' },
    })
    expect(h.ledger[0]?.settled).toBe(true)
  })

  it('names the last failed check of a job that timed out', async () => {
    const h = harness({ '/Jobs/Long': { ms: 60 * MINUTE } })
    h.server.override = (_request, path) =>
      path.startsWith('/job/status/') ? text(502, '<html><h1>Bad Gateway</h1></html>') : undefined
    const { results } = await executeRun(
      settingsOf([library('/Jobs/Long')], { timeoutMs: MINUTE }),
      h.hooks,
    )
    expect(results[0]?.outcome.kind).toBe('timed-out')
    expect(results[0]?.problem).toContain('HTTP 502')
  })
})

describe('stopping a job', () => {
  it('aborts at once on cancellation, with the reason', async () => {
    const h = harness({ '/Jobs/Long': { ms: 60 * MINUTE } })
    const running = executeRun(settingsOf([library('/Jobs/Long')]), h.hooks)
    await h.clock.sleep(20_000)
    h.cancel.abort()
    const { results } = await running
    expect(results[0]).toMatchObject({
      status: 'Canceled',
      outcome: { kind: 'cancelled', by: 'run' },
    })
    expect(abortsOf(h)).toEqual(['stopped: cancelled'])
    expect(h.clock.elapsed()).toBe(20_000)
  })

  it('gives up on an answer that retrying cannot fix, and aborts the job', async () => {
    const h = harness({ '/Jobs/Long': { ms: 60 * MINUTE } })
    h.server.override = (_request, path) =>
      path.startsWith('/job/status/') ? json(400, { error: 'bad id' }) : undefined
    const { results } = await executeRun(settingsOf([library('/Jobs/Long')]), h.hooks)
    expect(results[0]?.outcome.kind).toBe('gave-up')
    expect(results[0]?.problem).toContain('HTTP 400')
    expect(abortsOf(h)).toEqual(['stopped: gave-up'])
  })

  it('keeps a failed abort in the ledger for the post step', async () => {
    const h = harness({ '/Jobs/Long': { ms: 60 * MINUTE } })
    h.server.override = (_request, path) =>
      path.startsWith('/job/abort/') ? json(400, { error: 'no' }) : undefined
    const { results } = await executeRun(
      settingsOf([library('/Jobs/Long')], { timeoutMs: MINUTE }),
      h.hooks,
    )
    expect(results[0]?.abort?.kind).toBe('failed')
    expect(h.ledger[0]).toMatchObject({ settled: false, pendingAbort: 'timeout' })
  })
})

describe('starting', () => {
  it('a start that may have reached the server is not sent again, and says so', async () => {
    const h = harness({ '/Jobs/A': { ms: 1000 } })
    h.server.override = (_request, path) =>
      path === '/job/start-library' ? new SpotfireError('connection reset', 'no-answer') : undefined
    const { results } = await executeRun(settingsOf([library('/Jobs/A')]), h.hooks)
    expect(results[0]?.outcome).toEqual({
      kind: 'not-started',
      refused: false,
      mayHaveStarted: true,
    })
    expect(h.transport.calls('/job/start-library')).toHaveLength(1)
    // Reported by the main step; the post step need not warn again.
    expect(h.ledger).toMatchObject([{ settled: true }])
    expect(h.ledger[0]?.startSentAt).toBe(T0)
  })

  it('a token endpoint failure never counts as a start that may have landed', async () => {
    const h = harness({ '/Jobs/A': { ms: 1000 } })
    const transport = new FakeTransport([], {
      otherwise: (request) =>
        request.url.endsWith('/oauth2/token')
          ? json(501, { error: 'x' })
          : h.server.answer(request),
    })
    const { results } = await executeRun(settingsOf([library('/Jobs/A')]), {
      ...h.hooks,
      transport,
    })
    expect(results[0]?.outcome).toMatchObject({ kind: 'not-started', mayHaveStarted: false })
    expect(results[0]?.problem).toContain('HTTP 501')
    expect(transport.calls('/job/start-library')).toEqual([])
    expect(h.ledger).toEqual([])
  })

  it('a Busy answer that carries a job id is that job: followed, never started again', async () => {
    const h = harness({ '/Jobs/A': { ms: 5000 } })
    let first = true
    h.server.override = (request, path) => {
      if (path !== '/job/start-library' || !first) return undefined
      first = false
      const started = h.server.answer(request) as { body: string }
      const { JobId } = JSON.parse(started.body) as { JobId: string }
      return json(200, { JobId, StatusCode: 'Busy', Message: 'busy' })
    }
    const { results } = await executeRun(settingsOf([library('/Jobs/A')]), h.hooks)
    expect(h.server.jobs).toHaveLength(1)
    expect(results[0]).toMatchObject({ jobId: h.server.jobs[0]?.id, outcome: { kind: 'finished' } })
  })

  it('a Busy on one start backs off that job only', async () => {
    const h = harness({ '/Jobs/A': { ms: 5000 }, '/Jobs/B': { ms: 5000 } })
    let busy = 2
    h.server.override = (request, path) =>
      path === '/job/start-library' &&
      new URL(request.url).searchParams.get('path') === '/Jobs/A' &&
      busy-- > 0
        ? json(200, {
            JobId: '00000000-0000-0000-0000-000000000000',
            StatusCode: 'Busy',
            Message: 'Try again later.',
          })
        : undefined
    const { results } = await executeRun(
      settingsOf([library('/Jobs/A'), library('/Jobs/B')]),
      h.hooks,
    )
    expect(results.map((r) => r.outcome.kind)).toEqual(['finished', 'finished'])
    const [b, a] = h.server.jobs
    expect(b?.path).toBe('/Jobs/B')
    expect(b?.startedAt).toBe(T0)
    // Two pauses: 2 s and 4 s at the least, not held up by B.
    expect(a?.startedAt).toBeGreaterThanOrEqual(T0 + 1000 + 2000)
    expect(h.server.jobs).toHaveLength(2)
  })
})

describe('only the answers about this job count', () => {
  const OTHER = '11111111-2222-4333-8444-555555555555'

  it('a status answer about another job ends nothing: the deadline check and the abort go to this job', async () => {
    const h = harness({ '/Jobs/A': { ms: 60 * MINUTE } })
    // A proxy mixes answers up: every check gets job B's status, running and then Finished.
    h.server.override = (_request, path) =>
      path.startsWith('/job/status/')
        ? json(200, {
            JobId: OTHER,
            StatusCode: h.clock.now() < T0 + MINUTE ? 'InProgress' : 'Finished',
            Message: '',
          })
        : undefined
    const { results } = await executeRun(
      settingsOf([library('/Jobs/A')], { timeoutMs: MINUTE }),
      h.hooks,
    )
    const a = h.server.jobs[0]?.id ?? ''
    expect(results[0]).toMatchObject({ jobId: a, outcome: { kind: 'timed-out' } })
    expect(results[0]?.problem).toContain(OTHER)
    const paths = h.server.requests.map((r) => r.path).filter((p) => !p.startsWith('/job/start'))
    expect(paths.length).toBeGreaterThan(2)
    expect(paths.filter((p) => !p.endsWith(`/${a}`))).toEqual([])
    expect(abortsOf(h)).toEqual(['stopped: timeout'])
    expect(h.server.jobs[0]?.aborted).toBeDefined()
  })

  it('an abort answered about another job is tried again for this one', async () => {
    const h = harness({ '/Jobs/A': { ms: 60 * MINUTE } })
    let mixedUp = 1
    h.server.override = (_request, path) =>
      path.startsWith('/job/abort/') && mixedUp-- > 0
        ? json(200, { JobId: OTHER, StatusCode: 'Finished', Message: '' })
        : undefined
    const { results } = await executeRun(
      settingsOf([library('/Jobs/A')], { timeoutMs: MINUTE }),
      h.hooks,
    )
    expect(results[0]).toMatchObject({
      outcome: { kind: 'timed-out' },
      abort: { kind: 'aborted', status: 'Canceled' },
    })
    expect(h.transport.calls('/job/abort/')).toHaveLength(2)
  })
})

describe('a start answer that names a job is that job', () => {
  /** Starts the job on the virtual server and answers with `answer` of its id. */
  const startAnswered =
    (h: Harness, answer: (jobId: string) => ReturnType<typeof json>) =>
    (request: Parameters<Harness['server']['answer']>[0], path: string) => {
      if (path !== '/job/start-library') return undefined
      const started = h.server.answer({ ...request, url: request.url }) as { body: string }
      const { JobId } = JSON.parse(started.body) as { JobId: string }
      return answer(JobId)
    }

  it('a 202 with a job id is an accepted start: followed to its end, never started again', async () => {
    const h = harness({ '/Jobs/A': { ms: 5000 } })
    let first = true
    const accepted = startAnswered(h, (JobId) =>
      json(202, { JobId, StatusCode: 'Queued', Message: '' }),
    )
    h.server.override = (request, path) => {
      if (!first || path !== '/job/start-library') return undefined
      first = false
      return accepted(request, path)
    }
    const { results } = await executeRun(settingsOf([library('/Jobs/A')]), h.hooks)
    expect(h.server.jobs).toHaveLength(1)
    expect(h.transport.calls('/job/start')).toHaveLength(1)
    expect(results[0]).toMatchObject({ jobId: h.server.jobs[0]?.id, outcome: { kind: 'finished' } })
  })

  it('a 500 that names a job is followed, and aborted at the timeout', async () => {
    const h = harness({ '/Jobs/A': { ms: 60 * MINUTE } })
    let first = true
    const failed = startAnswered(h, (JobId) => json(500, { JobId, Message: 'Internal error' }))
    h.server.override = (request, path) => {
      if (!first || path !== '/job/start-library') return undefined
      first = false
      return failed(request, path)
    }
    const { results } = await executeRun(
      settingsOf([library('/Jobs/A')], { timeoutMs: MINUTE }),
      h.hooks,
    )
    expect(h.server.jobs).toHaveLength(1)
    expect(results[0]).toMatchObject({
      jobId: h.server.jobs[0]?.id,
      outcome: { kind: 'timed-out' },
    })
    expect(abortsOf(h)).toEqual(['stopped: timeout'])
    // Its status was not known: it was checked at once, that is at the first turn a failing
    // server gets (one request a second), not on the schedule.
    expect(h.server.requests.find((r) => r.path.startsWith('/job/status/'))?.at).toBe(
      T0 + TROUBLE_SPACING_MS,
    )
    expect(h.log).not.toContain(`Started job ${h.server.jobs[0]?.id ?? ''}: `)
  })
})

describe('a start is sent again only when the answer proves it was not processed', () => {
  it("Envoy's 503 after the backend took the start: one job, reported as may have started", async () => {
    const h = harness({ '/Jobs/A': { ms: 60 * MINUTE } })
    let inner = false
    h.server.override = (request, path) => {
      if (path !== '/job/start-library' || inner) return undefined
      inner = true
      h.server.answer(request)
      inner = false
      return {
        status: 503,
        headers: { 'content-type': 'text/plain' },
        body: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
      }
    }
    const { results } = await executeRun(settingsOf([library('/Jobs/A')]), h.hooks)
    expect(h.transport.calls('/job/start')).toHaveLength(1)
    expect(h.server.jobs).toHaveLength(1)
    expect(results[0]?.outcome).toEqual({
      kind: 'not-started',
      refused: false,
      mayHaveStarted: true,
    })
    expect(jobVerdict(results[0] as JobResult, { timeoutMs: MINUTE })).toContain(
      "Library job '/Jobs/A' may have started",
    )
  })

  it('a 503 with Retry-After from a load balancer with no healthy backend is sent again', async () => {
    const h = harness({ '/Jobs/A': { ms: 1000 } })
    let down = 1
    h.server.override = (_request, path) =>
      path === '/job/start-library' && down-- > 0
        ? text(503, 'no healthy upstream', { 'retry-after': '3' })
        : undefined
    const { results } = await executeRun(settingsOf([library('/Jobs/A')]), h.hooks)
    expect(h.transport.calls('/job/start')).toHaveLength(2)
    expect(h.server.jobs).toHaveLength(1)
    expect(h.server.jobs[0]?.startedAt).toBeGreaterThanOrEqual(T0 + 3000)
    expect(results[0]?.outcome.kind).toBe('finished')
  })
})

describe('Missing is never taken on one answer', () => {
  const GATEWAY_404 = { message: 'no Route matched with those values' }
  const statusPath = (path: string): boolean => path.startsWith('/job/status/')

  it("a gateway's JSON 404 for a few seconds does not end the job", async () => {
    const h = harness({ '/Jobs/A': { ms: 20_000 } })
    h.server.override = (_request, path) =>
      statusPath(path) && h.clock.now() < T0 + 9000 ? json(404, GATEWAY_404) : undefined
    const { results } = await executeRun(settingsOf([library('/Jobs/A')]), {
      ...h.hooks,
      schedule: every(2000),
    })
    expect(results[0]).toMatchObject({ status: 'Finished', outcome: { kind: 'finished' } })
    expect(abortsOf(h)).toEqual([])
  })

  it('three early Missing answers a second apart do not end the job', async () => {
    const h = harness({ '/Jobs/A': { ms: 20_000 } })
    h.server.override = (_request, path) =>
      statusPath(path) && h.clock.now() < T0 + 3500
        ? json(200, {
            JobId: '00000000-0000-0000-0000-000000000000',
            StatusCode: 'Missing',
            Message: '',
          })
        : undefined
    const { results } = await executeRun(settingsOf([library('/Jobs/A')]), {
      ...h.hooks,
      schedule: every(1000),
    })
    expect(results[0]).toMatchObject({ status: 'Finished', outcome: { kind: 'finished' } })
  })

  it('a Missing that lasts is believed: the job is aborted anyway, then reported Missing', async () => {
    const h = harness({ '/Jobs/A': { ms: 60 * MINUTE } })
    h.server.override = (_request, path) =>
      statusPath(path) && h.clock.now() >= T0 + 30_000
        ? json(404, GATEWAY_404)
        : path.startsWith('/job/abort/')
          ? json(404, { error: 'not found' })
          : undefined
    const { results } = await executeRun(settingsOf([library('/Jobs/A')]), {
      ...h.hooks,
      schedule: every(2000),
    })
    const id = h.server.jobs[0]?.id ?? ''
    expect(results[0]).toMatchObject({ status: 'Missing', outcome: { kind: 'failed' } })
    expect(results[0]?.durationMs).toBeGreaterThanOrEqual(30_000 + 10_000)
    expect(h.transport.calls('/job/abort/').map((r) => new URL(r.url).pathname)).toEqual([
      `/spotfire/api/rest/as/job/abort/${id}`,
    ])
    expect(h.ledger[0]?.settled).toBe(true)
  })

  it('a job the abort finds after all was lost track of, and is aborted', async () => {
    const h = harness({ '/Jobs/A': { ms: 60 * MINUTE } })
    h.server.override = (_request, path) =>
      statusPath(path) && h.clock.now() >= T0 + 30_000 ? json(404, GATEWAY_404) : undefined
    const { results } = await executeRun(settingsOf([library('/Jobs/A')]), {
      ...h.hooks,
      schedule: every(2000),
    })
    expect(h.server.jobs[0]?.aborted).toBeDefined()
    expect(results[0]).toMatchObject({
      status: 'Canceled',
      outcome: { kind: 'gave-up' },
      abort: { kind: 'aborted', status: 'Canceled' },
    })
  })

  it('warns that the job may still be running when that abort cannot be sent', async () => {
    const h = harness({ '/Jobs/A': { ms: 60 * MINUTE } })
    h.server.override = (_request, path) =>
      statusPath(path) && h.clock.now() >= T0 + 30_000
        ? json(404, GATEWAY_404)
        : path.startsWith('/job/abort/')
          ? text(502, '<h1>Bad Gateway</h1>')
          : undefined
    const { results } = await executeRun(settingsOf([library('/Jobs/A')]), {
      ...h.hooks,
      schedule: every(2000),
    })
    expect(results[0]).toMatchObject({
      status: 'Missing',
      outcome: { kind: 'failed' },
      abort: { kind: 'failed' },
    })
    expect(
      h.log.filter((l) => l.startsWith('warning:') && l.includes('may still be running')),
    ).toHaveLength(1)
    expect(h.ledger[0]).toMatchObject({ settled: false, pendingAbort: 'gave-up' })
  })

  it('a Missing from the check at the deadline is not believed: the job is aborted', async () => {
    const h = harness({ '/Jobs/A': { ms: 60 * MINUTE } })
    h.server.override = (_request, path) =>
      statusPath(path) && h.clock.now() >= T0 + MINUTE ? json(404, GATEWAY_404) : undefined
    const { results } = await executeRun(settingsOf([library('/Jobs/A')], { timeoutMs: MINUTE }), {
      ...h.hooks,
      schedule: every(15_000),
    })
    expect(abortsOf(h)).toEqual(['stopped: timeout'])
    expect(results[0]).toMatchObject({ outcome: { kind: 'timed-out' }, status: 'Canceled' })
  })

  it('nor a start answered Missing with a job id: that job is checked', async () => {
    const h = harness({ '/Jobs/A': { ms: 5000 } })
    let inner = false
    h.server.override = (request, path) => {
      if (path !== '/job/start-library' || inner) return undefined
      inner = true
      const started = h.server.answer(request) as { body: string }
      inner = false
      const { JobId } = JSON.parse(started.body) as { JobId: string }
      return json(200, { JobId, StatusCode: 'Missing', Message: '' })
    }
    const { results } = await executeRun(settingsOf([library('/Jobs/A')]), h.hooks)
    expect(h.transport.calls('/job/start')).toHaveLength(1)
    expect(results[0]).toMatchObject({ status: 'Finished', outcome: { kind: 'finished' } })
  })

  it('nor is the Missing an abort at the deadline answers', async () => {
    const h = harness({ '/Jobs/A': { ms: 60 * MINUTE } })
    h.server.override = (_request, path) =>
      path.startsWith('/job/abort/') ? json(404, { error: 'not found' }) : undefined
    const { results } = await executeRun(
      settingsOf([library('/Jobs/A')], { timeoutMs: MINUTE }),
      h.hooks,
    )
    expect(results[0]).toMatchObject({
      outcome: { kind: 'timed-out' },
      abort: { kind: 'aborted', status: 'Missing' },
    })
  })
})

describe('many jobs', () => {
  const six = ['A', 'B', 'C', 'D', 'E', 'F']

  it('runs at most max-parallel at once, in two waves, with one token', async () => {
    const h = harness(Object.fromEntries(six.map((n) => [`/Jobs/${n}`, { ms: 10_000 }])))
    const { results } = await executeRun(
      settingsOf(
        six.map((n) => library(`/Jobs/${n}`)),
        { maxParallel: 3, pollIntervalMs: 2000 },
      ),
      h.hooks,
    )
    expect(results.map((r) => r.outcome.kind)).toEqual(Array(6).fill('finished'))
    expect(h.server.maxAtOnce()).toBe(3)
    const starts = h.server.jobs.map((j) => j.startedAt - T0)
    expect(starts.slice(0, 3)).toEqual([0, 0, 0])
    for (const start of starts.slice(3)) expect(start).toBeGreaterThanOrEqual(10_000)
    expect(h.clock.elapsed()).toBeLessThan(30_000)
    expect(h.transport.tokenRequests()).toHaveLength(1)
    // Results in input order, whatever order they ended in.
    expect(results.map((r) => r.job)).toEqual(six.map((n) => library(`/Jobs/${n}`)))
  })

  it('with fail-fast, the first job that fails aborts the running ones and skips the rest', async () => {
    const h = harness({
      '/Jobs/Fails': { ms: 5000, status: 'Failed', message: "Task 1 'X' failed with: boom." },
      '/Jobs/Long': { ms: 60 * MINUTE },
      '/Jobs/Later': { ms: 1000 },
    })
    const { results } = await executeRun(
      settingsOf([library('/Jobs/Fails'), library('/Jobs/Long'), library('/Jobs/Later')], {
        maxParallel: 2,
        failFast: true,
      }),
      h.hooks,
    )
    expect(results.map((r) => r.outcome)).toEqual([
      { kind: 'failed' },
      { kind: 'cancelled', by: 'fail-fast' },
      { kind: 'skipped', because: 'fail-fast' },
    ])
    expect(abortsOf(h)).toEqual(['stopped: fail-fast'])
    expect(h.server.jobs.map((j) => j.path)).toEqual(['/Jobs/Fails', '/Jobs/Long'])
  })

  it('without fail-fast, a failed job does not stop the others', async () => {
    const h = harness({
      '/Jobs/Fails': { ms: 5000, status: 'Failed' },
      '/Jobs/Ok': { ms: 20_000 },
    })
    const { results } = await executeRun(
      settingsOf([library('/Jobs/Fails'), library('/Jobs/Ok')]),
      h.hooks,
    )
    expect(results.map((r) => r.outcome.kind)).toEqual(['failed', 'finished'])
  })

  it('jobs that cannot start before the timeout are skipped, not timed out', async () => {
    const h = harness({ '/Jobs/Long': { ms: 60 * MINUTE }, '/Jobs/Next': { ms: 1000 } })
    const { results } = await executeRun(
      settingsOf([library('/Jobs/Long'), library('/Jobs/Next')], {
        maxParallel: 1,
        timeoutMs: MINUTE,
      }),
      h.hooks,
    )
    expect(results.map((r) => r.outcome)).toEqual([
      { kind: 'timed-out' },
      { kind: 'skipped', because: 'timeout' },
    ])
  })

  it('a cancellation aborts every running job', async () => {
    const h = harness({ '/Jobs/A': { ms: 60 * MINUTE }, '/Jobs/B': { ms: 60 * MINUTE } })
    const running = executeRun(settingsOf([library('/Jobs/A'), library('/Jobs/B')]), h.hooks)
    await h.clock.sleep(30_000)
    h.cancel.abort()
    const { results } = await running
    expect(results.map((r) => r.outcome.kind)).toEqual(['cancelled', 'cancelled'])
    expect(abortsOf(h)).toHaveLength(2)
    expect(h.ledger.every((e) => e.settled)).toBe(true)
  })

  it('prefixes each job line with its source', async () => {
    const h = harness({ '/Jobs/A': { ms: 3000 }, '/Jobs/B': { ms: 3000 } })
    await executeRun(settingsOf([library('/Jobs/A'), library('/Jobs/B')]), h.hooks)
    const changes = h.log.filter((line) => line.includes('->'))
    expect(changes.length).toBeGreaterThanOrEqual(2)
    for (const line of changes) expect(line).toMatch(/^\[\/Jobs\/[AB]\] /)
  })
})

describe('following a job by id', () => {
  it('starts nothing, follows the job and aborts it at the timeout', async () => {
    const h = harness({ '/Jobs/Long': { ms: 60 * MINUTE } })
    // A job started earlier (e.g. by another workflow with wait: false).
    const earlier = h.server.answer({
      method: 'POST',
      url: 'https://spotfire.example.com/spotfire/api/rest/as/job/start-library?path=%2FJobs%2FLong',
      headers: {},
    }) as { body: string }
    const { JobId } = JSON.parse(earlier.body) as { JobId: string }
    const { results } = await executeRun(
      settingsOf([{ kind: 'job-id', jobId: JobId }], { timeoutMs: MINUTE }),
      h.hooks,
    )
    expect(h.transport.calls('/job/start')).toEqual([])
    expect(h.server.jobs).toHaveLength(1)
    expect(results[0]).toMatchObject({ jobId: JobId, outcome: { kind: 'timed-out' } })
    expect(abortsOf(h)).toEqual(['stopped: timeout'])
    expect(h.ledger).toMatchObject([{ jobId: JobId, settled: true }])
    // BUG fixed: "Job <id>: Following job <id> on …" named the job twice.
    expect(h.log[0]).toBe(`Following job ${JobId} on https://spotfire.example.com`)
    expect(h.log.slice(1).every((line) => line.startsWith(`Job ${JobId}: `))).toBe(true)
  })
})

describe('signs of life', () => {
  it('says a job is still running after a minute, then every 5 minutes, with the time left', async () => {
    // BUG fixed: a 75 s job printed nothing between its start and its end.
    const h = harness({ '/Jobs/A': { ms: 12 * MINUTE } })
    await executeRun(settingsOf([library('/Jobs/A')], { pollIntervalMs: 15_000 }), {
      ...h.hooks,
      schedule: every(10_000),
    })
    const still = h.log.filter((line) => line.includes(': still '))
    expect(still.map((line) => line.replace(/^Job [^:]+: /, ''))).toEqual([
      'still InProgress after 1 min (29 min left before the timeout)',
      'still InProgress after 6 min (24 min left before the timeout)',
      'still InProgress after 11 min (19 min left before the timeout)',
    ])
  })

  it('says it of a 75 s job once', async () => {
    const h = harness({ '/Jobs/A': { ms: 75_000 } })
    await executeRun(settingsOf([library('/Jobs/A')]), { ...h.hooks, schedule: every(10_000) })
    expect(h.log.filter((line) => line.includes('still '))).toEqual([
      `Job ${h.server.jobs[0]?.id ?? ''}: still InProgress after 1 min (29 min left before the timeout)`,
    ])
  })
})

describe('what the review found', () => {
  it('an early Missing at the deadline is not believed: the job is aborted', async () => {
    const h = harness({ '/Jobs/A': { ms: 60 * MINUTE } })
    h.server.override = (_request, path) =>
      path.startsWith('/job/status/') && h.clock.now() >= T0 + 3000
        ? json(404, { error: 'not found' })
        : undefined
    const { results } = await executeRun(settingsOf([library('/Jobs/A')], { timeoutMs: 3000 }), {
      ...h.hooks,
      schedule: every(5000),
    })
    expect(abortsOf(h)).toEqual(['stopped: timeout'])
    expect(results[0]?.outcome.kind).toBe('timed-out')
  })

  it('a bug in one job stops the others before it is reported', async () => {
    const h = harness({ '/Jobs/A': { ms: 60 * MINUTE }, '/Jobs/B': { ms: 60 * MINUTE } })
    let starts = 0
    h.server.override = (_request, path) => {
      if (path === '/job/start-library' && ++starts === 2) throw new TypeError('a bug')
      return undefined
    }
    await expect(
      executeRun(settingsOf([library('/Jobs/A'), library('/Jobs/B')]), h.hooks),
    ).rejects.toThrow('a bug')
    // The job that did start was not left running.
    expect(abortsOf(h)).toEqual(['stopped: internal-error'])
    expect(h.clock.pending).toBe(0)
  })

  it('a bug in one job aborts the others even with abort-on-cancel: false: it is no cancellation', async () => {
    const h = harness({ '/Jobs/A': { ms: 60 * MINUTE }, '/Jobs/B': { ms: 60 * MINUTE } })
    const save = h.hooks.onLedger
    let bug = true
    // Saving the ledger fails once, as B's id comes in: B's own code throws, after B started.
    const onLedger = (entries: LedgerEntry[], change: LedgerChange): void => {
      save?.(entries, change)
      if (bug && entries[1]?.jobId !== undefined) {
        bug = false
        throw new TypeError('a bug')
      }
    }
    const running = executeRun(
      settingsOf([library('/Jobs/A'), library('/Jobs/B'), library('/Jobs/C')], {
        abortOnCancel: false,
        maxParallel: 2,
      }),
      { ...h.hooks, onLedger },
    )
    await expect(running).rejects.toThrow('a bug')
    expect(h.server.jobs.map((j) => j.path)).toEqual(['/Jobs/A', '/Jobs/B'])
    expect(abortsOf(h)).toEqual(['stopped: internal-error'])
    expect(h.transport.calls('/job/abort/')[0]?.url).toContain(h.server.jobs[0]?.id ?? 'none')
    expect(h.log.some((l) => l.includes('left running'))).toBe(false)
    // B, whose own code failed, is left to the post step, which aborts it whatever abort-on-cancel says.
    expect(h.ledger[0]).toMatchObject({ settled: true })
    expect(h.ledger[1]).toMatchObject({
      jobId: h.server.jobs[1]?.id,
      settled: false,
      pendingAbort: 'internal-error',
    })
  })
})

describe('the wall clock steps (an NTP step, a resumed VM)', () => {
  const HOUR = 60 * MINUTE

  /** Steps the wall clock by `ms` once `afterMs` of monotonic time have passed. */
  function stepWallAt(clock: FakeClock, afterMs: number, ms: number): void {
    void clock.sleep(afterMs).then(() => {
      clock.jumpWall(ms)
    })
  }

  it('back an hour mid-wait: the job is still checked on schedule, and durations stay true', async () => {
    const h = harness({ '/Jobs/A': { ms: 5000 } })
    stepWallAt(h.clock, 2000, -HOUR)
    const report = await executeRun(settingsOf([library('/Jobs/A')], { timeoutMs: MINUTE }), {
      ...h.hooks,
      schedule: every(1000),
    })
    expect(report.results[0]).toMatchObject({ status: 'Finished', outcome: { kind: 'finished' } })
    expect(h.clock.elapsed()).toBeLessThan(7000)
    expect(report.results[0]?.durationMs).toBeGreaterThanOrEqual(5000)
    expect(report.results[0]?.durationMs).toBeLessThan(7000)
    expect(report.durationMs).toBe(h.clock.elapsed())
    // What people read follows the wall clock, step included.
    expect(report.startedAt).toBe(T0)
    expect(report.endedAt).toBe(T0 + h.clock.elapsed() - HOUR)
  })

  it('forward an hour: tokens are not taken for expired and later jobs are not skipped', async () => {
    const h = harness({ '/Jobs/A': { ms: 10_000 }, '/Jobs/B': { ms: 10_000 } })
    stepWallAt(h.clock, 3000, HOUR)
    const { results } = await executeRun(
      settingsOf([library('/Jobs/A'), library('/Jobs/B')], {
        maxParallel: 1,
        timeoutMs: 10 * MINUTE,
      }),
      { ...h.hooks, schedule: every(2000) },
    )
    expect(results.map((r) => r.outcome.kind)).toEqual(['finished', 'finished'])
    expect(h.transport.tokenRequests()).toHaveLength(1)
    expect(h.clock.elapsed()).toBeLessThan(30_000)
    // The start was sent after the step: the ledger tells people when, by the wall clock.
    expect(h.ledger[1]?.startSentAt).toBeGreaterThan(T0 + HOUR)
  })
})

describe('the step ends on time: the timeout plus one cleanup budget, whatever request-timeout is', () => {
  const REQUEST_TIMEOUT = 30_000

  it('is at most 10 s', () => {
    expect(CLEANUP_BUDGET_MS).toBeGreaterThan(0)
    expect(CLEANUP_BUDGET_MS).toBeLessThanOrEqual(10_000)
  })

  /** The harness, with a server that stops answering what `hangs` picks. */
  function hanging(
    jobs: Record<string, VirtualJobSpec>,
    hangs: (h: Harness, path: string) => boolean,
    tokenExpiresIn?: number,
  ): Harness & { hung: HangingTransport } {
    const h = harness(jobs)
    const inner = new FakeTransport([], {
      autoTokens: true,
      ...(tokenExpiresIn === undefined ? {} : { tokenExpiresIn }),
      otherwise: h.server.answer,
    })
    const hung = new HangingTransport(inner, h.clock, REQUEST_TIMEOUT, (request) =>
      hangs(h, new URL(request.url).pathname),
    )
    h.transport = inner
    h.hooks = { ...h.hooks, transport: hung }
    // The same object: the hooks write the ledger and the log into it.
    return Object.assign(h, { hung })
  }

  it('a server that hangs at the deadline: the check and the abort fit in the budget', async () => {
    const h = hanging(
      { '/Jobs/Long': { ms: 60 * MINUTE } },
      (h, path) => h.clock.now() >= T0 + MINUTE && !path.endsWith('/oauth2/token'),
    )
    const { results } = await executeRun(
      settingsOf([library('/Jobs/Long')], { timeoutMs: MINUTE, requestTimeoutMs: REQUEST_TIMEOUT }),
      h.hooks,
    )
    expect(h.clock.elapsed()).toBeLessThanOrEqual(MINUTE + CLEANUP_BUDGET_MS)
    expect(h.hung.hung.map((r) => new URL(r.url).pathname.split('/').at(-2))).toEqual([
      'status',
      'abort',
    ])
    expect(results[0]).toMatchObject({ outcome: { kind: 'timed-out' }, abort: { kind: 'failed' } })
    // The post step tries again, and the log says which job is left.
    expect(h.ledger[0]).toMatchObject({ settled: false, pendingAbort: 'timeout' })
    const id = h.server.jobs[0]?.id ?? 'none'
    expect(h.log.filter((l) => l.startsWith('warning:') && l.includes(id))).toHaveLength(1)
  })

  it('a start sent just before the deadline waits for its answer within the budget only', async () => {
    const h = hanging(
      { '/Jobs/A': { ms: 55_000 }, '/Jobs/B': { ms: MINUTE } },
      (h, path) => h.clock.now() >= T0 + 50_000 && path.endsWith('/start-library'),
    )
    const { results } = await executeRun(
      settingsOf([library('/Jobs/A'), library('/Jobs/B')], {
        timeoutMs: MINUTE,
        maxParallel: 1,
        requestTimeoutMs: REQUEST_TIMEOUT,
      }),
      h.hooks,
    )
    expect(h.hung.hung).toHaveLength(1)
    expect(h.clock.elapsed()).toBeLessThanOrEqual(MINUTE + CLEANUP_BUDGET_MS)
    expect(results[1]).toMatchObject({
      outcome: { kind: 'not-started', mayHaveStarted: true },
    })
  })

  it('several jobs share the one budget, and a hung token refresh at the deadline too', async () => {
    // Tokens last 2 min, refreshed a minute early: the refresh falls due at the deadline.
    const h = hanging(
      { '/Jobs/A': { ms: 60 * MINUTE }, '/Jobs/B': { ms: 60 * MINUTE } },
      (h, path) => h.clock.now() >= T0 + MINUTE && path.endsWith('/oauth2/token'),
      120,
    )
    const { results } = await executeRun(
      settingsOf([library('/Jobs/A'), library('/Jobs/B')], {
        timeoutMs: MINUTE,
        requestTimeoutMs: REQUEST_TIMEOUT,
      }),
      h.hooks,
    )
    expect(h.hung.hung.length).toBeGreaterThan(0)
    expect(h.clock.elapsed()).toBeLessThanOrEqual(MINUTE + CLEANUP_BUDGET_MS)
    expect(results.map((r) => r.abort?.kind)).toEqual(['failed', 'failed'])
    expect(h.ledger.map((e) => e.pendingAbort)).toEqual(['timeout', 'timeout'])
  })

  it('a server slow at the deadline still gets its abort, within the budget', async () => {
    // The check at the deadline hangs; the abort is answered.
    const h = hanging(
      { '/Jobs/Long': { ms: 60 * MINUTE } },
      (h, path) => h.clock.now() >= T0 + MINUTE && path.includes('/job/status/'),
    )
    const { results } = await executeRun(
      settingsOf([library('/Jobs/Long')], { timeoutMs: MINUTE, requestTimeoutMs: REQUEST_TIMEOUT }),
      h.hooks,
    )
    expect(results[0]?.abort).toEqual({ kind: 'aborted', status: 'Canceled' })
    expect(h.clock.elapsed()).toBeLessThanOrEqual(MINUTE + CLEANUP_BUDGET_MS)
  })

  it('the check at the deadline keeps the floor after the check before it', async () => {
    const h = harness({ '/Jobs/Long': { ms: 60 * MINUTE } })
    // Checks every 59.9 s: the last one lands 100 ms before the deadline.
    await executeRun(settingsOf([library('/Jobs/Long')], { timeoutMs: MINUTE }), {
      ...h.hooks,
      schedule: every(59_900),
    })
    const checks = h.server.requests.filter((r) => r.path.startsWith('/job/status/'))
    expect(checks.map((r) => r.at - T0)).toEqual([59_900, expect.any(Number)])
    const [previous, last] = checks
    expect((last?.at ?? 0) - (previous?.at ?? 0)).toBeGreaterThanOrEqual(MIN_PAUSE_MS)
    expect(abortsOf(h)).toEqual(['stopped: timeout'])
  })
})

describe('retries use the time that is left, and a server in trouble gets room', () => {
  it('keeps the whole step under one request a second when every job is failing', async () => {
    const jobs = Object.fromEntries(
      Array.from({ length: 64 }, (_, i) => [`/Jobs/J${i}`, { ms: 10 * MINUTE }]),
    )
    const h = harness(jobs)
    let started = 0
    let firstFailureAt: number | undefined
    // Every start goes through; then the server fails every check and every abort.
    h.server.override = (_request, path) => {
      if (path === '/job/start-library' && started++ < 64) return undefined
      firstFailureAt ??= h.clock.now()
      return text(502, 'Bad Gateway')
    }
    await executeRun(
      settingsOf(
        Object.keys(jobs).map((path) => library(path)),
        { timeoutMs: MINUTE, maxParallel: 64 },
      ),
      h.hooks,
    )
    // The first checks go out together, before any answer says the server is failing; from the
    // first failure on, through the minute and the cleanup after it, at most one a second.
    const after = h.server.requests.filter((r) => r.at > (firstFailureAt ?? Infinity))
    const span = (after.at(-1)?.at ?? 0) - (firstFailureAt ?? 0)
    expect(after.length).toBeLessThanOrEqual(Math.floor(span / 1000) + 1)
    expect(after.length).toBeGreaterThan(30)
  })

  it('a server that recovers at the deadline gets every abort, within the cleanup budget', async () => {
    const jobs = Object.fromEntries(
      Array.from({ length: 64 }, (_, i) => [`/Jobs/J${i}`, { ms: 10 * MINUTE }]),
    )
    const h = harness(jobs)
    // Every check fails through the minute; from the deadline on the server answers again.
    h.server.override = (_request, path) =>
      path.startsWith('/job/status/') && h.clock.now() < T0 + MINUTE
        ? text(502, 'Bad Gateway')
        : undefined
    const { results } = await executeRun(
      settingsOf(
        Object.keys(jobs).map((path) => library(path)),
        { timeoutMs: MINUTE, maxParallel: 64 },
      ),
      h.hooks,
    )
    // Turns that checks stopped at the deadline, or refused requests, took none from the aborts.
    expect(results.filter((r) => r.abort?.kind === 'aborted')).toHaveLength(64)
    expect(h.clock.elapsed()).toBeLessThanOrEqual(MINUTE + CLEANUP_BUDGET_MS)
  })

  it('holds back aborts too after a 429 with Retry-After', async () => {
    const h = harness({ '/Jobs/A': { ms: 10 * MINUTE } })
    let throttledAt: number | undefined
    h.server.override = (_request, path) => {
      if (path.startsWith('/job/status/') && throttledAt === undefined) {
        throttledAt = h.clock.now()
        return text(429, 'slow down', { 'retry-after': '8' })
      }
      return undefined
    }
    const { results } = await executeRun(
      settingsOf([library('/Jobs/A')], { timeoutMs: 3000 }),
      h.hooks,
    )
    const abortAt = h.server.requests.find((r) => r.path.startsWith('/job/abort/'))?.at
    expect(throttledAt).toBeDefined()
    expect(abortAt).toBeDefined()
    expect((abortAt ?? 0) - (throttledAt ?? 0)).toBeGreaterThanOrEqual(8000)
    expect(results[0]?.abort).toMatchObject({ kind: 'aborted' })
  })
})
