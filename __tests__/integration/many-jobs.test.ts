import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  startSimulator,
  type LibraryItem,
  type Lifecycle,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator/index.js'
import {
  baseInputs,
  cancelLikeTheRunner,
  DIST_POST,
  ledgerOf,
  ledgerState,
  runAction,
  runCliProcess,
  SAMPLE_JOB,
  type ActionRun,
} from './harness.js'
import { parseFileCommand } from '../../src/demo/local-runner.js'

/** Many jobs in one step, following existing jobs, and the dry run: dist/ against the simulator. */

const timed = (ms: number, status = 'Finished', message = ''): Lifecycle => ({
  phases: [{ status: 'InProgress', ms }],
  final: { status, message },
})
const FOREVER: Lifecycle = { phases: [{ status: 'InProgress' }], final: { status: 'Finished' } }

const item = (name: string, lifecycle: Lifecycle, n: number): LibraryItem => ({
  path: `/Jobs/${name}`,
  id: `5f0c2a1e-3b4d-4e6f-8a9b-${String(n).padStart(12, '0')}`,
  lifecycle,
})

const sims: Simulator[] = []
async function simulator(items: LibraryItem[], options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ library: items, ...options })
  sims.push(sim)
  return sim
}
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()))
})

const errorOf = (run: ActionRun): string =>
  run.annotations.find((a) => a.level === 'error')?.message ?? ''
const count = (sim: Simulator, endpoint: string): number =>
  sim.requests.filter((r) => r.endpoint === endpoint).length
const jobsOutput = (run: ActionRun): Record<string, unknown>[] =>
  JSON.parse(run.outputs.jobs ?? '[]') as Record<string, unknown>[]

/** The most jobs the simulator had running at one moment. */
function mostAtOnce(sim: Simulator): number {
  const edges = sim.jobs.flatMap((job) => [
    { at: job.createdAt, delta: 1 },
    { at: job.endedAt ?? Infinity, delta: -1 },
  ])
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta)
  let running = 0
  let most = 0
  for (const edge of edges) {
    running += edge.delta
    most = Math.max(most, running)
  }
  return most
}

describe('six jobs, three at a time', () => {
  it('never runs more than three at once, runs in two waves, and uses one token', async () => {
    const names = ['A', 'B', 'C', 'D', 'E', 'F']
    const sim = await simulator(names.map((name, i) => item(name, timed(1500), i)))
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-path': names.map((n) => `/Jobs/${n}`).join('\n'),
        'max-parallel': '3',
      }),
    })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(sim.jobs).toHaveLength(6)
    expect(mostAtOnce(sim)).toBe(3)
    // The second wave starts only as the first ends.
    const created = sim.jobs.map((job) => job.createdAt).sort((a, b) => a - b)
    const firstEnd = Math.min(...sim.jobs.map((job) => job.endedAt ?? Infinity))
    expect(created.slice(3).every((at) => at >= firstEnd)).toBe(true)
    expect(count(sim, 'token')).toBe(1)
    expect(run.outputs.status).toBe('Finished')
    expect(run.outputs['job-id']?.split('\n')).toHaveLength(6)
    expect(jobsOutput(run).map((job) => job.source)).toEqual(names.map((n) => `/Jobs/${n}`))
    // One line per status change, each naming its job.
    for (const line of run.log.split('\n').filter((l) => l.includes(' -> '))) {
      expect(line).toMatch(/^\[\/Jobs\/[A-F]\] /)
    }
    expect(run.summary).toContain('\n6 finished · server ')
    expect(run.summary.match(/^\| ✅ \|/gm)).toHaveLength(6)
  })
})

describe('many jobs at once', () => {
  it('twelve at a time print no listener-leak warning into the log', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `N${String(i)}`)
    const sim = await simulator(names.map((name, i) => item(name, timed(400), i)))
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-path': names.map((n) => `/Jobs/${n}`).join('\n'),
        'max-parallel': '12',
      }),
    })
    expect(run.exitCode).toBe(0)
    expect(run.log).not.toContain('MaxListenersExceededWarning')
  })
})

describe('a job that does not finish', () => {
  it('fails the step and is named, with its message; the others still run', async () => {
    const sim = await simulator([
      item('Good', timed(300), 1),
      item('Bad', timed(300, 'Failed', "Task 1 'Export' failed with: No analysis loaded."), 2),
      item('Also good', timed(300), 3),
    ])
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'library-path': '/Jobs/Good\n/Jobs/Bad\n/Jobs/Also good' }),
    })
    expect(run.exitCode).toBe(1)
    expect(errorOf(run)).toContain('2 of 3 jobs finished.')
    expect(errorOf(run)).toContain('/Jobs/Bad: ended Failed: ')
    expect(errorOf(run)).toContain("Task 1 'Export' failed with: No analysis loaded.")
    expect(run.outputs.status).toBe('Failed')
    expect(run.outputs.message).toContain('No analysis loaded.')
    expect(jobsOutput(run).map((job) => job.outcome)).toEqual(['finished', 'failed', 'finished'])
  })

  it('with fail-fast, aborts the running jobs and skips the rest', async () => {
    const sim = await simulator([
      item('Bad', timed(300, 'Failed', 'boom'), 1),
      item('Long', FOREVER, 2),
      item('Later', timed(300), 3),
    ])
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-path': '/Jobs/Bad\n/Jobs/Long\n/Jobs/Later',
        'max-parallel': '2',
        'fail-fast': 'true',
      }),
    })
    expect(run.exitCode).toBe(1)
    expect(sim.jobs.map((job) => job.source)).toEqual([
      { kind: 'library', path: '/Jobs/Bad' },
      { kind: 'library', path: '/Jobs/Long' },
    ])
    expect(sim.jobs[1]?.status).toBe('Canceled')
    expect(sim.jobs[1]?.abortReasons[0]).toContain('fail-fast')
    expect(jobsOutput(run).map((job) => job.outcome)).toEqual(['failed', 'cancelled', 'skipped'])
    expect(run.summary).toContain('skipped')
  })

  it('a Busy start holds up only its own job', async () => {
    const sim = await simulator([item('Busy', timed(300), 1), item('Free', timed(300), 2)], {
      faults: { 'start-library': { 1: { type: 'busy' }, 3: { type: 'busy' } } },
    })
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'library-path': '/Jobs/Busy\n/Jobs/Free' }),
    })
    expect(run.exitCode).toBe(0)
    const [free, busy] = sim.jobs
    expect(free?.source).toEqual({ kind: 'library', path: '/Jobs/Free' })
    expect(busy?.source).toEqual({ kind: 'library', path: '/Jobs/Busy' })
    expect(free?.createdAt ?? Infinity).toBeLessThan(busy?.createdAt ?? 0)
  })
})

describe('stopping many jobs', () => {
  it('a SIGINT aborts every running job', async () => {
    const sim = await simulator([item('A', FOREVER, 1), item('B', FOREVER, 2)])
    let started = 0
    const cancel = cancelLikeTheRunner((log) => {
      started = (log.match(/Started job/g) ?? []).length
      return started === 2
    })
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'library-path': '/Jobs/A\n/Jobs/B' }),
      onOutput: cancel.onOutput,
    }).finally(cancel.dispose)
    expect(run.exitCode).toBe(1)
    expect(sim.jobs.map((job) => job.status)).toEqual(['Canceled', 'Canceled'])
    expect(ledgerOf(run)).toEqual([])
  })

  it('the post step aborts each job a killed main step left running', async () => {
    const sim = await simulator([item('A', FOREVER, 1), item('B', FOREVER, 2)])
    const main = await runAction({
      inputs: baseInputs(sim.url, { 'library-path': '/Jobs/A\n/Jobs/B' }),
      onOutput: (log, step) => {
        if ((log.match(/Started job/g) ?? []).length === 2) step.kill('SIGKILL')
      },
    })
    expect(main.signal).toBe('SIGKILL')
    expect(ledgerOf(main)).toHaveLength(2)
    const post = await runAction({
      entry: DIST_POST,
      inputs: baseInputs(sim.url, { 'library-path': '/Jobs/A\n/Jobs/B' }),
      state: main.state,
    })
    expect(post.exitCode).toBe(0)
    expect(sim.jobs.map((job) => job.status)).toEqual(['Canceled', 'Canceled'])
    expect(sim.jobs.every((job) => job.abortReasons.length === 1)).toBe(true)
  })
})

describe('the files the runner reads back stay small', () => {
  it('256 jobs with long paths, 64 at a time, write little to GITHUB_STATE and GITHUB_OUTPUT', async () => {
    // BUG fixed: every change saved every entry and rewrote the job-id list: 128 jobs wrote 8 MB to
    // GITHUB_STATE and 1 MB to GITHUB_OUTPUT, and 256 long paths made one saved value of 140 KB,
    // over Linux's 128 KiB for one environment variable: the post step could not even start.
    const count = 256
    const folder = 'Quarterly reports for the regional sales organisation/'.repeat(3)
    const items = Array.from({ length: count }, (_, i) => ({
      ...item(`${folder}${String(i)}`, { phases: [], final: { status: 'Finished' } }, i),
    }))
    const sim = await simulator(items)
    const files = mkdtempSync(join(tmpdir(), 'many-jobs-'))
    const env = { GITHUB_STATE: join(files, 'state'), GITHUB_OUTPUT: join(files, 'output') }
    for (const path of Object.values(env)) writeFileSync(path, '')
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-path': items.map((i) => i.path).join('\n'),
        'max-parallel': '64',
      }),
      env,
    })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(sim.jobs).toHaveLength(count)
    const stateBytes = statSync(env.GITHUB_STATE).size
    const outputBytes = statSync(env.GITHUB_OUTPUT).size
    expect(stateBytes).toBeLessThan(count * 1024)
    expect(outputBytes).toBeLessThan(1024 * 1024)
    // Every saved value (one STATE_ variable of the post step's) is small, and every job's is empty.
    const state = parseFileCommand(readFileSync(env.GITHUB_STATE, 'utf8'))
    expect(Object.keys(state)).toHaveLength(count)
    expect(Object.values(state).every((value) => value === '')).toBe(true)
    const values = readFileSync(env.GITHUB_STATE, 'utf8').split(/\n/)
    expect(Math.max(...values.map((line) => line.length))).toBeLessThan(16 * 1024)
    // The last job-id written lists every job.
    const outputs = parseFileCommand(readFileSync(env.GITHUB_OUTPUT, 'utf8'))
    expect(outputs['job-id']?.split('\n')).toHaveLength(count)
  })
})

describe('a damaged ledger', () => {
  it('is named in a warning, and one bad entry never stops the others aborts', async () => {
    const sim = await simulator([item('A', FOREVER, 1)])
    const started = await runAction({
      inputs: baseInputs(sim.url, { 'library-path': '/Jobs/A', wait: 'false' }),
    })
    const jobId = started.outputs['job-id'] ?? ''
    // BUG fixed: a time out of range crashed the post step with a stack trace, and a truncated
    // ledger was silently ignored.
    const post = await runAction({
      entry: DIST_POST,
      inputs: baseInputs(sim.url, { 'library-path': '/Jobs/A' }),
      state: {
        job_0: '{"jobId":"7d5cf4e0-91',
        job_1: '{"source":"/Jobs/B","startSentAt":1e300}',
        job_2: ledgerState([{ jobId }]).job_0 ?? '',
      },
    })
    expect(post.exitCode).toBe(0)
    expect(post.log).not.toMatch(/RangeError|\n\s+at /)
    const warnings = post.annotations.filter((a) => a.level === 'warning').map((a) => a.message)
    expect(warnings).toEqual([
      expect.stringContaining(
        `saved state job_0 is not JSON (cut short, or edited?): '{"jobId":"7d5cf4e0-91'`,
      ),
      expect.stringContaining("saved state job_1 has a startSentAt that is no time: '1e+300'"),
      expect.stringContaining(
        'the start of /Jobs/B was sent at a time the saved state does not tell',
      ),
    ])
    expect(sim.jobs[0]?.status).toBe('Canceled')
  })
})

describe('job files by pattern', () => {
  it('expands a glob in the workspace, in sorted order', async () => {
    const sim = await simulator([], { inlineLifecycle: timed(200) })
    const job = (region: string): string => SAMPLE_JOB.replace('${REGION}', region)
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'job-file': 'jobs/*.xml' }),
      files: {
        'jobs/b-emea.xml': job('EMEA'),
        'jobs/a-apac.xml': job('APAC'),
        'jobs/notes.txt': 'not a job',
        'jobs/old/c.xml': job('old'),
      },
    })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(jobsOutput(run).map((j) => j.source)).toEqual(['jobs/a-apac.xml', 'jobs/b-emea.xml'])
    expect(sim.jobs).toHaveLength(2)
  })

  it('a pattern that matches nothing is an input error, before anything is sent', async () => {
    const sim = await simulator([])
    const run = await runAction({ inputs: baseInputs(sim.url, { 'job-file': 'jobs/*.xml' }) })
    expect(run.exitCode).toBe(1)
    expect(errorOf(run)).toContain("pattern 'jobs/*.xml' matches no file")
    expect(sim.requests).toEqual([])
  })
})

describe('following jobs by id', () => {
  it('follows a job started earlier to its end, starting nothing', async () => {
    const sim = await simulator([item('A', timed(800), 1)])
    const first = await runAction({
      inputs: baseInputs(sim.url, { 'library-path': '/Jobs/A', wait: 'false' }),
    })
    const jobId = first.outputs['job-id'] ?? ''
    const run = await runAction({ inputs: baseInputs(sim.url, { 'job-id': jobId }) })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(count(sim, 'start-library')).toBe(1)
    expect(run.outputs).toMatchObject({ 'job-id': jobId, status: 'Finished' })
  })

  it('aborts a followed job at the timeout', async () => {
    const sim = await simulator([item('A', FOREVER, 1)])
    const first = await runAction({
      inputs: baseInputs(sim.url, { 'library-path': '/Jobs/A', wait: 'false' }),
    })
    const jobId = first.outputs['job-id'] ?? ''
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'job-id': jobId, timeout: '2s' }),
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs['timed-out']).toBe('true')
    expect(sim.jobs[0]?.status).toBe('Canceled')
    expect(sim.jobs[0]?.abortReasons[0]).toContain('timed out')
    // BUG fixed: the log said "Job <id>: Following job <id>", and the server's answer to the
    // abort echoed a reason that began with "Aborted" again: "Aborted: Aborted by …".
    expect(run.log).toContain(`Following job ${jobId} on http://`)
    expect(run.log).not.toContain(`Job ${jobId}: Following`)
    expect(run.outputs.message).toMatch(/^Aborted: /)
    expect(run.outputs.message?.match(/aborted/gi)).toHaveLength(1)
    expect(run.summary.match(/aborted/gi)?.length).toBeLessThanOrEqual(2)
  })
})

describe('a dry run', () => {
  const dry = { 'library-path': '/Jobs/A\n/Jobs/B', 'dry-run': 'true' }

  it('passes with good credentials and a working API, and starts nothing', async () => {
    const sim = await simulator([item('A', timed(100), 1)])
    const run = await runAction({ inputs: baseInputs(sim.url, dry) })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(sim.jobs).toEqual([])
    expect(sim.requests.map((r) => r.endpoint)).toEqual(['token', 'status'])
    expect(run.log).toContain("would start library job '/Jobs/A'")
    expect(run.log).toContain("would start library job '/Jobs/B'")
    expect(run.summary).toContain('dry run')
  })

  it('fails on bad credentials, saying to check them', async () => {
    const sim = await simulator([])
    const run = await runAction({
      inputs: { ...baseInputs(sim.url, dry), 'client-secret': 'wrong-secret' },
    })
    expect(run.exitCode).toBe(1)
    expect(errorOf(run)).toContain('credentials')
    expect(errorOf(run)).toContain('client-auth-method')
    expect(sim.jobs).toEqual([])
  })

  it('fails on a client without the scope, with the command that grants it', async () => {
    const sim = await simulator([], {
      clients: [{ id: 'demo-client', secret: 'demo-secret', authMethod: 'any', scopes: ['other'] }],
    })
    const run = await runAction({ inputs: baseInputs(sim.url, dry) })
    expect(run.exitCode).toBe(1)
    expect(errorOf(run)).toContain('config register-api-client')
    expect(errorOf(run)).toContain('-Sapi.rest.automation-services-job.execute')
  })

  it('fails on a REST API that answers 404 pages, naming config-web-service-api', async () => {
    const sim = await simulator([], { publicApi: false })
    const run = await runAction({ inputs: baseInputs(sim.url, dry) })
    expect(run.exitCode).toBe(1)
    expect(errorOf(run)).toContain('config-web-service-api')
    expect(sim.jobs).toEqual([])
  })

  it('fails at once against a server that refuses connections, with the advice', async () => {
    const closed = await startSimulator({})
    const url = closed.url
    await closed.close()
    const run = await runAction({ inputs: { ...baseInputs(url, dry), timeout: '30m' } })
    expect(run.exitCode).toBe(1)
    expect(errorOf(run)).toContain('ECONNREFUSED')
    expect(errorOf(run)).toContain('Nothing listens at that address and port')
  })

  it('still checks every input first', async () => {
    const sim = await simulator([])
    const run = await runAction({
      inputs: baseInputs(sim.url, { ...dry, 'job-file': 'missing.xml' }),
    })
    expect(run.exitCode).toBe(1)
    expect(errorOf(run)).toContain("Cannot read job-file 'missing.xml'")
    expect(sim.requests).toEqual([])
  })
})

describe('the CLI runs many jobs too', () => {
  it('takes repeated flags, and prints one JSON object with a row per job', async () => {
    const sim = await simulator([item('A', timed(200), 1), item('B', timed(200), 2)])
    const run = await runCliProcess([
      '--server-url',
      sim.url,
      '--library-path',
      '/Jobs/A',
      '--library-path',
      '/Jobs/B',
      '--max-parallel',
      '1',
      '--json',
    ])
    expect(run.code).toBe(0)
    const result = JSON.parse(run.stdout) as { ok: boolean; outcome: string; jobs: unknown[] }
    expect(result).toMatchObject({
      ok: true,
      outcome: 'finished',
      jobs: [
        { source: '/Jobs/A', status: 'Finished' },
        { source: '/Jobs/B', status: 'Finished' },
      ],
    })
    expect(mostAtOnce(sim)).toBe(1)
  })

  it('--dry-run checks and starts nothing', async () => {
    const sim = await simulator([item('A', timed(200), 1)])
    const run = await runCliProcess([
      '--server-url',
      sim.url,
      '--library-path',
      '/Jobs/A',
      '--dry-run',
      '--json',
    ])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, outcome: 'dry-run' })
    expect(sim.jobs).toEqual([])
  })
})
