import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { resolve } from 'node:path'
import { DEFAULT_SCOPE, Inputs } from './constants.js'
import { MAX_DURATION_MS, parseDuration } from './duration.js'
import { checkJobXml, parseVariables, substituteVariables } from './job-xml.js'

/** Where the job comes from: exactly one of the four job inputs. */
export type JobSource =
  | { kind: 'library-path'; path: string }
  | { kind: 'library-id'; id: string }
  | { kind: 'xml'; xml: string; file?: string }

export interface Settings {
  /** Server base URL without a trailing `/` or `/spotfire`, e.g. `https://spotfire.example.com`. */
  serverUrl: string
  /** OAuth2 client id of the registered API client. */
  clientId: string
  /** Its secret. */
  clientSecret: string
  /** `basic`: client_secret_basic (HTTP Basic); `post`: client_secret_post (form fields). */
  clientAuthMethod: 'basic' | 'post'
  /** Space-separated scopes asked for with the token. */
  scope: string
  /** The job to start. */
  job: JobSource
  /** Wait for a terminal status, or return right after the start. */
  wait: boolean
  /** How long to wait for the job, start retries included. */
  timeoutMs: number
  /** The longest pause between status checks. */
  pollIntervalMs: number
  /** How long one HTTP request may take. */
  requestTimeoutMs: number
  /** Fail the step when the job ends in any status but Finished. */
  failOnJobFailure: boolean
  /** Abort the job when `timeout` runs out. */
  abortOnTimeout: boolean
  /** Abort the job when the workflow run is cancelled. */
  abortOnCancel: boolean
  /** Extra trusted CA certificates (PEM), on top of the system ones. */
  caCertificates?: string
  /** Things worth saying that do not stop the run. */
  warnings: string[]
}

/** Where settings come from: inputs by name (empty string when unset), files relative to `workspace`. */
export interface SettingsSource {
  input: (name: string) => string
  workspace: string
  readFile?: (path: string) => string
  /** How to name a missing input to the user: `Input client-secret` on the runner, a flag on the CLI. */
  describe?: (name: string) => string
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

const DEFAULTS = {
  [Inputs.ClientAuthMethod]: 'basic',
  [Inputs.Scope]: DEFAULT_SCOPE,
  [Inputs.Wait]: 'true',
  [Inputs.Timeout]: '30m',
  [Inputs.PollInterval]: '15s',
  [Inputs.RequestTimeout]: '30s',
  [Inputs.FailOnJobFailure]: 'true',
  [Inputs.AbortOnTimeout]: 'true',
  [Inputs.AbortOnCancel]: 'true',
} as const

/** The defaults an empty input takes; action.yml declares the same (a unit test holds them together). */
export const INPUT_DEFAULTS: Readonly<Record<string, string>> = DEFAULTS

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DURATION_HINT = 'Expected a duration such as 90s, 15m or 1h30m.'

/** What it takes to talk to the server: all the post step needs to abort a job. */
export type ConnectionSettings = Pick<
  Settings,
  | 'serverUrl'
  | 'clientId'
  | 'clientSecret'
  | 'clientAuthMethod'
  | 'scope'
  | 'requestTimeoutMs'
  | 'caCertificates'
  | 'abortOnCancel'
>

/** Reads, validates and types every input; throws one InputError listing every problem. */
export function getSettings(source: SettingsSource): Settings {
  const r = reader(source)
  const connection = readConnection(r)
  const job = parseJobSource(source, r.get, r.readWorkspaceFile, r.problems)
  const wait = r.boolean(Inputs.Wait)
  const timeoutMs = r.duration(Inputs.Timeout)
  const pollIntervalMs = r.duration(Inputs.PollInterval)
  const failOnJobFailure = r.boolean(Inputs.FailOnJobFailure)
  const abortOnTimeout = r.boolean(Inputs.AbortOnTimeout)
  if (r.problems.length > 0 || job === undefined) throw new InputError(r.problems)
  return {
    ...connection,
    job,
    wait,
    timeoutMs,
    pollIntervalMs,
    failOnJobFailure,
    abortOnTimeout,
    warnings: r.warnings,
  }
}

/**
 * Only the inputs needed to reach the server. The post step uses it, so that a job file that
 * changed or vanished since the main step cannot stop it from aborting a job.
 */
export function getConnectionSettings(source: SettingsSource): ConnectionSettings {
  const r = reader(source)
  const connection = readConnection(r)
  if (r.problems.length > 0) throw new InputError(r.problems)
  return connection
}

type Reader = ReturnType<typeof reader>

function readConnection(r: Reader): ConnectionSettings {
  const serverUrl = parseServerUrl(r.required(Inputs.ServerUrl), r.problems, r.warnings)
  const clientId = r.required(Inputs.ClientId)
  const clientSecret = r.required(Inputs.ClientSecret)
  const authMethod = r.get(Inputs.ClientAuthMethod).toLowerCase()
  if (authMethod !== 'basic' && authMethod !== 'post') {
    r.problems.push(`Invalid ${Inputs.ClientAuthMethod} '${authMethod}'. Expected basic or post.`)
  }
  const scope = r.get(Inputs.Scope).split(/\s+/).join(' ')
  const requestTimeoutMs = r.duration(Inputs.RequestTimeout)
  const abortOnCancel = r.boolean(Inputs.AbortOnCancel)
  const caCertificates = parseCaCertificates(
    r.get(Inputs.CaCertificate),
    r.readWorkspaceFile,
    r.problems,
  )
  return {
    serverUrl,
    clientId,
    clientSecret,
    clientAuthMethod: authMethod === 'post' ? 'post' : 'basic',
    scope,
    requestTimeoutMs,
    abortOnCancel,
    ...(caCertificates === undefined ? {} : { caCertificates }),
  }
}

/** Typed readers for inputs that collect every problem instead of stopping at the first. */
function reader(source: SettingsSource) {
  const problems: string[] = []
  const warnings: string[] = []
  const readFile = source.readFile ?? ((path: string) => readFileSync(path, 'utf8'))
  const describe = source.describe ?? ((name: string) => `Input ${name}`)
  const get = (name: string): string => {
    const value = source.input(name).trim()
    return value === '' ? (INPUT_DEFAULTS[name] ?? '') : value
  }
  return {
    problems,
    warnings,
    get,
    required: (name: string): string => {
      const value = get(name)
      if (value === '') problems.push(`${describe(name)} is required.`)
      return value
    },
    boolean: (name: string): boolean => {
      const value = get(name)
      if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
      problems.push(`Invalid ${name} '${value}'. Expected true or false.`)
      return false
    },
    duration: (name: string): number => {
      const value = get(name)
      const ms = parseDuration(value)
      if (ms === undefined) problems.push(`Invalid ${name} '${value}'. ${DURATION_HINT}`)
      else if (ms > MAX_DURATION_MS)
        problems.push(`Invalid ${name} '${value}'. Expected at most 24 days.`)
      return ms ?? 0
    },
    readWorkspaceFile: (name: string, path: string): string | undefined => {
      try {
        return readFile(resolve(source.workspace, path))
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? String(error)
        problems.push(
          `Cannot read ${name} '${path}' (${reason}). Expected a file path relative to the workspace.`,
        )
        return undefined
      }
    },
  }
}

function parseServerUrl(text: string, problems: string[], warnings: string[]): string {
  if (text === '') return ''
  // Echo the URL in errors without any user:password@ in it: that could be the secret.
  const shown = text.replace(/\/\/[^@]*@/, '//***@')
  const expected = 'Expected the server base URL, such as https://spotfire.example.com.'
  let url: URL
  try {
    url = new URL(text)
  } catch {
    problems.push(`Invalid ${Inputs.ServerUrl} '${shown}'. ${expected}`)
    return ''
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push(
      `Invalid ${Inputs.ServerUrl} '${shown}': the scheme must be https or http. ${expected}`,
    )
    return ''
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    problems.push(
      `Invalid ${Inputs.ServerUrl}: it must not contain credentials, a query or a fragment. ${expected}`,
    )
    return ''
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/spotfire$/i, '')
  const base = `${url.protocol}//${url.host}${path}`
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    warnings.push(
      `${Inputs.ServerUrl} uses http://: the client secret and tokens cross the network unencrypted. Use https:// unless the server is on a trusted network.`,
    )
  }
  return base
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host === '::1') return true
  return isIP(host) === 4 && host.startsWith('127.')
}

function parseJobSource(
  source: SettingsSource,
  get: (name: string) => string,
  readWorkspaceFile: (name: string, path: string) => string | undefined,
  problems: string[],
): JobSource | undefined {
  const given = [Inputs.LibraryPath, Inputs.LibraryId, Inputs.JobXml, Inputs.JobFile].filter(
    (name) => get(name) !== '',
  )
  const variablesText = source.input(Inputs.Variables)
  if (given.length !== 1) {
    problems.push(
      given.length === 0
        ? `No job given. Expected exactly one of ${Inputs.LibraryPath}, ${Inputs.LibraryId}, ${Inputs.JobXml} or ${Inputs.JobFile}.`
        : `Several jobs given (${given.join(', ')}). Expected exactly one of ${Inputs.LibraryPath}, ${Inputs.LibraryId}, ${Inputs.JobXml} or ${Inputs.JobFile}.`,
    )
    return undefined
  }
  const kind = given[0]
  if (kind === Inputs.LibraryPath || kind === Inputs.LibraryId) {
    if (parseVariables(variablesText).variables.size > 0) {
      problems.push(
        `${Inputs.Variables} applies only to ${Inputs.JobXml} and ${Inputs.JobFile}, not to library jobs.`,
      )
    }
    if (kind === Inputs.LibraryId) {
      const id = get(kind)
      if (!GUID.test(id)) {
        problems.push(
          `Invalid ${Inputs.LibraryId} '${id}'. Expected a library item GUID such as 7d5cf4e0-9106-4884-8fba-cc3065428382.`,
        )
      }
      return { kind: 'library-id', id }
    }
    const path = get(kind)
    if (!path.startsWith('/')) {
      problems.push(
        `Invalid ${Inputs.LibraryPath} '${path}'. Expected an absolute library path such as /Jobs/Refresh sales.`,
      )
    }
    return { kind: 'library-path', path }
  }
  const file = kind === Inputs.JobFile ? get(kind) : undefined
  const text =
    file === undefined ? source.input(Inputs.JobXml) : readWorkspaceFile(Inputs.JobFile, file)
  const { variables, errors } = parseVariables(variablesText)
  problems.push(...errors)
  if (text === undefined) return undefined
  const substituted = substituteVariables(text, variables)
  const where = file === undefined ? Inputs.JobXml : `${Inputs.JobFile} '${file}'`
  problems.push(...substituted.errors.map((e) => `${where}: ${e}`))
  if (substituted.errors.length === 0) {
    const xmlProblem = checkJobXml(substituted.xml)
    if (xmlProblem !== undefined) problems.push(`${where}: ${xmlProblem}`)
  }
  return file === undefined
    ? { kind: 'xml', xml: substituted.xml }
    : { kind: 'xml', xml: substituted.xml, file }
}

function parseCaCertificates(
  text: string,
  readWorkspaceFile: (name: string, path: string) => string | undefined,
  problems: string[],
): string | undefined {
  if (text === '') return undefined
  const pem = text.includes('-----BEGIN') ? text : readWorkspaceFile(Inputs.CaCertificate, text)
  if (pem === undefined) return undefined
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  const invalid = blocks.filter((block) => {
    try {
      new X509Certificate(block)
      return false
    } catch {
      return true
    }
  })
  if (blocks.length === 0 || invalid.length > 0) {
    problems.push(
      `Invalid ${Inputs.CaCertificate}: ${blocks.length === 0 ? 'no certificate found' : `${invalid.length} certificate(s) cannot be parsed`}. Expected PEM text (-----BEGIN CERTIFICATE----- ...) or the path of a PEM file.`,
    )
    return undefined
  }
  return blocks.join('\n')
}
