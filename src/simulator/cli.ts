import { readFileSync } from 'node:fs'
import {
  cliFaultPlan,
  CliUsageError,
  parseFaultSpec,
  parseLibraryJob,
  requestBodyLine,
  requestLogLine,
  type CliFault,
} from './cli-specs.js'
import {
  describeLibraryItem,
  libraryContent,
  parseLibraryItems,
  type CliLibraryItem,
} from './cli-library-items.js'
import { DEFAULT_CLIENT, startSimulator } from './server.js'
import { SAMPLE_LIBRARY } from './library.js'
import { VERSION } from '../shared/version.js'
import { closest } from '../shared/suggest.js'
import type { LibraryItem, Lifecycle, SimClient, Simulator, SimulatorOptions } from './types.js'

export { CliUsageError } from './cli-specs.js'

export const USAGE = `Usage: node dist/simulator/index.js [options]

Plays a Spotfire Server's OAuth 2.0 token endpoint, Automation Services job API and
Library REST API v2 (items, folders, chunked uploads).

Options:
  --host <address>            interface to listen on (default 127.0.0.1)
  --port <number>             port to listen on, 0 for any free one (default 8080)
  --client-id <id>            API client id (default demo-client)
  --client-secret <secret>    API client secret (default demo-secret)
  --auth-method <method>      client authentication the client may use:
                              basic, post or any (default any)
  --token-lifetime <seconds>  access token lifetime (default 3600)
  --tls-cert <file>           PEM certificate: serve HTTPS (needs --tls-key)
  --tls-key <file>            PEM private key for --tls-cert
  --library-job <spec>        add a library job (repeatable), next to the samples:
                              PATH=[queued=QUEUED,]DURATION[:STATUS[:MESSAGE]] waits Queued
                              for QUEUED if given, runs InProgress for DURATION (90, 90s, 2m,
                              1h30m, 500ms), then ends with STATUS (Finished by default;
                              Failed, Canceled or Missing) and MESSAGE; PATH starts with /
                              and ends at the first =; its id is the same every run.
                              '/Jobs/Nightly=queued=5s,2m:Failed:Disk full'
  --job-slots <number>        at most this many jobs run at once; later ones wait as
                              Queued until a running job ends (default: no limit)
  --library-item <spec>       put an item in the library (repeatable): [TYPE:]PATH[=FILE]
                              PATH is a library path, no extension: /Sales/Weekly; ending
                              in / it is a folder (/Sales/). FILE gives the content and,
                              by its extension (.dxp, .sbdf, .mod), the type; TYPE (dxp,
                              sbdf, mod or folder) gives or overrides the type, and
                              without FILE the item is empty. Folders above are made as
                              needed. Not a job: see --library-job for those
  --fault <spec>              play a fault (repeatable): METHOD:ENDPOINT:KIND[:N]
                              METHOD: GET, POST or * (quote * in a shell)
                              ENDPOINT: token, metadata, start-library, start-content,
                              status, abort, library-items (GET /items), library-folder
                              (POST /items), upload-begin or upload-chunk
                              KIND: http-<status> (JSON error), html-<status> (HTML page),
                              busy, busy-with-job, reset-before, reset-after, slow-<ms>,
                              truncated, trickle, not-found (status, abort) or echo;
                              answers a client must not take at their word: json-404 and
                              spring-404 (a gateway's JSON 404 on status, abort),
                              other-job (status, abort answered for another, Finished
                              job), upstream-reset (503 text after the request was
                              processed), no-upstream (503 with Retry-After, unprocessed),
                              created-201, created-202 and braced-id (starts answered
                              201, 202, or with the job id in braces)
                              N: how many of the first requests get it (default 1); faults
                              on one endpoint follow each other in the order given
  --log-requests              print "<method> <path> -> <status or fault>" per request
                              (never headers, bodies or query strings)
  --log-bodies                with --log-requests: each request's body under its line,
                              secrets and bearer tokens shown as *** (never headers;
                              upload chunks by their size only)
  --print-credentials         also print SPOTFIRE_SERVER_URL=<url>, SPOTFIRE_CLIENT_ID=<id>
                              and SPOTFIRE_CLIENT_SECRET=<secret> lines
  --version                   print the version
  --help                      show this help

Example:
  node dist/simulator/index.js --port 0 --print-credentials \\
    --library-job '/Jobs/Nightly=2m:Failed:Disk full' --fault POST:start-library:busy:2 \\
    --library-item /Sales/ --library-item '/Sales/Weekly=build/weekly.dxp' \\
    --fault POST:upload-chunk:reset-after`

export interface CliOptions {
  host: string
  port: number
  clientId: string
  clientSecret: string
  authMethod: SimClient['authMethod']
  tokenLifetimeSeconds: number
  tls?: { certFile: string; keyFile: string }
  /** Added to the sample library. */
  libraryJobs: LibraryItem[]
  /** What the Library REST API v2 holds at the start; files are read when the simulator starts. */
  libraryItems: CliLibraryItem[]
  faults: CliFault[]
  /** At most this many jobs run at once; undefined: no limit. */
  jobSlots?: number
  logRequests: boolean
  /** With logRequests: each request's body too, redacted. */
  logBodies?: boolean
  printCredentials: boolean
}

export type CliCommand =
  { kind: 'help' } | { kind: 'version' } | { kind: 'run'; options: CliOptions }

const SWITCHES = ['--log-requests', '--log-bodies', '--print-credentials'] as const
type Switch = (typeof SWITCHES)[number]

const VALUE_FLAGS = [
  '--host',
  '--port',
  '--client-id',
  '--client-secret',
  '--auth-method',
  '--token-lifetime',
  '--tls-cert',
  '--tls-key',
  '--library-job',
  '--job-slots',
  '--library-item',
  '--fault',
] as const
type ValueFlag = (typeof VALUE_FLAGS)[number]

/** Pure: throws CliUsageError with a message fit for the user. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  // Every value in order: the repeatable flags use them all, the others the last one.
  const values = new Map<ValueFlag, string[]>()
  const switches = new Set<Switch>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--help' || arg === '-h') return { kind: 'help' }
    if (arg === '--version') return { kind: 'version' }
    const eq = arg.indexOf('=')
    const flag = eq < 0 ? arg : arg.slice(0, eq)
    if (isSwitch(flag)) {
      if (eq >= 0) throw new CliUsageError(`Option ${flag} takes no value.`)
      switches.add(flag)
      continue
    }
    if (!isValueFlag(flag)) {
      if (!arg.startsWith('-')) throw new CliUsageError(`Unexpected argument '${arg}'.`)
      const near = closest(flag, [...SWITCHES, ...VALUE_FLAGS, '--help', '--version'])
      throw new CliUsageError(
        `Unknown option ${flag}.${near === undefined ? '' : ` Did you mean ${near}?`}`,
      )
    }
    let value = eq < 0 ? argv[++i] : arg.slice(eq + 1)
    if (value === undefined || (eq < 0 && value.startsWith('--'))) {
      throw new CliUsageError(`Option ${flag} needs a value.`)
    }
    value = value.trim()
    if (value === '') throw new CliUsageError(`Option ${flag} needs a value.`)
    values.set(flag, [...(values.get(flag) ?? []), value])
  }
  const last = (flag: ValueFlag): string | undefined => values.get(flag)?.at(-1)

  const certFile = last('--tls-cert')
  const keyFile = last('--tls-key')
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new CliUsageError('Options --tls-cert and --tls-key go together: give both or neither.')
  }
  const options: CliOptions = {
    host: last('--host') ?? '127.0.0.1',
    port: integer(last('--port'), '--port', 8080, 0, 65535),
    clientId: last('--client-id') ?? DEFAULT_CLIENT.id,
    clientSecret: last('--client-secret') ?? DEFAULT_CLIENT.secret,
    authMethod: authMethod(last('--auth-method')),
    tokenLifetimeSeconds: integer(last('--token-lifetime'), '--token-lifetime', 3600, 1),
    libraryJobs: libraryJobs(values.get('--library-job') ?? []),
    libraryItems: parseLibraryItems(values.get('--library-item') ?? []),
    faults: (values.get('--fault') ?? []).map(parseFaultSpec),
    logRequests: switches.has('--log-requests'),
    printCredentials: switches.has('--print-credentials'),
  }
  if (certFile !== undefined && keyFile !== undefined) options.tls = { certFile, keyFile }
  if (switches.has('--log-bodies')) {
    if (!options.logRequests) {
      throw new CliUsageError('Option --log-bodies goes with --log-requests.')
    }
    options.logBodies = true
  }
  const jobSlots = last('--job-slots')
  if (jobSlots !== undefined) options.jobSlots = integer(jobSlots, '--job-slots', 0, 1)
  return { kind: 'run', options }
}

function libraryJobs(specs: readonly string[]): LibraryItem[] {
  const items: LibraryItem[] = []
  for (const spec of specs) {
    const item = parseLibraryJob(spec)
    // A second item at one path would never run: the library answers the first.
    if ([...SAMPLE_LIBRARY, ...items].some((other) => other.path === item.path)) {
      throw new CliUsageError(`Option --library-job: ${item.path} is already in the library.`)
    }
    items.push(item)
  }
  return items
}

function isSwitch(flag: string): flag is Switch {
  return (SWITCHES as readonly string[]).includes(flag)
}

function isValueFlag(flag: string): flag is ValueFlag {
  return (VALUE_FLAGS as readonly string[]).includes(flag)
}

function integer(
  value: string | undefined,
  flag: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback
  const number = /^\d+$/.test(value) ? Number(value) : NaN
  if (!(number >= min && number <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min} to ${max}`
    throw new CliUsageError(`Option ${flag} must be a whole number ${range}, not '${value}'.`)
  }
  return number
}

function authMethod(value: string | undefined): SimClient['authMethod'] {
  if (value === undefined) return 'any'
  if (value === 'basic' || value === 'post' || value === 'any') return value
  throw new CliUsageError(`Option --auth-method must be basic, post or any, not '${value}'.`)
}

/** `log` receives the --log-requests lines. */
export function simulatorOptions(
  options: CliOptions,
  tls?: SimulatorOptions['tls'],
  log?: (line: string) => void,
): SimulatorOptions {
  const client: SimClient = {
    id: options.clientId,
    secret: options.clientSecret,
    authMethod: options.authMethod,
    scopes: DEFAULT_CLIENT.scopes,
  }
  const result: SimulatorOptions = {
    host: options.host,
    port: options.port,
    clients: [client],
    tokenLifetimeSeconds: options.tokenLifetimeSeconds,
  }
  if (tls !== undefined) result.tls = tls
  if (options.libraryJobs.length > 0) result.library = [...SAMPLE_LIBRARY, ...options.libraryJobs]
  if (options.faults.length > 0) result.faults = cliFaultPlan(options.faults)
  if (options.jobSlots !== undefined) result.jobSlots = options.jobSlots
  if (options.logRequests && log !== undefined) {
    if (options.logBodies === true) result.requestBodies = true
    result.onRequest = (event) => {
      log(requestLogLine(event))
      const body = requestBodyLine(event, [options.clientSecret])
      if (body !== undefined) log(body)
    }
  }
  return result
}

/** The startup lines; the first one is what scripts wait for. */
export function banner(simulator: Simulator, options: CliOptions): string[] {
  const methods = {
    basic: 'client_secret_basic',
    post: 'client_secret_post',
    any: 'client_secret_basic or client_secret_post',
  }
  return [
    `Spotfire simulator listening on ${simulator.url}`,
    // For scripts to eval or append to $GITHUB_ENV; the secret is shown only when asked for.
    ...(options.printCredentials
      ? [
          `SPOTFIRE_SERVER_URL=${simulator.url}`,
          `SPOTFIRE_CLIENT_ID=${options.clientId}`,
          `SPOTFIRE_CLIENT_SECRET=${options.clientSecret}`,
        ]
      : []),
    `Client id: ${options.clientId} (authentication: ${methods[options.authMethod]}; token lifetime ${options.tokenLifetimeSeconds} s)`,
    'Library jobs (start-library ?path= or ?id=):',
    ...[...SAMPLE_LIBRARY, ...options.libraryJobs].map(describeItem),
    ...(options.libraryItems.length === 0
      ? []
      : ['Library items (Library REST API v2):', ...options.libraryItems.map(describeLibraryItem)]),
    'Inline jobs (start-content): a <SimulatedFailure> task with <Title> and <Reason> makes one fail.',
    ...(options.faults.length === 0
      ? []
      : [`Faults: ${options.faults.map((fault) => fault.spec).join(', ')}`]),
    'Press Ctrl+C to stop.',
  ]
}

function describeItem(item: LibraryItem): string {
  return `  ${item.path}  id ${item.id}  ${describeLifecycle(item.lifecycle)}`
}

function describeLifecycle(lifecycle: Lifecycle): string {
  const steps: string[] = []
  for (const phase of lifecycle.phases) {
    if (phase.ms !== undefined) steps.push(`${phase.status} ${phase.ms / 1000} s`)
    else if (phase.polls !== undefined) steps.push(`${phase.status} ${phase.polls} polls`)
    else return [...steps, `${phase.status} forever`].join(' -> ')
  }
  const { status, message } = lifecycle.final
  const final = message === undefined || message === '' ? status : `${status}: ${message}`
  return [...steps, final].join(' -> ')
}

export interface CliIo {
  out: (line: string) => void
  err: (line: string) => void
  readFile: (path: string) => string
  /** For --library-item files; readFileSync by default. */
  readBytes?: (path: string) => Uint8Array
  signals: {
    once: (signal: 'SIGINT' | 'SIGTERM', listener: () => void) => unknown
    off: (signal: 'SIGINT' | 'SIGTERM', listener: () => void) => unknown
  }
}

/**
 * A reader that goes away (`| head -1`, a CI step that stops reading) must not stop the server
 * the pipeline still tests against: writes to a closed pipe fail with EPIPE, as an 'error' event
 * that would otherwise crash the process, and those lines are dropped.
 */
function quietWriter(stream: NodeJS.WriteStream): (line: string) => void {
  let closed = false
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') closed = true
    else throw error
  })
  return (line) => {
    if (closed || stream.destroyed) return
    try {
      stream.write(`${line}\n`)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error
      closed = true
    }
  }
}

let processWriters: { out: (line: string) => void; err: (line: string) => void } | undefined
function writers(): { out: (line: string) => void; err: (line: string) => void } {
  processWriters ??= { out: quietWriter(process.stdout), err: quietWriter(process.stderr) }
  return processWriters
}

const processIo: CliIo = {
  out: (line) => {
    writers().out(line)
  },
  err: (line) => {
    writers().err(line)
  },
  readFile: (path) => readFileSync(path, 'utf8'),
  signals: process,
}

function startProblem(error: unknown, options: CliOptions): string {
  // Checked by its code: errors from node's own modules are not always this realm's Error.
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE') {
    return `port ${options.port} on ${options.host} is in use. Stop what holds it, or give --port 0 for any free port.`
  }
  return error instanceof Error ? error.message : String(error)
}

export interface CliRun {
  /** 0 while the simulator runs; 1 for bad usage (as in the CLI) or when it could not start. */
  exitCode: number
  /** Stops the simulator as SIGINT/SIGTERM would (no-op if it never started). */
  stop: () => Promise<void>
}

export async function runSimulatorCli(argv: readonly string[], io = processIo): Promise<CliRun> {
  const stopped: CliRun = { exitCode: 0, stop: () => Promise.resolve() }
  let command: CliCommand
  try {
    command = parseCliArgs(argv)
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error
    io.err(`${error.message} Run with --help for usage.`)
    return { ...stopped, exitCode: 1 }
  }
  if (command.kind === 'help') {
    io.out(USAGE)
    return stopped
  }
  if (command.kind === 'version') {
    io.out(VERSION)
    return stopped
  }
  const { options } = command

  let simulator: Simulator
  try {
    const tls =
      options.tls === undefined
        ? undefined
        : { cert: io.readFile(options.tls.certFile), key: io.readFile(options.tls.keyFile) }
    const started = simulatorOptions(options, tls, io.out)
    if (options.libraryItems.length > 0) {
      started.libraryItems = libraryContent(options.libraryItems, io.readBytes ?? readFileSync)
    }
    simulator = await startSimulator(started)
  } catch (error) {
    io.err(`The simulator could not start: ${startProblem(error, options)}`)
    return { ...stopped, exitCode: 1 }
  }

  let closing: Promise<void> | undefined
  const stop = (): Promise<void> => {
    io.signals.off('SIGINT', onSignal)
    io.signals.off('SIGTERM', onSignal)
    closing ??= simulator.close()
    return closing
  }
  const onSignal = (): void => {
    stop().catch((error: unknown) => {
      io.err(`The simulator did not close cleanly: ${String(error)}`)
    })
  }
  io.signals.once('SIGINT', onSignal)
  io.signals.once('SIGTERM', onSignal)
  for (const line of banner(simulator, options)) io.out(line)
  return { exitCode: 0, stop }
}
