import { formatDuration } from '../shared/duration.js'
import { CLEANUP_BUDGET_MS } from '../shared/constants.js'
import type { Settings } from '../settings/index.js'
import { SpotfireError } from '../spotfire/errors.js'
import { shown } from '../spotfire/text.js'
import type { CallContext } from '../spotfire/token.js'
import type { Clock, Logger, Vocabulary } from '../spotfire/types.js'
import { Folders } from './folders.js'
import type { LibraryPort } from './library-port.js'
import { nodeLocalFiles, type LocalFiles } from './local-file.js'
import { conflictProblem, planUploads, type PlannedUpload } from './plan.js'
import { formatSize } from './progress.js'
import { isRefusal, resultOf, type UploadResult } from './result.js'
import { CHUNK_BYTES, FinishMayHaveLanded, LocalFileProblem, uploadFile } from './upload-file.js'

export interface UploadRunContext {
  library: LibraryPort
  clock: Clock
  logger: Logger
  /**
   * Nothing is sent past this (monotonic ms): the step's timeout. A request sent before it waits
   * for its answer within the cleanup budget only.
   */
  deadline: number
  /** Fires when the run is cancelled. */
  signal?: AbortSignal
  random?: () => number
  words: Vocabulary
  /** Where files are read; the disk by default. */
  files?: LocalFiles
  /** At most CHUNK_BYTES; tests make it small. */
  chunkBytes?: number
}

/**
 * Puts the files into the library, before any job starts; returns one result per upload, in input
 * order. The jobs may start only when every one is `uploaded` or `replaced` (uploadsSucceeded).
 *
 * First every target is looked up, so that an item in the way (with library-overwrite false)
 * stops the step before a single byte moves. Then the files go up **one at a time**, in input
 * order, and the first failure stops the rest: no job will start anyway, and fewer half-deployed
 * files are left behind. One at a time because the uploads share one link to the server, which
 * a single stream of 16 MiB chunks already fills, so parallel uploads would not end sooner; memory
 * stays at one chunk; the server's limit of ten upload jobs per client is never approached, even
 * with the jobs that lost answers leave unfinished; and the log reads file by file.
 */
export async function runUploads(
  settings: Pick<Settings, 'uploads' | 'libraryOverwrite'>,
  ctx: UploadRunContext,
): Promise<UploadResult[]> {
  const { uploads } = settings
  if (uploads.length === 0) return []
  const context: CallContext = {
    deadline: ctx.deadline,
    answerBy: ctx.deadline + CLEANUP_BUDGET_MS,
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  }
  ctx.logger.info(
    `Uploading ${uploads.length === 1 ? 'one file' : `${uploads.length} files`} to the library before any job starts.`,
  )
  const planned = await planUploads(settings, ctx.library, context)
  if (!planned.ok) {
    const problem = `Looking up ${shown(planned.path, 300)} in the library: ${planned.error.message}`
    return uploads.map((upload, index) =>
      index === planned.index
        ? { ...resultOf(upload), outcome: 'failed', problem, refused: isRefusal(planned.error) }
        : notUploaded(upload, `not uploaded: looking up ${shown(planned.path, 300)} failed first`),
    )
  }
  const { plan } = planned
  const conflicts = plan.uploads.filter((p) => p.action === 'conflict')
  if (conflicts.length > 0) {
    ctx.logger.info('Nothing is uploaded: the library holds items in the way.')
    for (const { upload, existing } of conflicts) {
      ctx.logger.info(`- ${conflictProblem(upload, existing, ctx.words)}`)
    }
    const first = conflicts[0]?.upload.path ?? ''
    return plan.uploads.map(({ upload, action, existing }) =>
      action === 'conflict'
        ? {
            ...resultOf(upload),
            outcome: 'failed',
            problem: conflictProblem(upload, existing, ctx.words),
            refused: true,
            ...(existing === undefined ? {} : { id: existing.id }),
          }
        : notUploaded(upload, `not uploaded: ${shown(first, 300)} is in the way`),
    )
  }
  const folders = new Folders(plan.folders, ctx.library, ctx.logger)
  const results: UploadResult[] = []
  let stop: string | undefined
  for (const planned of plan.uploads) {
    stop ??= stopReason(ctx)
    if (stop !== undefined) {
      results.push(notUploaded(planned.upload, stop))
      continue
    }
    const result = await uploadOne(planned, folders, settings.libraryOverwrite, ctx, context)
    results.push(result)
    if (result.outcome === 'failed') {
      stop =
        stopReason(ctx) ??
        `not uploaded: the upload of ${shown(planned.upload.file, 200)} failed first`
    }
  }
  return results
}

async function uploadOne(
  { upload, action, existing }: PlannedUpload,
  folders: Folders,
  overwrite: boolean,
  ctx: UploadRunContext,
  context: CallContext,
): Promise<UploadResult> {
  const { clock, logger } = ctx
  const where = `${shown(upload.file, 200)} (${formatSize(upload.bytes)}) to ${shown(upload.path, 300)}`
  const startedAt = clock.now()
  logger.info(`${action === 'replace' ? 'Replacing' : 'Uploading'} ${where}`)
  try {
    const parentId = await folders.idOf(upload.folder, context)
    const sent = await uploadFile(upload, parentId, overwrite, {
      library: ctx.library,
      clock,
      logger,
      deadline: ctx.deadline,
      files: ctx.files ?? nodeLocalFiles,
      chunkBytes: Math.min(ctx.chunkBytes ?? CHUNK_BYTES, CHUNK_BYTES),
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
      ...(ctx.random === undefined ? {} : { random: ctx.random }),
    })
    const id = sent.itemId ?? existing?.id
    const outcome = action === 'replace' ? 'replaced' : 'uploaded'
    logger.info(
      `${outcome === 'replaced' ? 'Replaced' : 'Uploaded'} ${shown(upload.path, 300)}${id === undefined ? '' : ` (id ${shown(id, 80)})`} in ${formatDuration(clock.now() - startedAt)}.`,
    )
    return {
      ...resultOf(upload),
      bytes: sent.bytes,
      outcome,
      ...(id === undefined ? {} : { id }),
    }
  } catch (error) {
    if (error instanceof LocalFileProblem) {
      return { ...resultOf(upload), outcome: 'failed', problem: error.message, refused: false }
    }
    if (error instanceof FinishMayHaveLanded) {
      // Not the library's verdict on this upload: an answer lost on the way leaves it unknown.
      const problem = `Uploading ${where}: the answer to its last chunk was lost, and the next try found the item there (HTTP 409). It was not there when this step looked, so it most likely holds this file: check ${shown(upload.path, 300)}, or run again with ${ctx.words.setting('library-overwrite', 'true')}.`
      return { ...resultOf(upload), outcome: 'failed', problem, refused: false }
    }
    if (!(error instanceof SpotfireError)) throw error
    const conflict = error.details.status === 409
    const problem = conflict
      ? `${conflictProblem(upload, undefined, ctx.words)} (The item appeared after it was looked up.)`
      : `Uploading ${where}: ${error.message}`
    return { ...resultOf(upload), outcome: 'failed', problem, refused: isRefusal(error) }
  }
}

function notUploaded(upload: PlannedUpload['upload'], problem: string): UploadResult {
  return { ...resultOf(upload), outcome: 'not-uploaded', problem }
}

function stopReason(ctx: UploadRunContext): string | undefined {
  if (ctx.signal?.aborted === true) return 'not uploaded: the run was cancelled'
  if (ctx.clock.now() >= ctx.deadline) return 'not uploaded: the timeout ran out first'
  return undefined
}
