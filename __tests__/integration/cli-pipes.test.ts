import { spawn } from 'node:child_process'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator } from '../../src/simulator/index.js'
import { CLIENT_ID, CLIENT_SECRET, DIST_CLI } from './harness.js'

/** A job that takes a few seconds of polling and fails: the CLI's own exit code for it is 2. */
const SLOW_FAILING = {
  phases: [
    { status: 'Queued', polls: 2 },
    { status: 'InProgress', polls: 8 },
  ],
  final: { status: 'Failed', message: 'Task 1 failed.' },
}

let sim: Simulator
beforeEach(async () => {
  sim = await startSimulator({
    library: [
      { path: '/Jobs/Slow', id: '9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', lifecycle: SLOW_FAILING },
    ],
  })
})
afterEach(async () => {
  await sim.close()
})

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stderr: string
}

/**
 * The bundled CLI on the slow job, with one of its pipes closed by the reader at once, as
 * `spotfire-as-job ... | head -0` would, or stderr closed once the job has started and debug lines
 * are written while it runs (a log viewer that went away); `nodeArgs` go before the script.
 */
function runWithClosed(
  pipe: 'stdout' | 'stderr' | 'stderr after the start' | 'none',
  nodeArgs: string[] = [],
): Promise<Run> {
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      DIST_CLI,
      '--server-url',
      sim.url,
      '--poll-interval',
      '200ms',
      '--library-path',
      '/Jobs/Slow',
      ...(pipe === 'stderr after the start' ? ['--debug'] : []),
    ],
    {
      env: {
        PATH: process.env.PATH,
        SPOTFIRE_CLIENT_ID: CLIENT_ID,
        SPOTFIRE_CLIENT_SECRET: CLIENT_SECRET,
      },
    },
  )
  let stderr = ''
  if (pipe === 'stdout') child.stdout.destroy()
  else child.stdout.resume()
  if (pipe === 'stderr') child.stderr.destroy()
  else
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      if (pipe === 'stderr after the start' && stderr.includes('Started job')) {
        child.stderr.destroy()
      }
    })
  return new Promise((done) => {
    child.on('close', (code, signal) => {
      done({ code, signal, stderr })
    })
  })
}

describe('the CLI with a pipe the reader closed', () => {
  it.each(['stdout', 'stderr', 'stderr after the start'] as const)(
    'follows the job to its end and exits with its code when %s is closed',
    async (pipe) => {
      // BUG fixed: EPIPE on a write killed the process, and the job was left running.
      const run = await runWithClosed(pipe)
      expect(sim.jobs).toHaveLength(1)
      expect(sim.jobs[0]?.history).toEqual(['Queued', 'InProgress', 'Failed'])
      // 2 Queued, 8 InProgress, and the one that saw Failed: followed to the end, not left running.
      expect(sim.jobs[0]?.statusPolls).toBe(11)
      expect(sim.jobs[0]?.abortReasons).toEqual([])
      expect(run).toMatchObject({ code: 2, signal: null })
    },
  )
})

describe('the CLI after an uncaught crash', () => {
  it('exits 3, a failure on this side, and says why', async () => {
    // Thrown from a timer while the job runs: nothing in the CLI can catch it.
    const crash = 'data:text/javascript,setTimeout(()=>{throw new Error("injected crash")},300)'
    const run = await runWithClosed('none', ['--import', crash])
    expect(run).toMatchObject({ code: 3, signal: null })
    expect(run.stderr).toContain('injected crash')
  })

  const secretError = 'new Error("near " + process.env.SPOTFIRE_CLIENT_SECRET)'
  it.each([
    ['a throw', `throw ${secretError}`],
    ['a rejection', `void Promise.reject(${secretError})`],
  ])('exits 3 and hides the client secret on %s', async (_, fail) => {
    const crash = `data:text/javascript,${encodeURIComponent(`setTimeout(() => { ${fail} }, 300)`)}`
    const run = await runWithClosed('none', ['--import', crash])
    expect(run).toMatchObject({ code: 3, signal: null })
    expect(run.stderr).toContain('Unexpected error: near ***')
    expect(run.stderr).not.toContain(CLIENT_SECRET)
  })
})
