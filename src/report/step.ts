import { isSuccess, type JobResult } from '../jobs/outcome.js'
import { cut } from '../spotfire/text.js'
import { uploadsSucceeded, type UploadResult } from '../uploads/result.js'
import { LIMITS } from './limits.js'
import { uploadsVerdict } from './uploads.js'
import { runVerdict, type VerdictContext } from './verdict.js'

/** How the whole step ended, uploads and jobs together, as both adapters say it. */
export interface StepVerdict {
  /** One paragraph: the uploads' sentence, then the jobs'. */
  text: string
  /** Every upload went in and every job succeeded (or failed with fail-on-job-failure false). */
  ok: boolean
  /** ok, though a job ended in a status other than Finished (fail-on-job-failure false). */
  excused: boolean
}

export function stepVerdict(
  uploads: readonly UploadResult[],
  results: readonly JobResult[],
  ctx: VerdictContext & { failOnJobFailure: boolean },
): StepVerdict {
  const succeeded = (r: JobResult): boolean => isSuccess(r, ctx.failOnJobFailure)
  const uploaded = uploadsSucceeded(uploads)
  const jobs =
    results.length === 0
      ? undefined
      : uploaded
        ? runVerdict(results, ctx, succeeded)
        : // Each job would say the same "not started: an upload failed first".
          `No job was started (${results.length === 1 ? 'one job' : `${results.length} jobs`}).`
  const text = [uploadsVerdict(uploads), jobs].filter((part) => part !== undefined).join(' ')
  const ok = uploaded && results.every(succeeded)
  return {
    text: cut(text, LIMITS.annotation),
    ok,
    excused: ok && results.some((r) => r.outcome.kind === 'failed'),
  }
}
