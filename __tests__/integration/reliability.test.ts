import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  startSimulator,
  type Lifecycle,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator/index.js'
import {
  baseInputs,
  cancelLikeTheRunner,
  CLIENT_SECRET,
  DIST_POST,
  ledgerOf,
  ledgerState,
  runAction,
  shownLog,
  tokensSeen,
} from './harness.js'

const LIBRARY_ID = '5f0c2a1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b'
const QUICK: Lifecycle = {
  phases: [
    { status: 'Queued', polls: 1 },
    { status: 'InProgress', polls: 2 },
  ],
  final: { status: 'Finished', message: '' },
}
const FOREVER: Lifecycle = { phases: [{ status: 'InProgress' }], final: { status: 'Finished' } }

const sims: Simulator[] = []
async function simulator(options: SimulatorOptions = {}, lifecycle = QUICK): Promise<Simulator> {
  const sim = await startSimulator({
    library: [{ path: '/Jobs/Refresh', id: LIBRARY_ID, lifecycle }],
    ...options,
  })
  sims.push(sim)
  return sim
}
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()))
})

const job = { 'library-path': '/Jobs/Refresh' }
const errorOf = (run: { annotations: { level: string; message: string }[] }): string =>
  run.annotations.find((a) => a.level === 'error')?.message ?? ''
const count = (sim: Simulator, endpoint: string): number =>
  sim.requests.filter((r) => r.endpoint === endpoint).length

describe('at most one job per run', () => {
  it('does not resend a start whose connection was reset after the server accepted it', async () => {
    const sim = await simulator({ faults: { 'start-library': { 1: { type: 'reset-after' } } } })
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(run.exitCode).toBe(1)
    expect(sim.jobs).toHaveLength(1)
    expect(count(sim, 'start-library')).toBe(1)
    expect(errorOf(run)).toContain('may have reached the server')
    expect(errorOf(run)).toContain('Check the Automation Services jobs on the server')
  })

  it.each([502, 504, 500, 503])('does not resend a start answered %i', async (status) => {
    const sim = await simulator({
      faults: { 'start-library': { 1: { type: 'http', status, html: true } } },
    })
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(run.exitCode).toBe(1)
    expect(count(sim, 'start-library')).toBe(1)
    expect(errorOf(run)).toContain('may have reached the server')
  })

  it('retries Busy twice, then runs exactly one job', async () => {
    const sim = await simulator({
      faults: { 'start-library': { 1: { type: 'busy' }, 2: { type: 'busy' } } },
    })
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(run.exitCode).toBe(0)
    expect(count(sim, 'start-library')).toBe(3)
    expect(sim.jobs).toHaveLength(1)
    expect(run.outputs['job-id']).toBe(sim.jobs[0]?.id)
  })

  it('retries a start answered 429 with Retry-After, and 503 with Retry-After, and a refused connection never happens twice', async () => {
    const sim = await simulator({
      faults: {
        'start-library': {
          1: { type: 'http', status: 429, retryAfter: '1' },
          2: { type: 'http', status: 503, retryAfter: '1' },
        },
      },
    })
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(run.exitCode).toBe(0)
    expect(sim.jobs).toHaveLength(1)
  })
})

describe('token failures are not start failures', () => {
  it('does not claim the job may be running when only the token request failed', async () => {
    const sim = await simulator({
      faults: (endpoint) => (endpoint === 'token' ? { type: 'http', status: 502 } : undefined),
    })
    const run = await runAction({ inputs: baseInputs(sim.url, { ...job, timeout: '3s' }) })
    expect(run.exitCode).toBe(1)
    expect(count(sim, 'start-library')).toBe(0)
    expect(errorOf(run)).toContain('getting a token failed')
    expect(errorOf(run)).not.toContain('may have reached the server')
  })

  it('gives up at once when a token refresh is refused mid-wait, instead of retrying until the timeout', async () => {
    const sim = await simulator({ tokenLifetimeSeconds: 2 }, FOREVER)
    sim.update({
      faults: (endpoint, n) =>
        endpoint === 'token' && n > 1 ? { type: 'http', status: 403 } : undefined,
    })
    const run = await runAction({ inputs: baseInputs(sim.url, { ...job, timeout: '10m' }) })
    expect(run.exitCode).toBe(1)
    expect(run.outputs['timed-out']).toBe('false')
    expect(errorOf(run)).toContain('Lost track of job')
    expect(errorOf(run)).toContain('HTTP 403')
    expect(count(sim, 'token')).toBeLessThan(5)
  })
})

describe('no orphaned jobs', () => {
  it('aborts the job on SIGINT before the runner would kill the process', async () => {
    const sim = await simulator({}, FOREVER)
    const cancel = cancelLikeTheRunner((log) => log.includes('Started job'))
    const run = await runAction({
      inputs: baseInputs(sim.url, job),
      onOutput: cancel.onOutput,
    }).finally(cancel.dispose)
    expect(run.signal).toBeNull()
    expect(run.exitCode).toBe(1)
    expect(sim.jobs[0]?.abortReasons).toHaveLength(1)
    expect(sim.jobs[0]?.abortReasons[0]).toContain('was cancelled')
    expect(sim.jobs[0]?.status).toBe('Canceled')
    // Nothing left for the post step: the job's entry was emptied once it was aborted.
    expect(run.state.job_0).toBe('')
    expect(ledgerOf(run)).toEqual([])
    expect(errorOf(run)).toContain('cancelled')
  })

  it('leaves the job running on cancel with abort-on-cancel: false', async () => {
    const sim = await simulator({}, FOREVER)
    const cancel = cancelLikeTheRunner((log) => log.includes('Started job'))
    const run = await runAction({
      inputs: baseInputs(sim.url, { ...job, 'abort-on-cancel': 'false' }),
      onOutput: cancel.onOutput,
    }).finally(cancel.dispose)
    expect(run.exitCode).toBe(1)
    expect(sim.jobs[0]?.abortReasons).toEqual([])
  })

  it('the post step aborts a job the killed main step left running', async () => {
    const sim = await simulator({}, FOREVER)
    const main = await runAction({
      inputs: baseInputs(sim.url, job),
      onOutput: (log, step) => {
        if (log.includes('Started job')) step.kill('SIGKILL')
      },
    })
    expect(main.signal).toBe('SIGKILL')
    expect(ledgerOf(main)).toMatchObject([{ jobId: sim.jobs[0]?.id, settled: false }])
    // Set the moment the job started, so it survives the kill.
    expect(main.outputs['job-id']).toBe(sim.jobs[0]?.id)
    const post = await runAction({
      entry: DIST_POST,
      inputs: baseInputs(sim.url, job),
      state: main.state,
    })
    expect(post.exitCode).toBe(0)
    expect(sim.jobs[0]?.abortReasons).toHaveLength(1)
    expect(sim.jobs[0]?.status).toBe('Canceled')
    expect(post.log).toContain(`Aborted job ${sim.jobs[0]?.id ?? ''}`)
  })

  it('the post step retries a failed abort from the main step, even with abort-on-cancel: false', async () => {
    const sim = await simulator({}, FOREVER)
    const main = await runAction({
      inputs: baseInputs(sim.url, { ...job, timeout: '1s', 'abort-on-cancel': 'false' }),
      onOutput: (log) => {
        // Make the main step's abort fail: the server refuses the first abort request.
        if (log.includes('Started job'))
          sim.update({ faults: { abort: { 1: { type: 'http', status: 400 } } } })
      },
    })
    expect(main.exitCode).toBe(1)
    expect(ledgerOf(main)).toMatchObject([{ settled: false, pendingAbort: 'timeout' }])
    expect(sim.jobs[0]?.status).toBe('InProgress')
    const post = await runAction({
      entry: DIST_POST,
      inputs: baseInputs(sim.url, { ...job, 'abort-on-cancel': 'false' }),
      state: main.state,
    })
    expect(post.exitCode).toBe(0)
    expect(sim.jobs[0]?.status).toBe('Canceled')
    expect(sim.jobs[0]?.abortReasons.at(-1)).toContain('timed out')
  })

  it('the post step aborts even when the job file has gone since the main step', async () => {
    const sim = await simulator({}, FOREVER)
    const started = await runAction({ inputs: baseInputs(sim.url, { ...job, wait: 'false' }) })
    const state = ledgerState([{ jobId: started.outputs['job-id'] ?? '' }])
    const post = await runAction({
      entry: DIST_POST,
      inputs: baseInputs(sim.url, { 'job-file': 'deleted.xml' }),
      state,
    })
    expect(post.exitCode).toBe(0)
    expect(sim.jobs[0]?.status).toBe('Canceled')
  })

  it('the post step does nothing after a finished job', async () => {
    const sim = await simulator()
    const main = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(main.exitCode).toBe(0)
    const before = sim.requests.length
    const post = await runAction({
      entry: DIST_POST,
      inputs: baseInputs(sim.url, job),
      state: main.state,
    })
    expect(post.exitCode).toBe(0)
    expect(sim.requests.length).toBe(before)
  })

  it('the post step warns, but does not fail, when the abort fails', async () => {
    const sim = await simulator({}, FOREVER)
    const state = ledgerState([{ jobId: '11111111-2222-4333-8444-555555555555' }])
    sim.update({ faults: { abort: { 1: { type: 'http', status: 400 } } } })
    const post = await runAction({ entry: DIST_POST, inputs: baseInputs(sim.url, job), state })
    expect(post.exitCode).toBe(0)
    expect(post.annotations.find((a) => a.level === 'warning')?.message).toContain(
      'may still be running',
    )
  })

  it("the post step prints the server's words inert", async () => {
    const sim = await simulator(
      {},
      { phases: [], final: { status: 'Odd ##[error]injected', message: '' } },
    )
    const started = await runAction({ inputs: baseInputs(sim.url, { ...job, wait: 'false' }) })
    const post = await runAction({
      entry: DIST_POST,
      inputs: baseInputs(sim.url, job),
      state: ledgerState([{ jobId: started.outputs['job-id'] ?? '' }]),
    })
    expect(post.log).toContain('injected')
    // A line the runner reads as a command starts with :: or holds ##[ (the old syntax).
    for (const line of post.log.split('\n').filter((l) => l.includes('injected'))) {
      expect(line.startsWith('::') || !line.includes('##[')).toBe(true)
    }
  })

  it('gives up after status checks keep failing, and aborts the job', async () => {
    const sim = await simulator({}, FOREVER)
    sim.update({
      faults: (endpoint) => (endpoint === 'status' ? { type: 'http', status: 400 } : undefined),
    })
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(run.exitCode).toBe(1)
    expect(errorOf(run)).toContain('Lost track of job')
    expect(sim.jobs[0]?.abortReasons).toHaveLength(1)
  })
})

describe('transient faults', () => {
  it('survives a storm of faults on status polls', async () => {
    // Every other check fails, each a different way; a success in between resets the backoff.
    const sim = await simulator(
      {
        faults: {
          status: {
            1: { type: 'http', status: 500 },
            3: { type: 'reset-before' },
            5: { type: 'truncated' },
            7: { type: 'http', status: 502, html: true },
            9: { type: 'http', status: 429, retryAfter: '1' },
            11: { type: 'reset-after' },
            13: { type: 'http', status: 503 },
            15: { type: 'slow', ms: 1500 },
            17: { type: 'http', status: 504 },
          },
          token: { 1: { type: 'http', status: 503 }, 2: { type: 'reset-before' } },
        },
      },
      {
        // Long enough for every fault above to be played (some faults count as a poll too).
        phases: [
          { status: 'Queued', polls: 6 },
          { status: 'InProgress', polls: 6 },
        ],
        final: { status: 'Finished', message: '' },
      },
    )
    const run = await runAction({
      inputs: baseInputs(sim.url, { ...job, 'request-timeout': '1s' }),
    })
    expect(
      sim.requests.filter((r) => r.endpoint === 'status' && r.fault !== undefined),
    ).toHaveLength(9)
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.status).toBe('Finished')
    expect(sim.jobs).toHaveLength(1)
  })

  it('refreshes a 2-second token during a 6-second job', async () => {
    const sim = await simulator(
      { tokenLifetimeSeconds: 2 },
      {
        phases: [{ status: 'InProgress', ms: 6000 }],
        final: { status: 'Finished', message: '' },
      },
    )
    const run = await runAction({
      inputs: baseInputs(sim.url, { ...job, 'poll-interval': '500ms' }),
    })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(count(sim, 'token')).toBeGreaterThanOrEqual(3)
  })
})

describe('TLS', () => {
  const tls = {
    cert: readFileSync('__tests__/fixtures/tls/cert.pem', 'utf8'),
    key: readFileSync('__tests__/fixtures/tls/key.pem', 'utf8'),
  }

  it('fails on an untrusted certificate, pointing at ca-certificate', async () => {
    const sim = await simulator({ tls })
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(run.exitCode).toBe(1)
    expect(errorOf(run)).toContain('ca-certificate')
    expect(sim.jobs).toHaveLength(0)
  })

  it('trusts the server with ca-certificate as PEM text', async () => {
    const sim = await simulator({ tls })
    const run = await runAction({
      inputs: baseInputs(sim.url, { ...job, 'ca-certificate': tls.cert }),
    })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
  })

  it('trusts the server with ca-certificate as a file in the workspace', async () => {
    const sim = await simulator({ tls })
    const run = await runAction({
      inputs: baseInputs(sim.url, { ...job, 'ca-certificate': 'certs/spotfire.pem' }),
      files: { 'certs/spotfire.pem': tls.cert },
    })
    expect(run.exitCode).toBe(0)
  })
})

describe('secrets', () => {
  it('a redirect to another origin never receives the token', async () => {
    const other = await simulator()
    const sim = await simulator({
      faults: {
        'start-library': {
          1: {
            type: 'redirect',
            location: `${other.url}/spotfire/api/rest/as/job/start-library?path=/Jobs/Refresh`,
          },
        },
      },
    })
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(run.exitCode).toBe(1)
    expect(other.requests.filter((r) => r.headers.authorization !== undefined)).toEqual([])
    expect(errorOf(run)).toContain('redirect')
    expect(errorOf(run)).toContain('server-url')
  })

  it('in debug mode, prints neither the client secret nor any token', async () => {
    const sim = await simulator({ tokenLifetimeSeconds: 2 })
    const run = await runAction({
      inputs: baseInputs(sim.url, job),
      env: { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' },
    })
    expect(run.exitCode).toBe(0)
    expect(run.log).toContain('::debug::')
    const tokens = tokensSeen(sim.requests)
    expect(tokens.length).toBeGreaterThan(0)
    const shown = shownLog(run, true)
    for (const secret of [CLIENT_SECRET, ...tokens]) {
      expect(shown).not.toContain(secret)
      // The only raw appearance is the mask command itself, before any other use.
      const lines = run.log.split('\n').filter((line) => line.includes(secret))
      expect(lines).toEqual([`::add-mask::${secret}`])
      expect(JSON.stringify(run.outputs)).not.toContain(secret)
      expect(JSON.stringify(run.state)).not.toContain(secret)
      expect(run.summary).not.toContain(secret)
    }
  })
})
