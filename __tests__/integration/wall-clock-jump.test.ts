import { spawn } from 'node:child_process'
import { describe, expect, it } from '@jest/globals'
import { wallClockJumpEnv } from './harness.js'

/**
 * The preload the soak uses to make dist/'s wall clock jump: proven on a tiny script that reads
 * every clock before and after the jump.
 */

const HOUR = 3_600_000
/** Generous: the child's start and the test's own reading are a few event-loop turns apart. */
const SLACK = 10_000

const SCRIPT = `
const read = () => ({
  now: Date.now(),
  date: new Date().getTime(),
  called: Date.parse(Date()),
  perf: performance.now(),
})
const before = read()
const fixed = { value: new Date(0).getTime(), parsed: Date.parse('2020-01-01T00:00:00Z'), utc: Date.UTC(2020, 0, 1) }
const made = new Date(5)
const instance = made instanceof Date && new Date() instanceof Date && Object.prototype.toString.call(new Date()) === '[object Date]'
const wait = () => {
  if (performance.now() - before.perf < Number(process.argv[1])) return setTimeout(wait, 20)
  console.log(JSON.stringify({ before, after: read(), fixed, instance }))
}
wait()
`

interface Reading {
  now: number
  date: number
  called: number
  perf: number
}
interface Result {
  before: Reading
  after: Reading
  fixed: { value: number; parsed: number; utc: number }
  instance: boolean
}

function runScript(
  env: Record<string, string>,
  waitMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string; startedAt: number }> {
  const startedAt = Date.now()
  const child = spawn(process.execPath, ['-e', SCRIPT, String(waitMs)], {
    env: { PATH: process.env.PATH, ...env },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((done) => {
    child.on('close', (code) => {
      done({ code, stdout, stderr, startedAt })
    })
  })
}

async function jump(afterMs: number, deltaMs: number, waitMs: number): Promise<Result> {
  const run = await runScript(wallClockJumpEnv({ afterMs, deltaMs }), waitMs)
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  const result = JSON.parse(run.stdout) as Result
  // Before the jump every wall clock reads the real time.
  for (const value of [result.before.now, result.before.date]) {
    expect(Math.abs(value - run.startedAt)).toBeLessThan(SLACK)
  }
  expect(Math.abs(result.before.called - result.before.now)).toBeLessThan(1000)
  expect(result.fixed).toEqual({ value: 0, parsed: 1577836800000, utc: 1577836800000 })
  expect(result.instance).toBe(true)
  return result
}

/** How far the wall clock moved beyond the monotonic clock between the two readings. */
function leap(result: Result, key: 'now' | 'date' | 'called'): number {
  return result.after[key] - result.before[key] - (result.after.perf - result.before.perf)
}

describe('the wall-clock-jump preload', () => {
  it.each([
    ['forward', HOUR],
    ['back', -HOUR],
  ])(
    'jumps Date.now(), new Date() and Date() %s an hour, and leaves performance.now() alone',
    async (_way, delta) => {
      const result = await jump(200, delta, 400)
      for (const key of ['now', 'date'] as const) {
        expect(Math.abs(leap(result, key) - delta)).toBeLessThan(SLACK)
      }
      // Date() is a string with whole seconds.
      expect(Math.abs(leap(result, 'called') - delta)).toBeLessThan(SLACK)
      // The monotonic clock saw only the real wait.
      expect(result.after.perf - result.before.perf).toBeGreaterThanOrEqual(400)
      expect(result.after.perf - result.before.perf).toBeLessThan(SLACK)
    },
  )

  it('does not jump before afterMs have passed', async () => {
    const result = await jump(60_000, HOUR, 100)
    expect(Math.abs(leap(result, 'now'))).toBeLessThan(SLACK)
    expect(Math.abs(leap(result, 'date'))).toBeLessThan(SLACK)
  })

  it('refuses a malformed WALL_CLOCK_JUMP instead of running with a clock it was not asked for', async () => {
    const env = { ...wallClockJumpEnv({ afterMs: 0, deltaMs: 0 }), WALL_CLOCK_JUMP: 'soon' }
    const run = await runScript(env, 0)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      "WALL_CLOCK_JUMP must be <afterMs>:<deltaMs>, e.g. 2000:-3600000, not 'soon'.",
    )
  })
})
