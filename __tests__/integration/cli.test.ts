import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator } from '../../src/simulator/index.js'
import { runCliProcess } from './harness.js'

const QUICK = {
  phases: [{ status: 'Queued', polls: 1 }],
  final: { status: 'Finished', message: '' },
}

/** A job message that every CI system would run, were it printed as it is. */
const HOSTILE_MESSAGE = [
  'Task 1 failed: ##vso[task.prependpath]/tmp/evil',
  '##VSO[task.setvariable variable=X]y',
  "##teamcity[setParameter name='env.PATH' value='/tmp/evil']",
  '::error::forged',
  '##[error]forged',
].join('\n')

/** A CI system's command in some line: GitHub's, Azure's or TeamCity's, in any case. */
const RUNNABLE = /^\s*::|##\[|##vso\[|##teamcity\[/im

let sim: Simulator
beforeEach(async () => {
  sim = await startSimulator({
    library: [
      { path: '/Jobs/Quick', id: '5f0c2a1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b', lifecycle: QUICK },
      {
        path: '/Jobs/Failing',
        id: '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        lifecycle: {
          phases: [],
          final: { status: 'Failed', message: "Task 1 'X' failed with: boom." },
        },
      },
      {
        path: '/Jobs/Hostile',
        id: '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        lifecycle: { phases: [], final: { status: 'Failed', message: HOSTILE_MESSAGE } },
      },
      {
        path: '/Jobs/Forever',
        id: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        lifecycle: { phases: [{ status: 'InProgress' }], final: { status: 'Finished' } },
      },
    ],
  })
})
afterEach(async () => {
  await sim.close()
})

/** The CLI against this test's simulator, with quick polling. */
function cli(
  args: string[],
  onStderr?: (text: string, kill: (s: NodeJS.Signals) => void) => void,
): ReturnType<typeof runCliProcess> {
  return runCliProcess(
    ['--server-url', sim.url, '--poll-interval', '100ms', ...args],
    onStderr === undefined ? {} : { onStderr },
  )
}

describe('the CLI', () => {
  it('runs a job with secrets from the environment and prints one JSON object', async () => {
    const run = await cli(['--library-path', '/Jobs/Quick', '--json'])
    expect(run.code).toBe(0)
    const result = JSON.parse(run.stdout) as Record<string, unknown>
    expect(result).toMatchObject({
      ok: true,
      outcome: 'finished',
      jobs: [{ source: '/Jobs/Quick', status: 'Finished', 'job-id': sim.jobs[0]?.id }],
    })
    expect(run.stderr).toContain('Queued -> Finished')
    expect(run.stderr + run.stdout).not.toContain('demo-secret')
  })

  it('exits 2 on a job that failed on the server, with its message on stdout', async () => {
    const run = await cli(['--library-path', '/Jobs/Failing'])
    expect(run.code).toBe(2)
    expect(run.stdout).toContain("Task 1 'X' failed with: boom.")
  })

  it("defuses every CI system's commands in a job's message, on stdout and stderr", async () => {
    const run = await cli(['--library-path', '/Jobs/Hostile'])
    expect(run.code).toBe(2)
    expect(run.stdout).toContain('/tmp/evil')
    expect(run.stdout).not.toMatch(RUNNABLE)
    expect(run.stderr).not.toMatch(RUNNABLE)
  })

  it("prints JSON that no CI system reads a command from, and that parses to the job's message", async () => {
    const run = await cli(['--library-path', '/Jobs/Hostile', '--json'])
    expect(run.code).toBe(2)
    expect(run.stdout).not.toMatch(RUNNABLE)
    expect(run.stdout).not.toContain('#')
    const result = JSON.parse(run.stdout) as { jobs: { message?: string }[]; verdict: string }
    expect(result.jobs[0]?.message).toBe(HOSTILE_MESSAGE)
  })

  it('exits 1 on invalid options without sending anything', async () => {
    const run = await cli(['--library-path', '/Jobs/Quick', '--timeout', 'soon', '--json'])
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, outcome: 'invalid-options' })
    expect(run.stderr).toContain("Invalid --timeout 'soon'.")
    expect(sim.requests).toEqual([])
  })

  it('exits 2 when the server finds no such job', async () => {
    const run = await cli(['--library-path', '/Jobs/Nope'])
    expect(run.code).toBe(2)
  })

  it('exits 3 on a failure on this side: a timeout', async () => {
    const run = await cli(['--library-path', '/Jobs/Forever', '--timeout', '1s'])
    expect(run.code).toBe(3)
    expect(sim.jobs[0]?.status).toBe('Canceled')
  })

  it('names flags in its hints: --ca-certificate for an untrusted certificate', async () => {
    const tls = {
      cert: readFileSync('__tests__/fixtures/tls/cert.pem', 'utf8'),
      key: readFileSync('__tests__/fixtures/tls/key.pem', 'utf8'),
    }
    const secure = await startSimulator({ tls })
    try {
      const run = await runCliProcess([
        '--server-url',
        secure.url,
        '--library-path',
        '/Jobs/Quick',
        '--timeout',
        '5s',
      ])
      expect(run.code).toBe(3)
      expect(run.stdout).toContain('pass it in --ca-certificate')
    } finally {
      await secure.close()
    }
  })

  it('aborts the job on Ctrl+C', async () => {
    const run = await cli(['--library-path', '/Jobs/Forever', '--json'], (stderr, kill) => {
      if (stderr.includes('Started job') && !stderr.includes('Received')) kill('SIGINT')
    })
    // A cancellation is a failure on this side: 3, as the Client Job Sender says.
    expect(run.code).toBe(3)
    expect(sim.jobs[0]?.abortReasons[0]).toContain('spotfire-as-job')
    expect(JSON.parse(run.stdout)).toMatchObject({
      outcome: 'cancelled',
      jobs: [{ status: 'Canceled' }],
    })
  })
})
