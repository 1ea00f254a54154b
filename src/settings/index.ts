import { resolve } from 'node:path'
import { DEFAULT_SCOPE, Inputs } from '../shared/constants.js'
import { shown } from '../spotfire/text.js'
import { closest } from '../shared/suggest.js'
import { parseCaCertificates } from './ca.js'
import { MAX_JOB_FILE_BYTES, parseJobSources, type JobSpec } from './job-sources.js'
import { Reader, type SettingsSource } from './reader.js'
import { readScope } from './scope.js'
import { parseServerUrl } from './server-url.js'
import { parseUploads, type UploadSpec } from './uploads.js'

export type { JobSpec } from './job-sources.js'
export type { SettingsSource } from './reader.js'
export type { UploadSpec, UploadType } from './uploads.js'

/** What it takes to talk to the server: all the post step needs to abort a job. */
export interface ConnectionSettings {
  /** Server base URL without a trailing `/` or `/spotfire`, e.g. `https://spotfire.example.com`. */
  serverUrl: string
  /** OAuth2 client id of the registered API client. */
  clientId: string
  /** Its secret. */
  clientSecret: string
  /** `basic`: client_secret_basic (HTTP Basic); `post`: client_secret_post (form fields). */
  clientAuthMethod: 'basic' | 'post'
  /** Space-separated scopes asked for with the token: by default, what the step needs. */
  scope: string
  /** How long one HTTP request may take. */
  requestTimeoutMs: number
  /** Extra trusted CA certificates (PEM), on top of the system ones. */
  caCertificates?: string
  /** Abort the jobs when the workflow run is cancelled. */
  abortOnCancel: boolean
}

export interface Settings extends ConnectionSettings {
  /** The jobs to run or follow, in input order. */
  jobs: JobSpec[]
  /** Wait for a terminal status, or return right after the start. */
  wait: boolean
  /** How long the step may take, start retries included. */
  timeoutMs: number
  /** The longest pause between status checks. */
  pollIntervalMs: number
  /** Fail the step when a job ends in any status but Finished. */
  failOnJobFailure: boolean
  /** Abort the jobs still running when `timeout` runs out. */
  abortOnTimeout: boolean
  /** How many jobs run at once. */
  maxParallel: number
  /** Abort the running jobs and skip the rest when one does not finish. */
  failFast: boolean
  /** Files to put into the library before any job starts, in input order. */
  uploads: UploadSpec[]
  /** Replace library items that exist (they keep their ids); else an existing one is an error. */
  libraryOverwrite: boolean
  /** Where to write a JUnit XML report of the run (absolute), if anywhere. */
  junitReport?: string
  /** Check everything and start nothing. */
  dryRun: boolean
  /** Things worth saying that do not stop the run. */
  warnings: string[]
}

export class InputError extends Error {
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? (problems[0] ?? '')
        : `${problems.length} inputs are invalid:\n${problems.map((p) => `- ${p}`).join('\n')}`,
    )
    this.name = 'InputError'
  }
}

/** The defaults an empty input takes; action.yml declares the same (a unit test holds them together). */
export const INPUT_DEFAULTS: Readonly<Record<string, string>> = {
  [Inputs.ClientAuthMethod]: 'basic',
  [Inputs.Wait]: 'true',
  [Inputs.Timeout]: '30m',
  [Inputs.PollInterval]: '15s',
  [Inputs.RequestTimeout]: '30s',
  [Inputs.FailOnJobFailure]: 'true',
  [Inputs.AbortOnTimeout]: 'true',
  [Inputs.AbortOnCancel]: 'true',
  [Inputs.MaxParallel]: '4',
  [Inputs.FailFast]: 'false',
  [Inputs.DryRun]: 'false',
  [Inputs.LibraryOverwrite]: 'false',
}

/** The OAuth names Spotfire's own tools use, beside the short ones. */
const AUTH_METHODS: Record<string, 'basic' | 'post'> = {
  basic: 'basic',
  post: 'post',
  client_secret_basic: 'basic',
  client_secret_post: 'post',
}

/** Under this a real network answers too slowly for the setting to mean what it says. */
const QUICK_MS = 1000
/** Jobs at once: an Automation Services instance runs one per core and queues the rest. */
export const MAX_PARALLEL = 64

/** Reads, validates and types every input; throws one InputError listing every problem. */
export function getSettings(source: SettingsSource): Settings {
  const r = new Reader(source, INPUT_DEFAULTS)
  const connection = { ...readConnection(r), scope: readScope(r) }
  let jobs: JobSpec[] = []
  r.guard('The jobs', () => {
    jobs = parseJobSources(r)
  })
  let uploads: UploadSpec[] = []
  r.guard('The uploads', () => {
    uploads = parseUploads(r)
  })
  const libraryOverwrite = r.boolean(Inputs.LibraryOverwrite)
  const wait = r.boolean(Inputs.Wait)
  const timeoutMs = r.duration(Inputs.Timeout)
  warnIfBareSeconds(r, Inputs.Timeout)
  const pollIntervalMs = r.duration(Inputs.PollInterval)
  const failOnJobFailure = r.boolean(Inputs.FailOnJobFailure)
  const abortOnTimeout = r.boolean(Inputs.AbortOnTimeout)
  const maxParallel = r.integer(Inputs.MaxParallel, 1, MAX_PARALLEL)
  const failFast = r.boolean(Inputs.FailFast)
  const dryRun = r.boolean(Inputs.DryRun)
  const junitReport = junitPath(r)
  if (!wait && jobs.some((job) => job.kind === 'job-id')) {
    r.problems.push(
      `${r.name(Inputs.JobId)} follows jobs that are running, which ${r.name(Inputs.Wait)}: false would not do. Expected ${r.name(Inputs.Wait)}: true.`,
    )
  }
  warnIfQuick(r, Inputs.PollInterval, pollIntervalMs)
  checkUnknownInputs(r)
  if (r.problems.length > 0) throw new InputError(r.problems)
  return {
    ...connection,
    jobs,
    wait,
    timeoutMs,
    pollIntervalMs,
    failOnJobFailure,
    abortOnTimeout,
    maxParallel,
    failFast,
    uploads,
    libraryOverwrite,
    dryRun,
    ...(junitReport === undefined ? {} : { junitReport }),
    warnings: r.warnings,
  }
}

/**
 * Where the JUnit report goes, read alone: a step whose other inputs are invalid still writes a
 * report that says so.
 */
export function junitReportOf(source: SettingsSource): string | undefined {
  return junitPath(new Reader(source, INPUT_DEFAULTS))
}

/** Where the JUnit report goes: an absolute path, its folder made when missing. */
function junitPath(r: Reader): string | undefined {
  const value = r.get(Inputs.JunitReport).trim()
  if (value === '') return undefined
  if (/[\0\r\n]/.test(value) || value.endsWith('/') || value.endsWith('\\')) {
    r.problems.push(
      `Invalid ${r.name(Inputs.JunitReport)} '${shown(value, 200)}'. Expected a file path such as reports/spotfire.xml.`,
    )
    return undefined
  }
  return resolve(r.source.workspace, value)
}

/**
 * Only the inputs needed to reach the server. The post step uses it, so that a job file that
 * changed or vanished since the main step cannot stop it from aborting a job.
 */
export function getConnectionSettings(source: SettingsSource): ConnectionSettings {
  const r = new Reader(source, INPUT_DEFAULTS)
  const connection = readConnection(r)
  if (r.problems.length > 0) throw new InputError(r.problems)
  return connection
}

function readConnection(r: Reader): ConnectionSettings {
  const serverUrl = parseServerUrl(
    r.required(Inputs.ServerUrl),
    r.name(Inputs.ServerUrl),
    r.problems,
    r.warnings,
  )
  const clientId = r.required(Inputs.ClientId)
  const clientSecret = r.required(Inputs.ClientSecret)
  const method = r.get(Inputs.ClientAuthMethod)
  const clientAuthMethod = AUTH_METHODS[method.toLowerCase()]
  if (clientAuthMethod === undefined) {
    r.problems.push(
      `Invalid ${r.name(Inputs.ClientAuthMethod)} '${shown(method, 40)}'. Expected basic (client_secret_basic) or post (client_secret_post).`,
    )
  }
  // The post step only aborts jobs: the job scope is all it needs when none is given.
  const scope = r.get(Inputs.Scope).split(/\s+/).join(' ') || DEFAULT_SCOPE
  const requestTimeoutMs = r.duration(Inputs.RequestTimeout)
  warnIfQuick(r, Inputs.RequestTimeout, requestTimeoutMs)
  const abortOnCancel = r.boolean(Inputs.AbortOnCancel)
  const caCertificates = parseCaCertificates(
    r.get(Inputs.CaCertificate),
    r.name(Inputs.CaCertificate),
    (path) => r.readFile(Inputs.CaCertificate, path, MAX_JOB_FILE_BYTES)?.toString('utf8'),
    r.problems,
  )
  return {
    serverUrl,
    clientId,
    clientSecret,
    clientAuthMethod: clientAuthMethod ?? 'basic',
    scope,
    requestTimeoutMs,
    abortOnCancel,
    ...(caCertificates === undefined ? {} : { caCertificates }),
  }
}

/**
 * An input the action does not have, but close to one it has (`library_path`, `timout`): a typo
 * that would otherwise go unnoticed, or end in "No job given". A problem when the real input is
 * empty, since the value would be lost; else a warning.
 */
function checkUnknownInputs(r: Reader): void {
  const known = Object.values(Inputs) as string[]
  for (const { name, value } of r.source.unknownInputs?.() ?? []) {
    if (value.trim() === '') continue
    const normal = name.toLowerCase().replace(/[_ ]/g, '-')
    const meant = known.includes(normal) ? normal : closest(normal, known, 2)
    if (meant === undefined) continue
    const message = `Input ${name} is not an input of this action. Did you mean ${meant}?`
    if (r.source.input(meant).trim() === '') r.problems.push(message)
    else r.warnings.push(`${message} It is ignored; ${meant} is set too.`)
  }
}

/**
 * `timeout: 45` means 45 seconds, and with abort-on-timeout it aborts the jobs then: a bare number
 * under a minute is far more likely minutes in the writer's head.
 */
function warnIfBareSeconds(r: Reader, input: string): void {
  const value = r.get(input).trim()
  if (!/^\d+$/.test(value) || Number(value) === 0 || Number(value) >= 60) return
  r.warnings.push(
    `${r.name(input)} ${value} means ${value} seconds: a number without a unit counts seconds. Write ${value}m for minutes, or ${value}s to say seconds and drop this warning.`,
  )
}

function warnIfQuick(r: Reader, input: string, ms: number): void {
  if (ms > 0 && ms < QUICK_MS) {
    r.warnings.push(
      `${r.name(input)} ${r.get(input)} is under 1 s: accepted, but on a real network that is ${input === Inputs.PollInterval ? 'more load on the server than it buys (checks are never closer than 250 ms apart)' : 'too short for many answers, which would then count as failures'}.`,
    )
  }
}
