import { dryRun, type DryRunReport } from './dry-run.js'
import { shortLabel } from '../jobs/labels.js'
import { Ledger, type LedgerChange, type LedgerEntry } from '../jobs/ledger.js'
import type { AbortWhy, JobResult } from '../jobs/outcome.js'
import type { PollSchedule } from '../jobs/poll-schedule.js'
import { runJobs } from '../jobs/run-jobs.js'
import { openSession, type SessionHooks } from './session.js'
import type { Settings } from '../settings/index.js'
import { inputWords } from '../spotfire/types.js'

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
  results: JobResult[]
  /** When the run began and ended (ms since epoch, by the wall clock): for people to read. */
  startedAt: number
  endedAt: number
  /** How long it took, by the monotonic clock: the wall clock may have stepped meanwhile. */
  durationMs: number
}

/** The one flow the action and the CLI share: settings -> session -> jobs -> results. */
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
    const results = await runJobs(settings, {
      client: session.client,
      clock: hooks.clock,
      logger: hooks.logger,
      cancel: hooks.cancelSignal,
      ledger: new Ledger(settings.jobs.map(shortLabel), hooks.onLedger),
      abortReason: hooks.abortReason,
      words: hooks.words ?? inputWords,
      ...(hooks.schedule === undefined ? {} : { schedule: hooks.schedule }),
      ...(hooks.random === undefined ? {} : { random: hooks.random }),
    })
    return {
      kind: 'run',
      results,
      startedAt,
      endedAt: hooks.clock.wallNow(),
      durationMs: hooks.clock.now() - began,
    }
  } finally {
    session.close()
  }
}
