import { dryRun, type DryRunReport } from './dry-run.js'
import { shortLabel } from '../jobs/labels.js'
import { Ledger, type LedgerChange, type LedgerEntry } from '../jobs/ledger.js'
import type { AbortWhy, JobResult } from '../jobs/outcome.js'
import type { PollSchedule } from '../jobs/poll-schedule.js'
import { runJobs } from '../jobs/run-jobs.js'
import { openSession, type SessionHooks } from './session.js'
import type { Settings } from '../settings/index.js'
import { inputWords } from '../spotfire/types.js'
import { uploadsSucceeded, type UploadResult } from '../uploads/result.js'
import { runUploads } from '../uploads/run-uploads.js'

export interface ExecuteHooks extends SessionHooks {
  /** Fires when the workflow run is cancelled (SIGINT, SIGTERM). */
  cancelSignal: AbortSignal
  /** The ledger after every change, and the entry that changed: the action saves it for the post step. */
  onLedger?: (entries: LedgerEntry[], change: LedgerChange) => void
  /** Why we abort, for the server's job log: names the workflow run. */
  abortReason: (why: AbortWhy) => string
  schedule?: PollSchedule
}

export interface RunReport {
  kind: 'run'
  /** One per library-upload, in input order; empty when the step uploads nothing. */
  uploads: UploadResult[]
  results: JobResult[]
  /** When the run began and ended (ms since epoch, by the wall clock): for people to read. */
  startedAt: number
  endedAt: number
  /** How long it took, by the monotonic clock: the wall clock may have stepped meanwhile. */
  durationMs: number
}

/**
 * The one flow the action and the CLI share: settings -> session -> uploads, then jobs -> results.
 * One deadline covers both: `timeout` bounds the whole step.
 */
export async function execute(
  settings: Settings,
  hooks: ExecuteHooks,
): Promise<RunReport | ({ kind: 'dry-run' } & DryRunReport)> {
  const startedAt = hooks.clock.wallNow()
  const began = hooks.clock.now()
  const session = openSession(settings, hooks)
  try {
    if (settings.dryRun) {
      return {
        kind: 'dry-run',
        ...(await dryRun(settings, session, { ...hooks, words: hooks.words ?? inputWords })),
      }
    }
    const words = hooks.words ?? inputWords
    const deadline = began + settings.timeoutMs
    const uploads = await runUploads(settings, {
      library: session.library,
      clock: hooks.clock,
      logger: hooks.logger,
      deadline,
      signal: hooks.cancelSignal,
      words,
      ...(hooks.random === undefined ? {} : { random: hooks.random }),
    })
    if (!uploadsSucceeded(uploads)) {
      // A release must not refresh a half-deployed library.
      if (settings.jobs.length > 0) hooks.logger.info('An upload failed: no job is started.')
      return {
        kind: 'run',
        uploads,
        results: settings.jobs.map((job) => ({
          job,
          message: '',
          outcome: { kind: 'skipped', because: 'upload-failed' },
        })),
        startedAt,
        endedAt: hooks.clock.wallNow(),
        durationMs: hooks.clock.now() - began,
      }
    }
    // The jobs get what the uploads left of the timeout.
    const left = { ...settings, timeoutMs: Math.max(1, deadline - hooks.clock.now()) }
    const results = await runJobs(left, {
      client: session.client,
      clock: hooks.clock,
      logger: hooks.logger,
      cancel: hooks.cancelSignal,
      ledger: new Ledger(settings.jobs.map(shortLabel), hooks.onLedger),
      abortReason: hooks.abortReason,
      words,
      ...(hooks.schedule === undefined ? {} : { schedule: hooks.schedule }),
      ...(hooks.random === undefined ? {} : { random: hooks.random }),
    })
    return {
      kind: 'run',
      uploads,
      results,
      startedAt,
      endedAt: hooks.clock.wallNow(),
      durationMs: hooks.clock.now() - began,
    }
  } finally {
    session.close()
  }
}
