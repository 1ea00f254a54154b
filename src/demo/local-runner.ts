import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/**
 * Runs a bundled step the way the GitHub runner does: a fresh node process with INPUT_* variables,
 * GITHUB_OUTPUT/GITHUB_STATE/GITHUB_STEP_SUMMARY files and STATE_* for the post step.
 * The demo and the integration tests use it; it is not part of the action.
 */

export interface Annotation {
  level: 'error' | 'warning' | 'notice' | 'debug'
  message: string
}

export interface StepRun {
  exitCode: number | null
  signal: NodeJS.Signals | null
  /** What the step printed, workflow commands (::error:: ...) undecoded, as the runner reads it. */
  log: string
  outputs: Record<string, string>
  /** What the step saved with saveState: the runner hands it to the post step as STATE_* variables. */
  state: Record<string, string>
  summary: string
  annotations: Annotation[]
  workspace: string
}

export interface StepOptions {
  /** The bundled script, e.g. dist/index.js. */
  entry: string
  inputs: Record<string, string>
  /** Saved state from the main step, for the post step. */
  state?: Record<string, string>
  env?: Record<string, string>
  /** Files to write into the workspace first, by path relative to it. */
  files?: Record<string, string | Buffer>
  workspace?: string
  /** Called once the process runs, with its pid (the benchmark reads its memory). */
  onSpawn?: (pid: number) => void
  /** Called with the log so far on every chunk; `kill` sends a signal, as the runner does on cancel. */
  onOutput?: (log: string, step: { kill(signal: NodeJS.Signals): void }) => void
}

/** The runner's rule: `INPUT_` + the name in upper case with spaces as underscores (hyphens stay). */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

export async function runStep(options: StepOptions): Promise<StepRun> {
  const dir = mkdtempSync(join(tmpdir(), 'spotfire-step-'))
  const workspace = options.workspace ?? mkdtempSync(join(tmpdir(), 'spotfire-workspace-'))
  for (const [name, text] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(workspace, name)), { recursive: true })
    writeFileSync(join(workspace, name), text)
  }
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  }
  for (const path of Object.values(files)) writeFileSync(path, '')
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'example/repo',
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_WORKFLOW: 'Refresh reports',
    GITHUB_JOB: 'refresh',
    RUNNER_TEMP: dir,
    ...files,
    ...Object.fromEntries(Object.entries(options.inputs).map(([k, v]) => [inputVariable(k), v])),
    ...Object.fromEntries(Object.entries(options.state ?? {}).map(([k, v]) => [`STATE_${k}`, v])),
    ...options.env,
  }
  const child = spawn(process.execPath, [options.entry], { env, cwd: workspace })
  if (child.pid !== undefined) options.onSpawn?.(child.pid)
  let log = ''
  const onData = (chunk: Buffer): void => {
    log += chunk.toString()
    options.onOutput?.(log, { kill: (signal) => child.kill(signal) })
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) => {
    child.on('close', (code, sig) => {
      done([code, sig])
    })
  })
  return {
    exitCode,
    signal,
    log,
    outputs: parseFileCommand(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    state: parseFileCommand(readFileSync(files.GITHUB_STATE, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    annotations: parseAnnotations(log),
    workspace,
  }
}

/** `name<<delimiter` / value / `delimiter` entries, as @actions/core writes GITHUB_OUTPUT and GITHUB_STATE. */
export function parseFileCommand(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '')
    if (match?.[1] === undefined || match[2] === undefined) continue
    const end = lines.indexOf(match[2], i + 1)
    if (end < 0) break
    result[match[1]] = lines.slice(i + 1, end).join('\n')
    i = end
  }
  return result
}

/** `::error::message` lines, decoded as the runner decodes them. */
export function parseAnnotations(log: string): Annotation[] {
  return log
    .split(/\r?\n/)
    .map(annotationOf)
    .filter((annotation) => annotation !== undefined)
}

/** An `::error::`/`::warning::`/`::notice::`/`::debug::` line as the runner decodes it. */
function annotationOf(line: string): Annotation | undefined {
  const match = /^::(error|warning|notice|debug)(?: [^:]*)?::(.*)$/.exec(line)
  if (match?.[1] === undefined || match[2] === undefined) return undefined
  return { level: match[1] as Annotation['level'], message: decodeCommand(match[2]) }
}

/**
 * Shows log lines as the runner does: masked values as ***, ::add-mask:: and ::debug:: lines hidden
 * (unless `debug`), annotations as "Error: ..." / "Warning: ...". Undefined for a hidden line.
 */
export function createLogRenderer(debug = false): (line: string) => string | undefined {
  const masks: string[] = []
  return (line) => {
    const mask = /^::add-mask::(.*)$/.exec(line)
    if (mask?.[1] !== undefined) {
      if (mask[1] !== '') masks.push(decodeCommand(mask[1]))
      return undefined
    }
    if (line === '::endgroup::') return undefined
    if (line.startsWith('::group::')) return `> ${line.slice('::group::'.length)}`
    const annotation = annotationOf(line)
    let text = line
    if (annotation !== undefined) {
      const { level, message } = annotation
      if (level === 'debug' && !debug) return undefined
      const label =
        level === 'debug' ? '##[debug]' : `${level.charAt(0).toUpperCase()}${level.slice(1)}:`
      text = `${label} ${message}`
    }
    return masks.reduce((masked, secret) => masked.split(secret).join('***'), text)
  }
}

/** Workflow command data escapes %, CR and LF; the runner decodes them before use. */
function decodeCommand(data: string): string {
  return data.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%')
}
