import * as core from '@actions/core'
import { systemClock } from '../shared/clock.js'
import { Outputs } from '../shared/constants.js'
import { VERSION } from '../shared/version.js'
import { execute } from '../flow/execute.js'
import { ledgerKey, savedEntry } from '../jobs/ledger.js'
import { emptyOutputs, outputsOf, RunningIds } from '../report/outputs.js'
import {
  dryRunMarkdown,
  dryRunVerdict,
  invalidInputsMarkdown,
  summaryMarkdown,
} from '../report/summary.js'
import { dryRunJunit, invalidInputsJunit, runJunit } from '../report/junit.js'
import { writeJunitFile } from '../report/junit-file.js'
import { stepVerdict } from '../report/step.js'
import { abortReason, actionInputs, maskClient, maskToken, runnerLogger } from './runner.js'
import { Secrets } from '../shared/secrets.js'
import { getSettings, InputError, junitReportOf } from '../settings/index.js'
import { defuse } from '../shared/workflow-commands.js'
import { errorMessage } from '../spotfire/errors.js'

/**
 * The job summary, where the runner gives one. A summary that cannot be written is a warning: the
 * jobs ran, and their outputs and verdict stand.
 */
async function writeSummary(markdown: string): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY === undefined) return
  try {
    await core.summary.addRaw(markdown).write()
  } catch (error) {
    core.summary.emptyBuffer()
    core.warning(defuse(`Could not write the job summary: ${errorMessage(error)}`))
  }
}

/** The main step: inputs -> execute -> outputs, summary and verdict. Never throws. */
export async function runMainStep(): Promise<void> {
  const cancel = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!cancel.signal.aborted) {
      core.info(
        `Received ${signal}: the run is being cancelled; started jobs will be aborted (a start under way is awaited first, since its answer names the job).`,
      )
    }
    cancel.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const secrets = new Secrets()
  const setOutputs = (outputs: Record<string, string>): void => {
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, secrets.redact(value))
  }
  const wallStartedAt = systemClock.wallNow()
  // The report a test-report tool reads: written on every run, a failed one included.
  const junit = (path: string | undefined, xml: () => string): void => {
    if (path === undefined) return
    const problem = writeJunitFile(path, secrets.redact(xml()))
    if (problem !== undefined) core.warning(defuse(secrets.redact(problem)))
  }
  const saved = new Map<number, string>()
  const runningIds = new RunningIds()
  try {
    core.info(`Spotfire Automation Services action ${VERSION}`)
    maskClient(secrets)
    const settings = getSettings(actionInputs())
    for (const warning of settings.warnings) core.warning(defuse(warning))
    const report = await execute(settings, {
      logger: runnerLogger(secrets),
      clock: systemClock,
      cancelSignal: cancel.signal,
      onToken: (token) => {
        maskToken(secrets, token)
      },
      onLedger: (entries, { index, entry }) => {
        // GITHUB_STATE and GITHUB_OUTPUT grow with every write: one job's entry, when it changes.
        const value = savedEntry(entry)
        if (value !== (saved.get(index) ?? '')) {
          core.saveState(ledgerKey(index), value)
          saved.set(index, value)
        }
        // Known at once, so that a later step can find the jobs even if this one is killed.
        const ids = runningIds.next(entries)
        if (ids !== undefined) core.setOutput(Outputs.JobId, secrets.redact(ids))
      },
      abortReason: (why) => abortReason(why),
    })
    const { serverUrl } = settings
    if (report.kind === 'dry-run') {
      setOutputs(emptyOutputs())
      await writeSummary(secrets.redact(dryRunMarkdown(report, { serverUrl })))
      junit(settings.junitReport, () => dryRunJunit(report, wallStartedAt))
      const verdict = secrets.redact(dryRunVerdict(report))
      if (report.ok) core.info(defuse(verdict))
      else core.setFailed(defuse(verdict))
      return
    }
    const { results, uploads } = report
    setOutputs(outputsOf(results, { durationMs: report.durationMs, uploads }))
    await writeSummary(secrets.redact(summaryMarkdown(results, { serverUrl, uploads })))
    junit(settings.junitReport, () => runJunit(report))
    const verdict = stepVerdict(uploads, results, { ...settings, durationMs: report.durationMs })
    const text = secrets.redact(verdict.text)
    if (!verdict.ok) core.setFailed(defuse(text))
    else if (verdict.excused) core.warning(defuse(`${text} (fail-on-job-failure: false)`))
    else core.info(defuse(text))
  } catch (error) {
    setOutputs(emptyOutputs())
    if (error instanceof InputError) {
      // Redacted before the markdown escapes them, which would hide a secret from the redaction.
      await writeSummary(
        secrets.redact(invalidInputsMarkdown(error.problems.map((p) => secrets.redact(p)))),
      )
      junit(junitReportOf(actionInputs()), () => invalidInputsJunit(error.problems, wallStartedAt))
      core.setFailed(defuse(secrets.redact(error.message)))
    } else {
      core.debug(defuse(secrets.redact(error instanceof Error ? (error.stack ?? '') : '')))
      core.setFailed(defuse(secrets.redact(`Unexpected error: ${errorMessage(error)}`)))
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
