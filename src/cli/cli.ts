import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import { systemClock } from '../shared/clock.js'
import { Inputs } from '../shared/constants.js'
import { VERSION } from '../shared/version.js'
import { execute } from '../flow/execute.js'
import {
  ABORT_BECAUSE,
  isSuccess,
  type AbortWhy,
  type JobResult,
  type OutcomeKind,
} from '../jobs/outcome.js'
import { jobJson } from '../report/outputs.js'
import { dryRunVerdict } from '../report/summary.js'
import { dryRunJunit, invalidInputsJunit, runJunit } from '../report/junit.js'
import { writeJunitFile } from '../report/junit-file.js'
import { stepVerdict } from '../report/step.js'
import { uploadJson, uploadsExitCode } from '../report/uploads.js'
import { uploadsSucceeded, type UploadResult } from '../uploads/result.js'
import { Secrets } from '../shared/secrets.js'
import { getSettings, InputError, junitReportOf, type Settings } from '../settings/index.js'
import { errorMessage } from '../spotfire/errors.js'
import type { Logger, Vocabulary } from '../spotfire/types.js'
import { closest } from '../shared/suggest.js'
import { defuse } from '../shared/workflow-commands.js'

/** The command line: the action's inputs as flags, for GitLab CI, Jenkins, Azure Pipelines and shells. */

/**
 * The exit codes of Spotfire's own Client Job Sender, which administrators already script around.
 * With several jobs, the highest that applies wins.
 */
export const EXIT = { ok: 0, usage: 1, jobFailed: 2, clientFailed: 3 } as const
type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** Each way a job can end, as an exit code: the server's verdict (2) or ours (3). */
const EXIT_BY_OUTCOME: Record<OutcomeKind, (result: JobResult) => ExitCode> = {
  finished: () => EXIT.ok,
  started: () => EXIT.ok,
  failed: () => EXIT.jobFailed,
  // Refused: the server found no such job, or could not read it.
  'not-started': (r) =>
    r.outcome.kind === 'not-started' && r.outcome.refused ? EXIT.jobFailed : EXIT.clientFailed,
  'timed-out': () => EXIT.clientFailed,
  'gave-up': () => EXIT.clientFailed,
  // A job fail-fast stopped, or never started, did not finish because another job failed: a job
  // failure, even when --fail-on-job-failure false excuses the one that set it off.
  cancelled: (r) =>
    r.outcome.kind === 'cancelled' && r.outcome.by === 'fail-fast'
      ? EXIT.jobFailed
      : EXIT.clientFailed,
  // Skipped for fail-fast or a failed upload: what set it off has its own code (a failed upload is
  // 2 or 3 by itself), and a job that never ran is not a failure on this side.
  skipped: (r) =>
    r.outcome.kind === 'skipped' &&
    (r.outcome.because === 'fail-fast' || r.outcome.because === 'upload-failed')
      ? EXIT.jobFailed
      : EXIT.clientFailed,
}

/** The run's exit code: the highest of its jobs'; a failed job counts as none with --fail-on-job-failure false. */
export function exitCode(results: readonly JobResult[], failOnJobFailure: boolean): ExitCode {
  return results.reduce<ExitCode>((highest, result) => {
    const code =
      result.outcome.kind === 'failed' && !failOnJobFailure
        ? EXIT.ok
        : EXIT_BY_OUTCOME[result.outcome.kind](result)
    return code > highest ? code : highest
  }, EXIT.ok)
}

/** The command line's words: flags, not inputs. */
export const flagWords: Vocabulary = {
  name: (input) => `--${input}`,
  setting: (input, value) => `--${input} ${value}`,
}

const INPUT_NAMES: readonly string[] = Object.values(Inputs)
/** Flags that may be given more than once: each adds a line, one job or one variable per line. */
const REPEATABLE: readonly string[] = [
  Inputs.LibraryPath,
  Inputs.LibraryId,
  Inputs.JobFile,
  Inputs.JobId,
  Inputs.Variables,
  Inputs.LibraryUpload,
]
/** Every flag, for "did you mean". */
const FLAGS: readonly string[] = [
  ...INPUT_NAMES,
  'variable',
  'junit',
  'json',
  'debug',
  'help',
  'version',
]
/** Flags that mean `true` on their own: `--dry-run`, `--fail-fast`. */
const BOOLEAN: readonly string[] = [
  Inputs.Wait,
  Inputs.FailOnJobFailure,
  Inputs.AbortOnTimeout,
  Inputs.AbortOnCancel,
  Inputs.FailFast,
  Inputs.DryRun,
  Inputs.LibraryOverwrite,
]

export const HELP = `Usage: spotfire-as-job [options]

Starts Spotfire Automation Services jobs (or follows running ones), waits for them and exits 0
only when every one finished. Progress goes to stderr; the result to stdout (one JSON object with
--json).

Every option that mirrors an action input (all but --json, --debug, --help and --version) can
also come from an environment variable: SPOTFIRE_ and the option name in upper case with _ for -,
e.g. SPOTFIRE_CLIENT_SECRET. Pass secrets that way, not as flags, so that they stay out of shell
history and process lists. Flags win over variables.

Server and credentials:
  --server-url URL            Spotfire Server base URL, e.g. https://spotfire.example.com
  --client-id ID              OAuth2 client id (scope api.rest.automation-services-job.execute)
  --client-secret SECRET      its secret (prefer SPOTFIRE_CLIENT_SECRET)
  --client-auth-method M      basic (default) or post (client_secret_basic, client_secret_post)
  --scope SCOPES              token scopes (default: what the run needs, the job scope and
                              with uploads api.library.read api.library.write)
  --ca-certificate PEM|FILE   extra trusted CA certificates (self-signed servers)

The jobs (at least one, or an upload; the repeatable flags add one job each):
  --library-path PATH         a library job by path, e.g. "/Jobs/Refresh sales"; repeatable
  --library-id GUID           a library job by id; repeatable
  --job-xml XML               job XML text
  --job-file FILE|GLOB        a job XML file, or a pattern such as "jobs/*.xml"; repeatable
  --job-id ID                 follow a job that is already running; repeatable
  --variables LINES           NAME=value lines for \${NAME} in the job XML
  --variable NAME=value       one variable; repeatable

Uploads, before any job starts (a run may only upload):
  --library-upload "LOCAL -> LIBRARY_PATH"
                              a .dxp, .sbdf or .mod file (or a glob) into the library; a path
                              ending in / is a folder; repeatable
  --library-overwrite         replace items that exist, keeping their ids (default false)

Running and waiting:
  --max-parallel N            jobs running at once (default 4)
  --fail-fast                 the first job that does not finish stops the others
  --dry-run                   check the options, the credentials and the API; start nothing
  --wait true|false           wait for the jobs to end (default true)
  --timeout DURATION          how long to wait: 90, 90s, 15m, 1h30m (default 30m)
  --poll-interval DURATION    longest pause between status checks (default 15s)
  --request-timeout DURATION  how long one HTTP request may take (default 30s)
  --fail-on-job-failure B     false: exit 0 whatever the jobs' final status (default true)
  --abort-on-timeout B        abort running jobs at the timeout (default true)
  --abort-on-cancel B         abort running jobs on Ctrl+C / SIGTERM (default true)

Output:
  --json                      print the outcome as one JSON object on stdout
  --junit-report FILE         write a JUnit XML report: a test case per job and per upload
                              (Jenkins junit, GitLab reports:junit, Azure PublishTestResults);
                              --junit FILE for short
  --debug                     more detail on stderr (never secrets)
  --help                      this text
  --version                   the version

Exit codes, as Spotfire's Client Job Sender's (with several jobs, the highest that applies):
  0  every job finished (or started, with --wait false; or ended in any status, with
     --fail-on-job-failure false)
  1  invalid options (with --json, stdout holds {"ok":false,"outcome":"invalid-options",...})
  2  a job failed on the server: Failed, Canceled, Missing or NotSet, or the server found no
     such job or could not read it
  3  a failure on this side: the server unreachable, TLS, a proxy, the timeout, a cancellation,
     status checks that kept failing, or a dry run that found a problem
`

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: Record<string, string | undefined>
  cwd: string
  /** Fires on Ctrl+C / SIGTERM. */
  cancelSignal: AbortSignal
  /** Given what makes text safe to print (redacted, defused), for a crash the run cannot report. */
  onRedaction?: (safe: (text: string) => string) => void
}

export interface ParsedArgs {
  inputs: Record<string, string>
  json: boolean
  debug: boolean
  help: boolean
  version: boolean
}

/** `--name value` and `--name=value` for every action input, plus --variable, --json, --debug, --help. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { inputs: {}, json: false, debug: false, help: false, version: false }
  const lines = new Map<string, string[]>()
  const problems: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (['--json', '--debug', '--help', '-h', '--version'].includes(arg)) {
      parsed[arg === '-h' ? 'help' : (arg.slice(2) as 'json' | 'debug' | 'help' | 'version')] = true
      continue
    }
    if (!arg.startsWith('-')) {
      // A value without its flag, or a secret the shell split in two: not echoed.
      problems.push(
        arg.startsWith('/')
          ? `Unexpected argument ${i + 1}: it looks like a library path. Expected --library-path before it.`
          : `Unexpected argument ${i + 1}: not an option. Options start with --.`,
      )
      continue
    }
    const match = /^--([a-z-]+)(?:=([\s\S]*))?$/.exec(arg)
    const flag = match?.[1]
    const name =
      flag === 'variable' ? Inputs.Variables : flag === 'junit' ? Inputs.JunitReport : flag
    if (name === undefined || !INPUT_NAMES.includes(name)) {
      // The option's name only: a mistyped --client-secret=... must not echo the secret.
      const given = arg.split('=')[0] ?? ''
      const near = closest(given.replace(/^-+/, ''), FLAGS)
      problems.push(
        `Unknown option '${given}'.${near === undefined ? '' : ` Did you mean --${near}?`}`,
      )
      // Skip its value too, so that it is not reported as another unknown option.
      if (!arg.includes('=') && argv[i + 1]?.startsWith('--') === false) i++
      continue
    }
    let value = match?.[2]
    if (value === undefined) {
      const next = argv[i + 1]
      if (BOOLEAN.includes(name) && (next === undefined || !/^(true|false)$/i.test(next))) {
        value = 'true'
      } else if (next === undefined) {
        problems.push(`Option --${flag ?? name} needs a value.`)
        continue
      } else {
        value = next
        i++
      }
    }
    const given = lines.get(name) ?? []
    if (given.length > 0 && !REPEATABLE.includes(name)) {
      problems.push(`Option --${name} is given twice. Expected it once.`)
    }
    lines.set(name, [...given, value])
  }
  for (const [name, values] of lines) parsed.inputs[name] = values.join('\n')
  if (problems.length > 0) throw new InputError(problems)
  return parsed
}

/** SPOTFIRE_CLIENT_SECRET for client-secret. */
export function environmentName(input: string): string {
  return `SPOTFIRE_${input.toUpperCase().replace(/-/g, '_')}`
}

/**
 * The members every --json document has, whatever happened (docs/cli-result.schema.json holds the
 * whole shape): a script can always read ok, outcome, verdict, jobs and uploads.
 */
const EMPTY_RESULT = { ok: false, outcome: '', verdict: '', jobs: [], uploads: [] }

/** The JSON document --json prints: stable names for scripts. */
export function resultJson(
  results: readonly JobResult[],
  settings: Settings,
  durationMs?: number,
  uploads: readonly UploadResult[] = [],
): Record<string, unknown> {
  const succeeded = (r: JobResult): boolean => isSuccess(r, settings.failOnJobFailure)
  const first = results.find((r) => !succeeded(r)) ?? results[0]
  const verdict = stepVerdict(uploads, results, {
    ...settings,
    words: flagWords,
    ...(durationMs === undefined ? {} : { durationMs }),
  })
  return {
    ok: verdict.ok,
    outcome: uploadsSucceeded(uploads)
      ? (first?.outcome.kind ?? (uploads.length > 0 ? 'uploaded' : 'finished'))
      : 'upload-failed',
    verdict: verdict.text,
    jobs: results.map(jobJson),
    uploads: uploads.map(uploadJson),
  }
}

/**
 * What a setting is called in a message: its flag, or, when its value came from the environment,
 * the input and its variable: `library-path (from SPOTFIRE_LIBRARY_PATH)`.
 */
function nameIn(args: ParsedArgs, env: CliIo['env']): (input: string) => string {
  return (input) =>
    args.inputs[input] === undefined && env[environmentName(input)] !== undefined
      ? `${input} (from ${environmentName(input)})`
      : input === Inputs.Variables
        ? '--variable'
        : `--${input}`
}

/**
 * SPOTFIRE_ variables that are near misses of the ones the command reads: SPOTFIRE_CLIENTSECRET
 * for SPOTFIRE_CLIENT_SECRET. A problem when the one meant is not set at all (the setting would
 * silently be missing), a warning when it is. Other SPOTFIRE_ variables are left alone.
 */
export function environmentTypos(
  env: CliIo['env'],
  given: (input: string) => boolean,
): { problems: string[]; warnings: string[] } {
  const known = INPUT_NAMES.map(environmentName)
  const result = { problems: [] as string[], warnings: [] as string[] }
  for (const key of Object.keys(env).sort()) {
    if (!key.startsWith('SPOTFIRE_') || known.includes(key)) continue
    if ((env[key] ?? '').trim() === '') continue
    const meant = known.includes(key.toUpperCase())
      ? key.toUpperCase()
      : closest(key.toUpperCase().replace(/-/g, '_'), known, 2)
    if (meant === undefined) continue
    const message = `Environment variable ${key} is not one this command reads. Did you mean ${meant}?`
    const input = INPUT_NAMES.find((name) => environmentName(name) === meant) ?? ''
    if (given(input)) result.warnings.push(`${message} It is ignored; ${meant} is set too.`)
    else result.problems.push(message)
  }
  return result
}

/** Likely mistakes that look valid to the settings: job-xml given a file's path. */
function hints(
  input: (name: string) => string,
  cwd: string,
  name: (input: string) => string,
): string[] {
  const jobXml = input(Inputs.JobXml).trim()
  if (jobXml === '' || jobXml.startsWith('<') || jobXml.includes('\n')) return []
  try {
    if (!statSync(resolve(cwd, jobXml)).isFile()) return []
  } catch {
    return []
  }
  return [
    `${name(Inputs.JobXml)} takes job XML text, and '${jobXml}' is a file. Expected --job-file ${jobXml}.`,
  ]
}

/** On a terminal, Ctrl+C stops the command: say so, not "cancelled". */
const WHY: Record<AbortWhy, string> = { ...ABORT_BECAUSE, cancelled: 'was stopped' }

/** Runs the jobs from the command line; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const secrets = new Secrets()
  // Everything printed is made inert for a CI runner that reads commands from the log, and redacted.
  const out = (text: string): void => {
    io.stdout(defuse(secrets.redact(text)))
  }
  // JSON stays exact data for scripts: a # written as \u0023 reads back the same, and no line of
  // it can be taken for a workflow command (it starts with {, and holds no ##[).
  const outJson = (value: unknown): void => {
    io.stdout(`${secrets.redact(JSON.stringify(value)).replace(/#/g, '\\u0023')}\n`)
  }
  const err = (text: string): void => {
    io.stderr(defuse(secrets.redact(text)))
  }
  io.onRedaction?.((text) => defuse(secrets.redact(text)))
  const invalid = (error: unknown): number => {
    if (argv.includes('--json')) {
      const problems = error instanceof InputError ? error.problems : [errorMessage(error)]
      outJson({
        ...EMPTY_RESULT,
        outcome: 'invalid-options',
        verdict: errorMessage(error),
        problems,
      })
    }
    err(`${errorMessage(error)}\nRun spotfire-as-job --help for the options.\n`)
    return EXIT.usage
  }
  let args: ParsedArgs
  try {
    args = parseArgs(argv)
  } catch (error) {
    return invalid(error)
  }
  if (args.help) {
    io.stdout(HELP)
    return EXIT.ok
  }
  if (args.version) {
    io.stdout(`${VERSION}\n`)
    return EXIT.ok
  }
  const input = (name: string): string => args.inputs[name] ?? io.env[environmentName(name)] ?? ''
  // As given and as the settings trim it: a secret from a file often ends in a line break.
  secrets.addClient(input(Inputs.ClientId), input(Inputs.ClientSecret))
  secrets.addClient(input(Inputs.ClientId).trim(), input(Inputs.ClientSecret).trim())
  const logger: Logger = {
    debug: (message) => {
      if (args.debug) err(`debug: ${message}\n`)
    },
    info: (message) => {
      err(`${message}\n`)
    },
    warning: (message) => {
      err(`warning: ${message}\n`)
    },
  }
  const name = nameIn(args, io.env)
  const wallStartedAt = systemClock.wallNow()
  // The report a CI's test view reads: written on every run, a failed one included.
  const junit = (path: string | undefined, xml: () => string): void => {
    if (path === undefined) return
    const problem = writeJunitFile(path, secrets.redact(xml()))
    if (problem !== undefined) logger.warning(problem)
  }
  const typos = environmentTypos(io.env, (i) => input(i).trim() !== '')
  let settings: Settings
  try {
    settings = getSettings({
      input,
      workspace: io.cwd,
      workspaceName: 'the current directory',
      name,
      describe: (input) => `--${input} (or ${environmentName(input)})`,
    })
    if (typos.problems.length > 0) throw new InputError([])
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    const problems = [...hints(input, io.cwd, name), ...error.problems, ...typos.problems]
    junit(junitReportOf({ input, workspace: io.cwd, name }), () =>
      invalidInputsJunit(problems, wallStartedAt),
    )
    return invalid(new InputError(problems))
  }
  try {
    for (const warning of [...typos.warnings, ...settings.warnings]) logger.warning(warning)
    const report = await execute(settings, {
      logger,
      clock: systemClock,
      cancelSignal: io.cancelSignal,
      words: flagWords,
      onToken: (token) => {
        secrets.add(token)
      },
      abortReason: (why) =>
        `spotfire-as-job${io.env.CI_JOB_URL === undefined ? '' : ` (${io.env.CI_JOB_URL})`} ${WHY[why]}.`,
    })
    if (report.kind === 'dry-run') {
      junit(settings.junitReport, () => dryRunJunit(report, wallStartedAt))
      const verdict = dryRunVerdict(report)
      if (args.json) {
        outJson({
          ...EMPTY_RESULT,
          ok: report.ok,
          outcome: 'dry-run',
          verdict,
          checks: report.checks,
          plan: report.plan,
        })
        // The JSON goes to a file, as often as not: the CI log still says how it ended.
        err(`${verdict}\n`)
      } else out(`${verdict}\n`)
      return report.ok ? EXIT.ok : EXIT.clientFailed
    }
    junit(settings.junitReport, () => runJunit(report))
    const json = resultJson(report.results, settings, report.durationMs, report.uploads)
    if (args.json) {
      outJson(json)
      err(`${String(json.verdict)}\n`)
    } else out(`${String(json.verdict)}\n`)
    return Math.max(
      uploadsExitCode(report.uploads),
      exitCode(report.results, settings.failOnJobFailure),
    )
  } catch (error) {
    const verdict = `Unexpected error: ${errorMessage(error)}`
    if (args.json) outJson({ ...EMPTY_RESULT, outcome: 'internal-error', verdict })
    err(`${verdict}\n`)
    return EXIT.clientFailed
  }
}
