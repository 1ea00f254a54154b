import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator } from '../../src/simulator/index.js'

const CLI = resolve('dist/cli/index.js')
const QUICK = {
  phases: [{ status: 'Queued', polls: 1 }],
  final: { status: 'Finished', message: '' },
}

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

interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

function cli(
  args: string[],
  onStderr?: (text: string, kill: (s: NodeJS.Signals) => void) => void,
): Promise<CliRun> {
  const child = spawn(
    process.execPath,
    [CLI, '--server-url', sim.url, '--poll-interval', '100ms', ...args],
    {
      env: {
        PATH: process.env.PATH,
        SPOTFIRE_CLIENT_ID: 'demo-client',
        SPOTFIRE_CLIENT_SECRET: 'demo-secret',
      },
    },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
    onStderr?.(stderr, (signal) => child.kill(signal))
  })
  return new Promise((done) => {
    child.on('close', (code) => {
      done({ code, stdout, stderr })
    })
  })
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

  it('exits 1 on a failed job, with the server message on stdout', async () => {
    const run = await cli(['--library-path', '/Jobs/Failing'])
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("Task 1 'X' failed with: boom.")
  })

  it('exits 2 on invalid options without sending anything', async () => {
    const run = await cli(['--library-path', '/Jobs/Quick', '--timeout', 'soon', '--json'])
    expect(run.code).toBe(2)
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, outcome: 'invalid-options' })
    expect(run.stderr).toContain("Invalid --timeout 'soon'.")
    expect(sim.requests).toEqual([])
  })

  it('aborts the job on Ctrl+C', async () => {
    const run = await cli(['--library-path', '/Jobs/Forever', '--json'], (stderr, kill) => {
      if (stderr.includes('Started job') && !stderr.includes('Received')) kill('SIGINT')
    })
    expect(run.code).toBe(1)
    expect(sim.jobs[0]?.abortReasons[0]).toContain('spotfire-as-job')
    expect(JSON.parse(run.stdout)).toMatchObject({
      outcome: 'cancelled',
      jobs: [{ status: 'Canceled' }],
    })
  })
})
