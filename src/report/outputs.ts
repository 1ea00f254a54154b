import { Outputs } from '../shared/constants.js'
import { shortLabel } from '../jobs/labels.js'
import type { LedgerEntry } from '../jobs/ledger.js'
import type { JobResult } from '../jobs/outcome.js'
import { cut } from '../spotfire/text.js'
import { LIMITS } from './limits.js'
import { uploadJson } from './uploads.js'
import type { UploadResult } from '../uploads/result.js'

/** Seconds with one decimal, as the outputs and the CLI's JSON give them. */
export function durationSeconds(ms: number): number {
  return Math.round(ms / 100) / 10
}

/** One job as the `jobs` output and the CLI's JSON show it. */
export function jobJson(result: JobResult): Record<string, string | number | boolean | null> {
  return {
    source: shortLabel(result.job),
    'job-id': result.jobId ?? null,
    status: result.status ?? null,
    message: cut(result.message, LIMITS.jobsOutputMessage),
    'duration-seconds': result.durationMs === undefined ? null : durationSeconds(result.durationMs),
    outcome: result.outcome.kind,
    'timed-out': result.outcome.kind === 'timed-out',
  }
}

/**
 * The step's outputs; every one is always set, so that `if:` conditions can rely on it. With one
 * job they are that job's; with several, `status` and `message` are the first job's that did not
 * finish, in input order.
 */
export function outputsOf(
  results: readonly JobResult[],
  run: { durationMs: number; uploads?: readonly UploadResult[] },
): Record<string, string> {
  const [only] = results
  // The first status that is not Finished, in input order; a job that never got one (skipped, or
  // its start failed) has none to give.
  const first =
    results.length === 1
      ? only
      : (results.find((r) => r.status !== undefined && r.status !== 'Finished') ??
        results.find((r) => r.status !== 'Finished') ??
        only)
  const duration =
    results.length === 1 ? only?.durationMs : results.length === 0 ? undefined : run.durationMs
  return {
    [Outputs.JobId]: results.flatMap((r) => (r.jobId === undefined ? [] : [r.jobId])).join('\n'),
    [Outputs.Status]:
      results.every((r) => r.status === 'Finished') && results.length > 0
        ? 'Finished'
        : (first?.status ?? ''),
    [Outputs.Message]: cut(first?.message ?? '', LIMITS.messageOutput),
    [Outputs.DurationSeconds]: duration === undefined ? '' : String(durationSeconds(duration)),
    [Outputs.TimedOut]: String(results.some((r) => r.outcome.kind === 'timed-out')),
    [Outputs.Jobs]: JSON.stringify(results.map(jobJson)),
    [Outputs.Uploads]: JSON.stringify((run.uploads ?? []).map(uploadJson)),
  }
}

/** The outputs when no job could run (invalid inputs): each set, and empty. */
export function emptyOutputs(): Record<string, string> {
  return {
    [Outputs.JobId]: '',
    [Outputs.Status]: '',
    [Outputs.Message]: '',
    [Outputs.DurationSeconds]: '',
    [Outputs.TimedOut]: 'false',
    [Outputs.Jobs]: '[]',
    [Outputs.Uploads]: '[]',
  }
}

/** What the `job-id` rewrites while jobs run may write to GITHUB_OUTPUT in all. */
export const RUNNING_IDS_BUDGET_BYTES = 256 * 1024

/**
 * The `job-id` output while jobs run: the ids of the jobs running now, so that a later step can find
 * them if this one is killed. GITHUB_OUTPUT is appended to at every write, so it is written only when
 * a new id arrives (a job that ends leaves its id until the next write), and no more once these
 * writes reach RUNNING_IDS_BUDGET_BYTES; the list of every id is written at the end.
 */
export class RunningIds {
  private written = new Set<string>()
  private spent = 0

  constructor(private readonly budgetBytes = RUNNING_IDS_BUDGET_BYTES) {}

  /** The value to write after this change of the ledger, or undefined for none. */
  next(entries: readonly LedgerEntry[]): string | undefined {
    const running = entries.flatMap((e) => (e.jobId === undefined || e.settled ? [] : [e.jobId]))
    if (running.every((id) => this.written.has(id))) return undefined
    const value = running.join('\n')
    if (this.spent + value.length > this.budgetBytes) return undefined
    this.spent += value.length
    this.written = new Set(running)
    return value
  }
}
