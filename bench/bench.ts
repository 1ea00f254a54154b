/**
 * `npm run bench`: how late the action notices a finished job, and how many requests that costs,
 * beside two reference clients measured in the same run against the project's simulator; what many
 * jobs in one step save; memory; start-up. Writes bench/results.md. See bench/README.md.
 *
 * The same bundle is also the reference client: `--client <interval-ms> <server-url>` gets a
 * token, starts /Bench/job and checks its status every interval, as a shell loop would.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { runStep } from '../src/demo/local-runner.js'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { spread, SPREADS, spreadTable } from './schedule-model.js'

const ROOT = resolve(process.env.PROJECT_ROOT ?? process.cwd())
const ACTION = join(ROOT, 'dist', 'index.js')
const SHORT_JOBS_S = [1.3, 4.7, 12.4, 40.3]
const LONG_JOB_S = 300
const CLIENT_ID = 'demo-client'
const CLIENT_SECRET = 'demo-secret'

interface Measurement {
  client: string
  jobSeconds: number
  /** From the job's end on the server to the client's exit. */
  lagMs: number
  requests: number
}

/** A client under test: how to run it against a server, one job. */
interface Client {
  name: string
  run(serverUrl: string): Promise<void>
}

const referenceClient = (name: string, intervalMs: number): Client => ({
  name,
  run: (serverUrl) =>
    new Promise((done, fail) => {
      const child = spawn(
        process.execPath,
        [process.argv[1] ?? '', '--client', String(intervalMs), serverUrl],
        {
          stdio: 'inherit',
        },
      )
      child.on('exit', (code) => {
        if (code === 0) done()
        else fail(new Error(`${name} exited ${String(code)}`))
      })
    }),
})

const action = (inputs: Record<string, string> = {}): Client => ({
  name: 'this action',
  run: async (serverUrl) => {
    const step = await runStep({
      entry: ACTION,
      inputs: {
        'server-url': serverUrl,
        'client-id': CLIENT_ID,
        'client-secret': CLIENT_SECRET,
        'library-path': '/Bench/job',
        ...inputs,
      },
    })
    if (step.exitCode !== 0) throw new Error(`the action failed:\n${step.log}`)
  },
})

const CLIENTS: Client[] = [
  referenceClient('1 Hz poller', 1000),
  referenceClient('curl loop, sleep 10', 10_000),
  action(),
]

async function measure(client: Client, jobSeconds: number): Promise<Measurement> {
  const sim = await startSimulator({
    library: [
      {
        path: '/Bench/job',
        id: '5f0c2a1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b',
        lifecycle: {
          phases: [{ status: 'InProgress', ms: jobSeconds * 1000 }],
          final: { status: 'Finished' },
        },
      },
    ],
  })
  try {
    await client.run(sim.url)
    const exitedAt = Date.now()
    const job = sim.jobs[0]
    if (job === undefined) throw new Error(`${client.name} started no job`)
    return {
      client: client.name,
      jobSeconds,
      lagMs: exitedAt - (job.createdAt + jobSeconds * 1000),
      requests: sim.requests.length,
    }
  } finally {
    await sim.close()
  }
}

/** A process's peak resident memory, read from /proc while it runs (Linux). */
function peakRss(pid: number): () => number {
  let peak = 0
  const read = (): void => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8')
      peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024)
    } catch {
      // Gone: the last reading stands.
    }
  }
  const timer = setInterval(read, 20)
  read()
  return () => {
    clearInterval(timer)
    return peak
  }
}

/** One step of the action running `paths` against `sim`, and its peak resident memory. */
async function measuredStep(
  sim: Simulator,
  paths: string[],
  inputs: Record<string, string>,
): Promise<{ step: Awaited<ReturnType<typeof runStep>>; peak: number }> {
  let stop: (() => number) | undefined
  const step = await runStep({
    entry: ACTION,
    inputs: {
      'server-url': sim.url,
      'client-id': CLIENT_ID,
      'client-secret': CLIENT_SECRET,
      'library-path': paths.join('\n'),
      ...inputs,
    },
    onSpawn: (pid) => {
      stop = peakRss(pid)
    },
  })
  return { step, peak: stop?.() ?? 0 }
}

async function manyJobs(): Promise<string[]> {
  const count = 20
  const jobMs = 4700
  const library = Array.from({ length: count }, (_, i) => ({
    path: `/Bench/job ${String(i + 1).padStart(2, '0')}`,
    id: `5f0c2a1e-3b4d-4e6f-8a9b-${String(i + 1).padStart(12, '0')}`,
    lifecycle: { phases: [{ status: 'InProgress', ms: jobMs }], final: { status: 'Finished' } },
  }))
  const paths = library.map((item) => item.path)
  const runSteps = async (
    sim: Simulator,
    steps: string[][],
  ): Promise<{ rss: number; ms: number }> => {
    const started = Date.now()
    const rss = await Promise.all(
      steps.map(async (jobPaths) => {
        const { step, peak } = await measuredStep(sim, jobPaths, { 'max-parallel': '4' })
        if (step.exitCode !== 0) throw new Error(`a step failed:\n${step.log}`)
        return peak
      }),
    )
    return { rss: rss.reduce((a, b) => a + b, 0), ms: Date.now() - started }
  }
  const one = await startSimulator({ library })
  const together = await runSteps(one, [paths]).finally(() => one.close())
  const apart = await startSimulator({ library })
  const separately = await runSteps(
    apart,
    paths.map((path) => [path]),
  ).finally(() => apart.close())
  const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`
  return [
    `| | one step, ${count} jobs, max-parallel 4 | ${count} one-job steps at once |`,
    '| --- | --- | --- |',
    `| requests | ${one.requests.length} | ${apart.requests.length} |`,
    `| token requests | ${one.requests.filter((r) => r.endpoint === 'token').length} | ${apart.requests.filter((r) => r.endpoint === 'token').length} |`,
    `| peak RSS (sum over processes) | ${mib(together.rss)} | ${mib(separately.rss)} |`,
    `| wall time | ${(together.ms / 1000).toFixed(1)} s | ${(separately.ms / 1000).toFixed(1)} s |`,
    '',
    `Ratio of requests: ${(one.requests.length / apart.requests.length).toFixed(2)}. Jobs of ${jobMs / 1000} s; the one step runs them in five waves of four, the separate steps all at once.`,
  ]
}

/** The most jobs one step takes (MAX_JOBS in src/settings/job-sources.ts). */
const STEP_JOBS = 256

/**
 * Peak memory of one step whose jobs all end with a message of 8 MiB (the most of an answer the
 * action reads, less the rest of the JSON): what the action keeps of each is bounded, not what
 * the server sends. `jobs` are run as steps of at most STEP_JOBS, one after another.
 */
async function memory(jobs: number, maxParallel: number): Promise<string[]> {
  const message = 'm'.repeat(8 * 1024 * 1024 - 1024)
  const library = Array.from({ length: STEP_JOBS }, (_, i) => ({
    path: `/Bench/job ${String(i + 1).padStart(3, '0')}`,
    id: `5f0c2a1e-3b4d-4e6f-8a9b-${String(i + 1).padStart(12, '0')}`,
    lifecycle: {
      phases: [{ status: 'InProgress', ms: 200 }],
      final: { status: 'Failed', message },
    },
  }))
  const sim = await startSimulator({ library })
  const peaks: number[] = []
  try {
    for (let done = 0; done < jobs; done += STEP_JOBS) {
      const paths = library.slice(0, Math.min(STEP_JOBS, jobs - done)).map((item) => item.path)
      const { step, peak } = await measuredStep(sim, paths, {
        'max-parallel': String(maxParallel),
        'poll-interval': '1s',
      })
      // Every job fails (with its long message): the step must say so, not run out of memory.
      if (step.exitCode !== 1 || !step.log.includes('characters cut')) {
        throw new Error(`the step did not end as expected:\n${step.log.slice(-2000)}`)
      }
      peaks.push(peak)
      console.log(
        `step ${String(peaks.length)}: ${String(paths.length)} jobs, peak RSS ${(peak / 1024 / 1024).toFixed(0)} MiB`,
      )
    }
  } finally {
    await sim.close()
  }
  const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`
  return [
    `| jobs | max-parallel | steps | peak RSS of a step (target: under 200 MiB) |`,
    '| --- | --- | --- | --- |',
    `| ${String(jobs)} | ${String(maxParallel)} | ${String(peaks.length)} | ${mib(Math.max(...peaks))} |`,
  ]
}

function coldStart(runs: number): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'spotfire-bench-'))
  for (const name of ['output', 'state', 'summary']) writeFileSync(join(dir, name), '')
  const env = {
    PATH: process.env.PATH,
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  }
  const median = (args: string[]): number => {
    spawnSync(process.execPath, args, { env })
    const samples = Array.from({ length: runs }, () => {
      const start = process.hrtime.bigint()
      spawnSync(process.execPath, args, { env })
      return Number(process.hrtime.bigint() - start) / 1e6
    }).sort((a, b) => a - b)
    return samples[Math.floor(samples.length / 2)] ?? NaN
  }
  const bare = median(['-e', '0'])
  // Invalid inputs: the whole bundle loads and validates, and nothing goes on the network.
  const invalid = median([ACTION])
  return [
    '| | median |',
    '| --- | --- |',
    `| \`node -e 0\` | ${bare.toFixed(0)} ms |`,
    `| the action, rejecting invalid inputs | ${invalid.toFixed(0)} ms |`,
    `| difference (target: at most 150 ms) | ${(invalid - bare).toFixed(0)} ms |`,
    '',
    `${runs} runs each, after a warm-up.`,
  ]
}

function lagTable(results: Measurement[], durations: number[]): string[] {
  const names = CLIENTS.map((c) => c.name)
  const cell = (client: string, d: number): Measurement | undefined =>
    results.find((r) => r.client === client && r.jobSeconds === d)
  const total = (client: string, key: 'lagMs' | 'requests', ds: number[]): number =>
    ds.reduce((sum, d) => sum + (cell(client, d)?.[key] ?? NaN), 0)
  const rows = [
    `| job | ${names.map((n) => `${n}: lag, requests`).join(' | ')} |`,
    `| --- | ${names.map(() => '---').join(' | ')} |`,
    ...durations.map(
      (d) =>
        `| ${d} s | ${names
          .map((n) => {
            const m = cell(n, d)
            return m === undefined ? '' : `${(m.lagMs / 1000).toFixed(2)} s, ${m.requests}`
          })
          .join(' | ')} |`,
    ),
    `| **short jobs, total** | ${names
      .map(
        (n) =>
          `${(total(n, 'lagMs', SHORT_JOBS_S) / 1000).toFixed(2)} s, ${total(n, 'requests', SHORT_JOBS_S)}`,
      )
      .join(' | ')} |`,
  ]
  const [poller, loop, ours] = names
  const ratio = (key: 'lagMs' | 'requests', of: string, to: string, ds: number[]): number =>
    total(of, key, ds) / total(to, key, ds)
  const lines = [
    ...rows,
    '',
    '| ratio in this run | measured | target |',
    '| --- | --- | --- |',
    `| lag over the short jobs / 1 Hz poller's | ${ratio('lagMs', ours ?? '', poller ?? '', SHORT_JOBS_S).toFixed(2)} | ≤ 2 |`,
    `| lag over the short jobs / curl loop's | ${ratio('lagMs', ours ?? '', loop ?? '', SHORT_JOBS_S).toFixed(2)} | ≤ 0.25 |`,
    `| requests over the short jobs / 1 Hz poller's | ${ratio('requests', ours ?? '', poller ?? '', SHORT_JOBS_S).toFixed(2)} | (see the spread) |`,
  ]
  if (durations.includes(LONG_JOB_S)) {
    lines.push(
      `| requests over the ${LONG_JOB_S} s job / 1 Hz poller's | ${ratio('requests', ours ?? '', poller ?? '', [LONG_JOB_S]).toFixed(2)} | (see the spread) |`,
    )
  }
  return lines
}

async function main(): Promise<void> {
  // The schedule's trade-off over a spread of job lengths: a model of the real schedule, exact and
  // quick, so it comes first (and alone with --model).
  const model = spreadTable(SPREADS.map(([fromMs, toMs]) => spread(fromMs, toMs)))
  console.log(model.join('\n'))
  if (process.argv.includes('--model')) return
  if (process.argv.includes('--memory')) {
    console.log('Memory: 1,000 jobs whose messages are 8 MiB...')
    const rows = await memory(1000, 64)
    console.log(rows.join('\n'))
    console.log(
      `\nNode ${process.version}, ${String(cpus().length)} CPUs (${cpus()[0]?.model ?? 'unknown'})`,
    )
    return
  }
  const quick = process.argv.includes('--quick')
  const durations = quick ? SHORT_JOBS_S : [...SHORT_JOBS_S, LONG_JOB_S]
  console.log(`Measuring ${CLIENTS.length} clients × ${durations.length} jobs, all at once...`)
  const results = await Promise.all(
    durations.flatMap((d) => CLIENTS.map((client) => measure(client, d))),
  )
  const lag = lagTable(results, durations)
  console.log(lag.join('\n'))
  console.log('\nMany jobs in one step...')
  const many = await manyJobs()
  console.log(many.join('\n'))
  console.log('\nStart-up...')
  const start = coldStart(20)
  console.log(start.join('\n'))
  const git = (...args: string[]): string =>
    spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout.trim()
  // What is measured is dist/ (and the benchmark itself): work in progress elsewhere does not count.
  const dirty = git('status', '--porcelain', '--', 'dist', 'bench') !== ''
  const commit = `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes' : ''}`
  const report = [
    '# Benchmark results',
    '',
    `Recorded by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${new Date().toISOString().slice(0, 10)}, commit ${commit}, Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}). See README.md for what each figure means.`,
    '',
    '## The schedule over a spread of job lengths (model)',
    '',
    ...model,
    '',
    '## Noticing a finished job (real processes)',
    '',
    ...lag,
    '',
    '## Many jobs in one step',
    '',
    ...many,
    '',
    '## Start-up',
    '',
    ...start,
    '',
  ].join('\n')
  const out = join(ROOT, 'bench', quick ? 'results-quick.md' : 'results.md')
  writeFileSync(out, report)
  console.log(`\nWritten to ${out}`)
}

/** The reference client: token, start, then a status check every interval until a final status. */
async function client(intervalMs: number, serverUrl: string): Promise<void> {
  const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')
  const tokenAnswer = await fetch(`${serverUrl}/spotfire/oauth2/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${basic}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=api.rest.automation-services-job.execute',
  })
  const { access_token: token } = (await tokenAnswer.json()) as { access_token: string }
  const api = `${serverUrl}/spotfire/api/rest/as/job`
  const headers = { Authorization: `Bearer ${token}` }
  const started = await fetch(`${api}/start-library?path=${encodeURIComponent('/Bench/job')}`, {
    method: 'POST',
    headers,
  })
  const { JobId: jobId } = (await started.json()) as { JobId: string }
  for (;;) {
    await new Promise((done) => setTimeout(done, intervalMs))
    const answer = await fetch(`${api}/status/${jobId}`, { headers })
    const { StatusCode: status } = (await answer.json()) as { StatusCode: string }
    if (['Finished', 'Failed', 'Canceled', 'Missing'].includes(status)) return
  }
}

const role = process.argv.indexOf('--client')
if (role >= 0) {
  await client(Number(process.argv[role + 1]), process.argv[role + 2] ?? '')
} else {
  await main()
}
