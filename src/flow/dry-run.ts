import { describeJob } from '../jobs/labels.js'
import { counted } from '../shared/plural.js'
import type { Session } from './session.js'
import { conflictProblem, describePlan, planUploads } from '../uploads/plan.js'
import { shown } from '../spotfire/text.js'
import type { CallContext } from '../spotfire/token.js'
import type { Settings } from '../settings/index.js'
import { SpotfireError } from '../spotfire/errors.js'
import { isTransient } from '../spotfire/responses.js'
import { retry } from '../spotfire/retry.js'
import { EXECUTE_SCOPE } from '../spotfire/token.js'
import type { Clock, Logger, Vocabulary } from '../spotfire/types.js'

/** What a dry run found: each check with its verdict, and what a real run would do. */
export interface DryRunReport {
  ok: boolean
  checks: { name: string; ok: boolean; detail: string }[]
  /** One sentence per folder and upload, then per job: what a run would do, in its order. */
  plan: string[]
  /** What the checks were for: "2 jobs and 3 uploads". */
  work: string
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
  const jobPlan = settings.jobs.map((job) =>
    job.kind === 'job-id' ? `would follow ${describeJob(job)}` : `would start ${describeJob(job)}`,
  )
  logger.info(
    `Dry run: nothing is started${settings.uploads.length === 0 ? '' : ' or uploaded'}. ${jobPlan.length === 1 ? 'The run' : `The ${jobPlan.length} jobs`}:`,
  )
  for (const line of jobPlan) logger.info(`- ${line}`)
  const work = [
    ...(settings.jobs.length === 0 ? [] : [counted(settings.jobs.length, 'job')]),
    ...(settings.uploads.length === 0 ? [] : [counted(settings.uploads.length, 'upload')]),
  ]
  const checks: DryRunReport['checks'] = [
    { name: 'inputs', ok: true, detail: `${work.join(' and ')}, every input valid` },
  ]
  let uploadPlan: string[] = []
  // A check, not a run: it says within seconds that the server cannot be reached, rather than
  // retrying for the whole timeout (30 minutes by default) in a pull request check.
  const deadline = clock.now() + Math.min(settings.timeoutMs, DRY_RUN_BUDGET_MS)
  const context = {
    deadline,
    timeoutMs: Math.min(settings.requestTimeoutMs, DRY_RUN_REQUEST_MS),
    ...(hooks.cancelSignal === undefined ? {} : { signal: hooks.cancelSignal }),
  }
  try {
    await session.client.checkCredentials(context)
    checks.push({ name: 'credentials', ok: true, detail: `a token with scope ${settings.scope}` })
  } catch (error) {
    if (!(error instanceof SpotfireError)) throw error
    checks.push(credentialsProblem(error, hooks.words))
  }
  if (checks.every((check) => check.ok) && settings.uploads.length > 0) {
    const looked = await lookUpTargets(settings, session, context, hooks.words)
    checks.push(looked.check)
    uploadPlan = looked.plan
    if (uploadPlan.length > 0) logger.info('The uploads, before any job:')
    for (const line of uploadPlan) logger.info(`- ${line}`)
  }
  // Only a step that runs jobs needs the job API (an upload-only token lacks its scope).
  if (checks.every((check) => check.ok) && settings.jobs.length > 0) {
    try {
      const answered = await retry(() => session.client.probe(context), PROBE_POLICY, {
        clock,
        deadline,
        onRetry: (message) => {
          logger.info(message)
        },
      })
      checks.push({
        name: 'REST API',
        ok: true,
        detail: `${settings.serverUrl}/spotfire/api/rest/as answers (${answered})`,
      })
    } catch (error) {
      if (!(error instanceof SpotfireError)) throw error
      checks.push(apiProblem(error, hooks.words))
    }
  }
  for (const check of checks) {
    // A failure's detail is the step's error, which follows: said once, there.
    logger.info(
      check.ok
        ? `ok: ${check.name}: ${check.detail}`
        : `FAILED: ${check.name} (the error below says why)`,
    )
  }
  return {
    ok: checks.every((check) => check.ok),
    checks,
    plan: [...uploadPlan, ...jobPlan],
    work: work.join(' and '),
  }
}

/**
 * Every upload's target looked up, as a run would first: what it would create or replace, or the
 * item in the way. Nothing is created: no folder, no upload job.
 */
async function lookUpTargets(
  settings: Settings,
  session: Session,
  context: CallContext,
  words: Vocabulary,
): Promise<{ check: DryRunReport['checks'][number]; plan: string[] }> {
  const planned = await planUploads(settings, session.library, context)
  if (!planned.ok) {
    return {
      check: failed('library', `looking up ${shown(planned.path, 300)}: ${planned.error.message}`),
      plan: [],
    }
  }
  const plan = describePlan(planned.plan, words)
  const conflicts = planned.plan.uploads.filter((p) => p.action === 'conflict')
  if (conflicts.length > 0) {
    return {
      check: failed(
        'library',
        conflicts.map((c) => conflictProblem(c.upload, c.existing, words)).join(' '),
      ),
      plan,
    }
  }
  const replace = planned.plan.uploads.filter((p) => p.action === 'replace').length
  const create = planned.plan.uploads.length - replace
  return {
    check: {
      name: 'library',
      ok: true,
      detail: `every target looked up: ${[
        ...(create === 0 ? [] : [`${create} to create`]),
        ...(replace === 0 ? [] : [`${replace} to replace`]),
      ].join(', ')}`,
    },
    plan,
  }
}

/** The longest a dry run waits for the server, whatever `timeout` says. */
export const DRY_RUN_BUDGET_MS = 10_000
/** The longest one request of a dry run may take, whatever `request-timeout` says. */
const DRY_RUN_REQUEST_MS = 8000

const PROBE_POLICY = {
  label: 'Checking the REST API',
  isRetryable: isTransient,
  maxAttempts: 3,
  baseMs: 1000,
  maxMs: 4000,
}

/** A token that could not be had, with the fix. */
function credentialsProblem(
  error: SpotfireError,
  words: Vocabulary,
): DryRunReport['checks'][number] {
  if (error.kind === 'credentials' && error.details.code === 'invalid_scope') {
    return failed(
      'credentials',
      `${error.message} The administrator's command: ${REGISTER_COMMAND}`,
    )
  }
  if (error.kind === 'credentials') return failed('credentials', error.message)
  const advice = connectionAdvice(error, words)
  return failed('connection', advice === undefined ? error.message : `${error.message}. ${advice}`)
}

/** The README's Troubleshooting advice for a server that cannot be reached, by what happened. */
function connectionAdvice(error: SpotfireError, words: Vocabulary): string | undefined {
  const url = words.name('server-url')
  const reach =
    'and that the runner can reach the server (a GitHub-hosted runner cannot reach a server inside your network: use a self-hosted runner there; HTTPS_PROXY and NO_PROXY are honoured)'
  switch (error.details.code) {
    case 'ECONNREFUSED':
      return `Nothing listens at that address and port: check the scheme, host and port in ${url}, ${reach}.`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `The host name does not resolve: check the host in ${url}, ${reach}.`
    case 'TIMEOUT':
      return `The server did not answer in time: a firewall that drops the connection, the wrong port in ${url}, or a server that is down. Check ${url}, ${reach}.`
    case 'ECONNRESET':
      return `The connection was reset: a firewall or proxy that closes it, or a port that speaks another protocol (is ${url} https://?). Check ${url}, ${reach}.`
    default:
      return ['not-sent', 'no-answer', 'token', 'stopped'].includes(error.kind)
        ? `Check ${url}, ${reach}.`
        : undefined
  }
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
