import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { Ajv } from 'ajv'
import { parse } from 'test-results-parser'
import { startSimulator, type Simulator } from '../../src/simulator/index.js'
import { runCliProcess, type CliRun } from './harness.js'

/** What scripts and CI systems read from the CLI: its JSON, its stderr, its JUnit report. */

const schema = JSON.parse(readFileSync('docs/cli-result.schema.json', 'utf8')) as object
const validate = new Ajv({ allErrors: true }).compile(schema)
const dir = mkdtempSync(join(tmpdir(), 'cli-contract-'))
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

let sim: Simulator
beforeEach(async () => {
  sim = await startSimulator({
    library: [
      {
        path: '/Jobs/Quick',
        id: '5f0c2a1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b',
        lifecycle: {
          phases: [{ status: 'Queued', polls: 1 }],
          final: { status: 'Finished', message: '' },
        },
      },
      {
        path: '/Jobs/Failing',
        id: '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        lifecycle: { phases: [], final: { status: 'Failed', message: "Task 1 'X' failed: boom." } },
      },
    ],
  })
})
afterEach(async () => {
  await sim.close()
})

const cli = (args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
  runCliProcess(['--server-url', sim.url, '--poll-interval', '100ms', ...args], { env })

/** The one JSON object on stdout, checked against the schema kept in the repository. */
function json(run: CliRun): Record<string, unknown> {
  const value = JSON.parse(run.stdout) as Record<string, unknown>
  const valid = validate(value)
  expect(validate.errors ?? []).toEqual([])
  expect(valid).toBe(true)
  return value
}

describe('--json: one shape for every run', () => {
  it('a finished run', async () => {
    const run = await cli(['--library-path', '/Jobs/Quick', '--json'])
    expect(json(run)).toMatchObject({ ok: true, outcome: 'finished', uploads: [] })
  })

  it('a failed job: the verdict and the server’s message on stderr too', async () => {
    const run = await cli(['--library-path', '/Jobs/Failing', '--json'])
    expect(run.code).toBe(2)
    expect(json(run)).toMatchObject({ ok: false, outcome: 'failed' })
    expect(run.stderr).toContain("Task 1 'X' failed: boom.")
  })

  it('a timed-out job says so on stderr', async () => {
    sim.update({
      library: [
        {
          path: '/Jobs/Slow',
          id: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
          lifecycle: { phases: [{ status: 'InProgress' }], final: { status: 'Finished' } },
        },
      ],
    })
    const run = await cli(['--library-path', '/Jobs/Slow', '--timeout', '1s', '--json'])
    expect(json(run)).toMatchObject({ ok: false, outcome: 'timed-out' })
    expect(run.stderr).toMatch(/did not finish within 1 s/)
  })

  it('invalid options', async () => {
    const run = await cli(['--library-path', '/Jobs/Quick', '--timeout', 'soon', '--json'])
    expect(run.code).toBe(1)
    expect(json(run)).toMatchObject({
      ok: false,
      outcome: 'invalid-options',
      jobs: [],
      uploads: [],
      problems: [expect.stringContaining("Invalid --timeout 'soon'")],
    })
  })

  it('a dry run, with its checks and plan', async () => {
    const run = await cli(['--library-path', '/Jobs/Quick', '--dry-run', '--json'])
    expect(run.code).toBe(0)
    const result = json(run)
    expect(result).toMatchObject({ ok: true, outcome: 'dry-run' })
    expect(result.plan).toEqual(["would start library job '/Jobs/Quick'"])
    expect(run.stderr).toMatch(/Dry run passed/)
  })
})

describe('--junit', () => {
  it('writes a report a JUnit parser reads, for a run that fails too', async () => {
    const file = join(dir, 'run', 'report.xml')
    const run = await cli([
      '--library-path',
      '/Jobs/Quick',
      '--library-path',
      '/Jobs/Failing',
      '--junit',
      file,
    ])
    expect(run.code).toBe(2)
    const report = parse({ type: 'junit', files: [file] })
    expect(report.suites[0]?.cases.map((c) => [c.name, c.status])).toEqual([
      ['/Jobs/Quick', 'PASS'],
      ['/Jobs/Failing', 'FAIL'],
    ])
  })

  it('writes one for invalid options', async () => {
    const file = join(dir, 'invalid.xml')
    const run = await cli(['--library-path', '/Jobs/Quick', '--timeout', 'soon', '--junit', file])
    expect(run.code).toBe(1)
    const report = parse({ type: 'junit', files: [file] })
    expect(report.failed).toBe(1)
    expect(report.suites[0]?.cases[0]?.stack_trace).toContain("Invalid --timeout 'soon'")
  })
})

describe('flags as people type them', () => {
  it('--version prints the package version', async () => {
    const run = await runCliProcess(['--version'])
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
    expect(run.stdout).toBe(`${pkg.version}\n`)
    expect(run.code).toBe(0)
  })

  it('--wait false works like --wait=false', async () => {
    const run = await cli(['--library-path', '/Jobs/Quick', '--wait', 'false', '--json'])
    expect(json(run)).toMatchObject({ ok: true, outcome: 'started' })
  })

  it('a near miss of a SPOTFIRE_ variable gets "did you mean"', async () => {
    const run = await runCliProcess(['--server-url', sim.url, '--library-path', '/Jobs/Quick'], {
      env: { SPOTFIRE_CLIENT_SECRET: '', SPOTFIRE_CLIENTSECRET: 'demo-secret' },
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      'Environment variable SPOTFIRE_CLIENTSECRET is not one this command reads. Did you mean SPOTFIRE_CLIENT_SECRET?',
    )
    expect(run.stderr).not.toContain('demo-secret')
  })

  it('says "relative to the current directory", not "the workspace"', async () => {
    const run = await cli(['--job-file', 'missing.xml'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('relative to the current directory')
    expect(run.stderr).not.toContain('workspace')
  })
})
