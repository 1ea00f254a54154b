import * as core from '@actions/core'
import { State } from './constants.js'
import { abortReason, actionInputs, coreLogger, maskClientSecret, maskToken } from './github.js'
import { ABORT_ON_CANCEL_TIMEOUT_MS, connect, type StopReason } from './run-job.js'
import { getConnectionSettings } from './settings.js'
import { systemClock } from './clock.js'
import { errorMessage } from './spotfire/errors.js'

/**
 * The post step, which the runner runs even after a cancellation: aborts a job the main step
 * started and could not see to an end (it was killed, or its own abort failed). Never fails the job.
 */
export async function runPost(): Promise<void> {
  const jobId = core.getState(State.JobId)
  if (jobId === '' || core.getState(State.Settled) === 'true') {
    core.debug('No job left to abort.')
    return
  }
  // Set when the main step's abort failed; empty when the main step was stopped before it could try.
  const pending = core.getState(State.PendingAbort) as StopReason | ''
  try {
    maskClientSecret()
    const settings = getConnectionSettings(actionInputs())
    if (pending === '' && !settings.abortOnCancel) {
      core.info(`Job ${jobId} may still be running; not aborting it (abort-on-cancel: false).`)
      return
    }
    const { client, dispose } = connect(settings, {
      clock: systemClock,
      logger: coreLogger,
      onToken: maskToken,
    })
    try {
      const status = await client.abort(
        jobId,
        abortReason(pending === '' ? 'cancelled' : pending),
        {
          deadline: systemClock.now() + 2 * ABORT_ON_CANCEL_TIMEOUT_MS,
          timeoutMs: ABORT_ON_CANCEL_TIMEOUT_MS,
        },
      )
      core.info(
        `Aborted job ${jobId}, which the main step left running: the server answered ${status.statusCode}.`,
      )
    } finally {
      dispose()
    }
  } catch (error) {
    core.warning(`Could not abort job ${jobId}; it may still be running: ${errorMessage(error)}`)
  }
}
