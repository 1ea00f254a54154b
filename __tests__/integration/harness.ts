import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parse } from 'yaml'
import {
  createLogRenderer,
  runStep,
  type StepOptions,
  type StepRun,
} from '../../src/demo/local-runner.js'

/** SPOTFIRE_TEST_DIST points the tests at another build, e.g. the last release's, to see a new test fail there. */
const DIST = resolve(process.env.SPOTFIRE_TEST_DIST ?? 'dist')
export const DIST_MAIN = resolve(DIST, 'index.js')
export const DIST_POST = resolve(DIST, 'post/index.js')
export const DIST_CLI = resolve(DIST, 'cli/index.js')
export const CLIENT_ID = 'demo-client'
export const CLIENT_SECRET = 'demo-secret'

export type ActionRun = StepRun

/** The runner passes every input's action.yml default when the workflow does not set it. */
const defaults: Record<string, string> = (() => {
  const action = parse(readFileSync('action.yml', 'utf8')) as {
    inputs: Record<string, { default?: string }>
  }
  return Object.fromEntries(
    Object.entries(action.inputs).flatMap(([name, input]) =>
      input.default === undefined ? [] : [[name, input.default]],
    ),
  )
})()

/** The preload that makes a spawned Node's wall clock jump (see the file). */
export const WALL_CLOCK_JUMP_PRELOAD = resolve('__tests__/integration/wall-clock-jump.mjs')

/** A wall clock that jumps by `deltaMs` once `afterMs` of real time have passed. */
export interface WallClockJump {
  afterMs: number
  deltaMs: number
}

/** The environment that makes a spawned `node` load the wall-clock-jump preload. */
export function wallClockJumpEnv(jump: WallClockJump): Record<string, string> {
  return {
    NODE_OPTIONS: `--import=${pathToFileURL(WALL_CLOCK_JUMP_PRELOAD).href}`,
    WALL_CLOCK_JUMP: `${Math.round(jump.afterMs)}:${Math.round(jump.deltaMs)}`,
  }
}

/**
 * Runs the bundled main step (or `entry`) exactly as the runner does, with action.yml's defaults.
 * With `wallClockJump`, the unmodified bundle runs under a wall clock that jumps.
 */
export function runAction(
  options: Omit<StepOptions, 'entry'> & { entry?: string; wallClockJump?: WallClockJump },
): Promise<StepRun> {
  const { wallClockJump, ...step } = options
  return runStep({
    ...step,
    entry: step.entry ?? DIST_MAIN,
    inputs: { ...defaults, ...step.inputs },
    ...(wallClockJump === undefined
      ? {}
      : { env: { ...step.env, ...wallClockJumpEnv(wallClockJump) } }),
  })
}

/** Inputs for a run against the simulator, with the demo client's credentials and quick polling. */
export function baseInputs(
  serverUrl: string,
  extra: Record<string, string>,
): Record<string, string> {
  return {
    'server-url': serverUrl,
    'client-id': CLIENT_ID,
    'client-secret': CLIENT_SECRET,
    'poll-interval': '100ms',
    ...extra,
  }
}

export const SAMPLE_JOB = `<?xml version="1.0" encoding="utf-8"?>
<as:Job xmlns:as="urn:tibco:spotfire.dxp.automation">
  <as:Tasks>
    <OpenAnalysisFromLibrary xmlns="urn:tibco:spotfire.dxp.automation.tasks">
      <as:Title>Open the weekly sales analysis</as:Title>
      <AnalysisPath>/Sales/Weekly overview</AnalysisPath>
      <ConfigurationBlock>Region="\${REGION}";</ConfigurationBlock>
    </OpenAnalysisFromLibrary>
  </as:Tasks>
</as:Job>
`

/** The log as a person sees it on the runner: masked values as ***, workflow commands decoded. */
export function shownLog(run: StepRun, debug = true): string {
  const render = createLogRenderer(debug)
  return run.log
    .split(/\r?\n/)
    .map((line) => render(line))
    .filter((line) => line !== undefined)
    .join('\n')
}

/** What the runner does on cancellation: SIGINT, SIGTERM 7.5 s later, SIGKILL 2.5 s after that. */
export function cancelLikeTheRunner(when: (log: string) => boolean): {
  onOutput: NonNullable<StepOptions['onOutput']>
  dispose: () => void
} {
  const timers: NodeJS.Timeout[] = []
  let sent = false
  return {
    onOutput: (log, step) => {
      if (sent || !when(log)) return
      sent = true
      step.kill('SIGINT')
      timers.push(
        setTimeout(() => {
          step.kill('SIGTERM')
        }, 7500),
      )
      timers.push(
        setTimeout(() => {
          step.kill('SIGKILL')
        }, 10_000),
      )
    },
    dispose: () => {
      timers.forEach(clearTimeout)
    },
  }
}

/** Every access token the server saw in Authorization headers. */
export function tokensSeen(
  requests: { headers: Record<string, string | string[] | undefined> }[],
): string[] {
  return [
    ...new Set(
      requests.flatMap((r) => {
        const header = r.headers.authorization
        return typeof header === 'string' && header.startsWith('Bearer ') ? [header.slice(7)] : []
      }),
    ),
  ]
}

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the bundled CLI with the demo client's credentials in SPOTFIRE_* variables, as a user's script would. */
export function runCliProcess(
  args: string[],
  options: {
    env?: Record<string, string>
    onStderr?: (text: string, kill: (signal: NodeJS.Signals) => void) => void
    cwd?: string
  } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [DIST_CLI, ...args], {
    env: {
      PATH: process.env.PATH,
      SPOTFIRE_CLIENT_ID: CLIENT_ID,
      SPOTFIRE_CLIENT_SECRET: CLIENT_SECRET,
      ...options.env,
    },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
    options.onStderr?.(stderr, (signal) => child.kill(signal))
  })
  return new Promise((done) => {
    child.on('close', (code) => {
      done({ code, stdout, stderr })
    })
  })
}

/**
 * The ledger the main step saved for the post step: one entry per job with something left to do
 * (one key per job, empty once settled), in job order.
 */
export function ledgerOf(run: StepRun): {
  source: string
  jobId?: string
  settled: boolean
  startSentAt?: number
  pendingAbort?: string
}[] {
  return Object.entries(run.state)
    .filter(([key, value]) => key.startsWith('job_') && value !== '')
    .sort(([a], [b]) => Number(a.slice(4)) - Number(b.slice(4)))
    .map(([, value]) => ({ source: '', settled: false, ...(JSON.parse(value) as object) }))
}

/** Saved state that tells the post step of jobs, as the main step would have left it. */
export function ledgerState(
  entries: { source?: string; jobId: string; pendingAbort?: string }[],
): Record<string, string> {
  return Object.fromEntries(entries.map((e, i) => [`job_${String(i)}`, JSON.stringify(e)]))
}
