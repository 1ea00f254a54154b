import * as core from '@actions/core'
import { Outputs, State } from './constants.js'
import { abortReason, actionInputs, coreLogger, maskClientSecret, maskToken } from './github.js'
import { isSuccess, outputsOf, summaryMarkdown, verdict } from './report.js'
import { runJob } from './run-job.js'
import { getSettings, InputError } from './settings.js'
import { systemClock } from './clock.js'
import { errorMessage } from './spotfire/errors.js'

/** The main step: settings -> job -> outputs, summary and verdict. Never throws. */
export async function runMain(): Promise<void> {
  const cancel = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!cancel.signal.aborted) {
      core.info(
        `Received ${signal}: the run is being cancelled; a started job will be aborted (a start under way is awaited first, since its answer names the job).`,
      )
    }
    cancel.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    maskClientSecret()
    const settings = getSettings(actionInputs())
    for (const warning of settings.warnings) core.warning(warning)
    const result = await runJob(settings, {
      logger: coreLogger,
      clock: systemClock,
      cancelSignal: cancel.signal,
      onToken: maskToken,
      onStarted: (jobId) => {
        core.setOutput(Outputs.JobId, jobId)
        if (settings.wait) core.saveState(State.JobId, jobId)
      },
      onSettled: () => {
        core.saveState(State.Settled, 'true')
      },
      onAbortFailed: (_jobId, why) => {
        core.saveState(State.PendingAbort, why)
      },
      abortReason: (why) => abortReason(why),
      group: (name, run) => core.group(name, run),
    })
    for (const [name, value] of Object.entries(outputsOf(result))) core.setOutput(name, value)
    if (process.env.GITHUB_STEP_SUMMARY !== undefined) {
      await core.summary.addRaw(summaryMarkdown([result])).write()
    }
    const line = verdict(result)
    if (!isSuccess(result, settings.failOnJobFailure)) core.setFailed(line)
    else if (result.outcome === 'job-failed') core.warning(`${line} (fail-on-job-failure: false)`)
    else core.info(line)
  } catch (error) {
    if (error instanceof InputError) {
      core.setFailed(error.message)
    } else {
      core.debug(error instanceof Error ? (error.stack ?? '') : '')
      core.setFailed(`Unexpected error: ${errorMessage(error)}`)
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
