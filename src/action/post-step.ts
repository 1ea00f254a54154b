import * as core from '@actions/core'
import { systemClock } from '../shared/clock.js'
import { State } from '../shared/constants.js'
import { readLedger, type LedgerEntry } from '../jobs/ledger.js'
import { ABORT_ON_CANCEL_TIMEOUT_MS } from '../jobs/run-job.js'
import { abortReason, actionInputs, maskClient, maskToken, runnerLogger } from './runner.js'
import { Secrets } from '../shared/secrets.js'
import { openSession } from '../flow/session.js'
import { getConnectionSettings } from '../settings/index.js'
import { errorMessage } from '../spotfire/errors.js'
import { statusName } from '../spotfire/status.js'

/**
 * The post step, which the runner runs even after a cancellation: aborts each job the main step
 * started and could not see to an end (it was killed, or its own abort failed), and warns about a
 * start the main step sent but never heard back from. Never fails the job.
 */
export async function runPostStep(): Promise<void> {
  const secrets = new Secrets()
  // Job ids, sources and status names come from saved state and the server: only through the
  // defusing logger.
  const log = runnerLogger(secrets)
  const { entries, problems } = readLedger(savedState())
  for (const problem of problems) {
    log.warning(
      `Could not read all the main step left for the post step: the saved state ${problem}. A job it named may still be running: look for it among the Automation Services jobs on the server.`,
    )
  }
  for (const entry of entries) {
    if (entry.jobId === undefined && entry.startSentAt !== undefined && !entry.settled) {
      log.warning(
        `A job may be running: the start of ${entry.source} was sent ${timeOf(entry.startSentAt)} and the main step ended before the server answered, so its id is unknown. Look for it among the Automation Services jobs on the server.`,
      )
    }
  }
  const running = entries.filter(
    (entry): entry is LedgerEntry & { jobId: string } =>
      entry.jobId !== undefined && !entry.settled,
  )
  if (running.length === 0) {
    core.debug('No job left to abort.')
    return
  }
  try {
    maskClient(secrets)
    const settings = getConnectionSettings(actionInputs())
    const session = openSession(settings, {
      clock: systemClock,
      logger: log,
      onToken: (token) => {
        maskToken(secrets, token)
      },
    })
    try {
      await Promise.all(
        running.map(async ({ jobId, pendingAbort }) => {
          // A failed abort of the main step's is retried whatever abort-on-cancel says.
          if (pendingAbort === undefined && !settings.abortOnCancel) {
            log.info(`Job ${jobId} may still be running; not aborting it (abort-on-cancel: false).`)
            return
          }
          try {
            const status = await session.client.abort(
              jobId,
              abortReason(pendingAbort ?? 'cancelled'),
              {
                deadline: systemClock.now() + 2 * ABORT_ON_CANCEL_TIMEOUT_MS,
                timeoutMs: ABORT_ON_CANCEL_TIMEOUT_MS,
              },
            )
            log.info(
              `Aborted job ${jobId}, which the main step left running: the server answered ${statusName(status.statusCode)}.`,
            )
          } catch (error) {
            log.warning(
              `Could not abort job ${jobId}; it may still be running: ${errorMessage(error)}`,
            )
          }
        }),
      )
    } finally {
      session.close()
    }
  } catch (error) {
    log.warning(`Could not abort the jobs left running: ${errorMessage(error)}`)
  }
}

/** The state the main step saved for this one, as the runner hands it over: STATE_* variables. */
function savedState(): Record<string, string> {
  const prefix = `STATE_${State.JobPrefix}`
  return Object.fromEntries(
    Object.entries(process.env).flatMap(([name, value]) =>
      name.startsWith(prefix) && value !== undefined ? [[name.slice('STATE_'.length), value]] : [],
    ),
  )
}

/** When a start went out, for people; a saved time that is no time does not stop the step. */
function timeOf(ms: number): string {
  const date = new Date(ms)
  return Number.isNaN(date.getTime())
    ? 'at a time the saved state does not tell'
    : `at ${date.toISOString()}`
}
