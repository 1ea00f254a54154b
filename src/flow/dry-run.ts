import { describeJob } from '../jobs/labels.js'
import type { Session } from './session.js'
import type { Settings } from '../settings/index.js'
import { SpotfireError } from '../spotfire/errors.js'
import { isTransient } from '../spotfire/responses.js'
import { retry } from '../spotfire/retry.js'
import { statusName } from '../spotfire/status.js'
import { EXECUTE_SCOPE } from '../spotfire/token.js'
import type { Clock, Logger, Vocabulary } from '../spotfire/types.js'

/** What a dry run found: each check with its verdict, and what a real run would do. */
export interface DryRunReport {
  ok: boolean
  checks: { name: string; ok: boolean; detail: string }[]
  /** One sentence per job: what a run would start or follow. */
  plan: string[]
}

/** The command an administrator runs to give an API client the scope it needs. */
export const REGISTER_COMMAND = `config register-api-client -n <name> -S${EXECUTE_SCOPE}`

/**
 * Checks everything a run needs and starts nothing: the inputs (already read), the credentials
 * and scope (a token), and the REST API (the status of the zero job id, which the API answers
 * with a status or its own not-found). A dry run cannot tell whether a library path exists.
 */
export async function dryRun(
  settings: Settings,
  session: Session,
  hooks: { clock: Clock; logger: Logger; words: Vocabulary; cancelSignal?: AbortSignal },
): Promise<DryRunReport> {
  const { clock, logger } = hooks
  const plan = settings.jobs.map((job) =>
    job.kind === 'job-id' ? `would follow ${describeJob(job)}` : `would start ${describeJob(job)}`,
  )
  logger.info(
    `Dry run: nothing is started. ${plan.length === 1 ? 'The run' : `The ${plan.length} jobs`}:`,
  )
  for (const line of plan) logger.info(`- ${line}`)
  const checks: DryRunReport['checks'] = [
    { name: 'inputs', ok: true, detail: `${settings.jobs.length} job(s), every input valid` },
  ]
  const deadline = clock.now() + settings.timeoutMs
  const context = {
    deadline,
    ...(hooks.cancelSignal === undefined ? {} : { signal: hooks.cancelSignal }),
  }
  try {
    await session.client.checkCredentials(context)
    checks.push({ name: 'credentials', ok: true, detail: `a token with scope ${settings.scope}` })
  } catch (error) {
    if (!(error instanceof SpotfireError)) throw error
    checks.push(credentialsProblem(error))
  }
  if (checks.every((check) => check.ok)) {
    try {
      const answer = await retry(() => session.client.probe(context), PROBE_POLICY, {
        clock,
        deadline,
        onRetry: (message) => {
          logger.info(message)
        },
      })
      checks.push({
        name: 'REST API',
        ok: true,
        detail: `${settings.serverUrl}/spotfire/api/rest/as answers (status of the zero job id: ${statusName(answer.statusCode)})`,
      })
    } catch (error) {
      if (!(error instanceof SpotfireError)) throw error
      checks.push(apiProblem(error, hooks.words))
    }
  }
  for (const check of checks) {
    logger.info(`${check.ok ? 'ok' : 'FAILED'}: ${check.name}: ${check.detail}`)
  }
  return { ok: checks.every((check) => check.ok), checks, plan }
}

const PROBE_POLICY = {
  label: 'Checking the REST API',
  isRetryable: isTransient,
  maxAttempts: 3,
  baseMs: 1000,
  maxMs: 4000,
}

/** A token that could not be had, with the fix. */
function credentialsProblem(error: SpotfireError): DryRunReport['checks'][number] {
  if (error.kind === 'credentials' && error.details.code === 'invalid_scope') {
    return failed(
      'credentials',
      `${error.message} The administrator's command: ${REGISTER_COMMAND}`,
    )
  }
  if (error.kind === 'credentials') return failed('credentials', error.message)
  return failed('connection', error.message)
}

/** The API's answer that was not one, with the fix. */
function apiProblem(error: SpotfireError, words: Vocabulary): DryRunReport['checks'][number] {
  const status = error.details.status
  if (status === 403) {
    return failed(
      'REST API',
      `${error.message}. The administrator's command to give the client the scope: ${REGISTER_COMMAND}`,
    )
  }
  if (error.kind === 'not-api' && status === 404) {
    return failed(
      'REST API',
      `${error.message}. The server's public web services look switched off: an administrator turns them on with config-web-service-api. Check too that ${words.name('server-url')} is the address Spotfire is served at.`,
    )
  }
  return failed('REST API', error.message)
}

function failed(name: string, detail: string): { name: string; ok: false; detail: string } {
  return { name, ok: false, detail }
}
