import { Inputs } from './constants.js'
import type { Logger } from './logger.js'
import { durationSeconds, isSuccess, verdict } from './report.js'
import { runJob, type JobResult } from './run-job.js'
import { getSettings, InputError } from './settings.js'
import { systemClock } from './clock.js'
import { errorMessage } from './spotfire/errors.js'

/** The command line: the action's inputs as flags, for GitLab CI, Jenkins, Azure Pipelines and shells. */

export const EXIT = { finished: 0, failed: 1, usage: 2 } as const

const INPUT_NAMES: readonly string[] = Object.values(Inputs)

export const HELP = `Usage: spotfire-as-job [options]

Starts a Spotfire Automation Services job, waits for it and exits 0 only when it finished.
Progress goes to stderr; the result to stdout (one JSON object with --json).

Every option that mirrors an action input (all but --json, --debug and --help) can also come
from an environment variable: SPOTFIRE_ and the option name in upper case with _ for -, e.g.
SPOTFIRE_CLIENT_SECRET. Pass secrets that way, not as flags,
so that they stay out of shell history and process lists. Flags win over variables.

Server and credentials:
  --server-url URL            Spotfire Server base URL, e.g. https://spotfire.example.com
  --client-id ID              OAuth2 client id (scope api.rest.automation-services-job.execute)
  --client-secret SECRET      its secret (prefer SPOTFIRE_CLIENT_SECRET)
  --client-auth-method M      basic (default) or post
  --scope SCOPES              token scopes (default api.rest.automation-services-job.execute)
  --ca-certificate PEM|FILE   extra trusted CA certificates (self-signed servers)

The job (exactly one):
  --library-path PATH         a library job by path, e.g. "/Jobs/Refresh sales"
  --library-id GUID           a library job by id
  --job-xml XML               job XML text
  --job-file FILE             a job XML file
  --variables LINES           NAME=value lines for \${NAME} in the job XML
  --variable NAME=value       one variable; repeatable

Waiting:
  --wait true|false           wait for the job to end (default true)
  --timeout DURATION          how long to wait: 90, 90s, 15m, 1h30m (default 30m)
  --poll-interval DURATION    longest pause between status checks (default 15s)
  --request-timeout DURATION  how long one HTTP request may take (default 30s)
  --fail-on-job-failure B     false: exit 0 whatever the job's final status (default true)
  --abort-on-timeout B        abort the job at the timeout (default true)
  --abort-on-cancel B         abort the job on Ctrl+C / SIGTERM (default true)

Output:
  --json                      print the outcome as one JSON object on stdout
  --debug                     more detail on stderr (never secrets)
  --help                      this text

Exit codes: 0 the job finished (or started, with --wait false; or ended in any status, with
--fail-on-job-failure false); 1 it failed, timed out, was aborted or could not start;
2 invalid options (with --json, stdout then holds {"ok":false,"outcome":"invalid-options",...}).
`

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: Record<string, string | undefined>
  cwd: string
  /** Fires on Ctrl+C / SIGTERM. */
  cancelSignal: AbortSignal
}

export interface ParsedArgs {
  inputs: Record<string, string>
  json: boolean
  debug: boolean
  help: boolean
}

/** `--name value` and `--name=value` for every action input, plus --variable, --json, --debug, --help. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { inputs: {}, json: false, debug: false, help: false }
  const variables: string[] = []
  const problems: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--json' || arg === '--debug' || arg === '--help' || arg === '-h') {
      parsed[arg === '-h' ? 'help' : (arg.slice(2) as 'json' | 'debug' | 'help')] = true
      continue
    }
    const match = /^--([a-z-]+)(?:=([\s\S]*))?$/.exec(arg)
    const name = match?.[1]
    if (name === undefined || (name !== 'variable' && !INPUT_NAMES.includes(name))) {
      // The option's name only: a mistyped --client-secret=... must not echo the secret.
      problems.push(`Unknown option '${arg.split('=')[0] ?? ''}'.`)
      // Skip its value too, so that it is not reported as another unknown option.
      if (!arg.includes('=') && argv[i + 1]?.startsWith('--') === false) i++
      continue
    }
    let value = match?.[2]
    if (value === undefined) {
      value = argv[i + 1]
      if (value === undefined) {
        problems.push(`Option --${name} needs a value.`)
        continue
      }
      i++
    }
    if (name === 'variable') variables.push(value)
    else parsed.inputs[name] = value
  }
  if (variables.length > 0) {
    parsed.inputs[Inputs.Variables] = [parsed.inputs[Inputs.Variables] ?? '', ...variables]
      .filter((line) => line !== '')
      .join('\n')
  }
  if (problems.length > 0) throw new InputError(problems)
  return parsed
}

/** SPOTFIRE_CLIENT_SECRET for client-secret. */
export function environmentName(input: string): string {
  return `SPOTFIRE_${input.toUpperCase().replace(/-/g, '_')}`
}

/** The JSON document --json prints: stable names for scripts. */
export function resultJson(result: JobResult, ok: boolean): Record<string, unknown> {
  return {
    ok,
    outcome: result.outcome,
    jobId: result.jobId ?? null,
    status: result.status ?? null,
    message: result.message,
    durationSeconds: result.durationMs === undefined ? null : durationSeconds(result.durationMs),
    timedOut: result.timedOut,
    error: result.error ?? null,
    abort: result.abort ?? null,
    verdict: verdict(result),
  }
}

/** Runs one job from the command line; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const invalid = (error: unknown): number => {
    if (argv.includes('--json')) {
      const problems = error instanceof InputError ? error.problems : [errorMessage(error)]
      io.stdout(
        `${JSON.stringify({ ok: false, outcome: 'invalid-options', error: problems.join(' ') })}\n`,
      )
    }
    io.stderr(`${errorMessage(error)}\nRun spotfire-as-job --help for the options.\n`)
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
    return EXIT.finished
  }
  const logger: Logger = {
    debug: (message) => {
      if (args.debug) io.stderr(`debug: ${message}\n`)
    },
    info: (message) => {
      io.stderr(`${message}\n`)
    },
    warning: (message) => {
      io.stderr(`warning: ${message}\n`)
    },
  }
  try {
    const settings = getSettings({
      input: (name) => args.inputs[name] ?? io.env[environmentName(name)] ?? '',
      workspace: io.cwd,
      describe: (name) => `--${name} (or ${environmentName(name)})`,
    })
    for (const warning of settings.warnings) logger.warning(warning)
    const result = await runJob(settings, {
      logger,
      clock: systemClock,
      cancelSignal: io.cancelSignal,
      onToken: () => undefined,
      abortReason: (why) =>
        `Aborted by spotfire-as-job${io.env.CI_JOB_URL === undefined ? '' : ` (${io.env.CI_JOB_URL})`}, which ${why === 'timeout' ? 'timed out waiting' : why === 'cancelled' ? 'was stopped' : 'lost contact with the job'}.`,
    })
    const ok = isSuccess(result, settings.failOnJobFailure)
    const line = verdict(result)
    if (args.json) io.stdout(`${JSON.stringify(resultJson(result, ok))}\n`)
    else io.stdout(`${line}\n`)
    return ok ? EXIT.finished : EXIT.failed
  } catch (error) {
    if (error instanceof InputError) return invalid(error)
    io.stderr(`Unexpected error: ${errorMessage(error)}\n`)
    return EXIT.failed
  }
}
