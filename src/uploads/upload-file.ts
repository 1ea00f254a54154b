import type { UploadSpec } from '../settings/index.js'
import { CLEANUP_BUDGET_MS } from '../shared/constants.js'
import { SpotfireError } from '../spotfire/errors.js'
import { isTransient } from '../spotfire/responses.js'
import { backoffDelay, type Backoff } from '../spotfire/retry.js'
import { shown } from '../spotfire/text.js'
import type { CallContext } from '../spotfire/token.js'
import type { Clock, Logger } from '../spotfire/types.js'
import type { LibraryPort } from './library-port.js'
import type { LocalFile, LocalFiles } from './local-file.js'
import { Progress } from './progress.js'

/**
 * The largest chunk sent in one request. One buffer of this size is all the memory a file takes,
 * whatever its size; and a lost answer costs at most one chunk's time before the file starts over.
 */
export const CHUNK_BYTES = 16 * 1024 * 1024

/**
 * Upload jobs one file may use: the first and one after each failure. The server allows ten
 * upload jobs per client at once, and an abandoned one may count until the server drops it.
 */
export const MAX_UPLOAD_ATTEMPTS = 5

/** As other requests back off: growing pauses, never under 250 ms (backoffDelay's floor). */
const UPLOAD_BACKOFF: Backoff = { baseMs: 1000, maxMs: 30_000 }

/** A local file that could not be read as it was measured: a failure on this side. */
export class LocalFileProblem extends Error {}

/**
 * The answer to a finish chunk was lost, and the next try's finish found the item there: the lost
 * one most likely stored the file, but nothing here can prove it was not someone else.
 */
export class FinishMayHaveLanded extends Error {
  constructor() {
    super('the item was there for the next try')
  }
}

export interface UploadFileContext {
  library: LibraryPort
  clock: Clock
  logger: Logger
  /**
   * No request or pause starts past this (monotonic ms): the step's timeout. A request sent before
   * it waits for its answer within the cleanup budget only.
   */
  deadline: number
  signal?: AbortSignal
  random?: () => number
  files: LocalFiles
  chunkBytes: number
}

/**
 * Uploads one file into the folder `parentId`, in chunks read from disk one at a time. A chunk is
 * never sent twice into one upload job, since the server appends whatever reaches it: after a
 * failure that may have reached the server, the file starts over in a new upload job, and the
 * old one is left unfinished (the server drops it). Only a chunk that surely did not leave
 * ('not-sent') goes again into the same job. Returns the item's id when the server gives it.
 */
export async function uploadFile(
  upload: UploadSpec,
  parentId: string,
  overwrite: boolean,
  ctx: UploadFileContext,
): Promise<{ itemId?: string; bytes: number }> {
  const file = await openFile(ctx.files, upload)
  try {
    return await send(file, upload, parentId, overwrite, ctx)
  } finally {
    await file.close()
  }
}

async function send(
  file: LocalFile,
  upload: UploadSpec,
  parentId: string,
  overwrite: boolean,
  ctx: UploadFileContext,
): Promise<{ itemId?: string; bytes: number }> {
  const { clock, library } = ctx
  const size = file.size
  const count = Math.max(1, Math.ceil(size / ctx.chunkBytes))
  const buffer = new Uint8Array(Math.min(ctx.chunkBytes, size))
  const label = `Uploading ${shown(upload.file, 200)}`
  const progress = new Progress(label, size, clock, ctx.logger)
  const context: CallContext = {
    deadline: ctx.deadline,
    answerBy: ctx.deadline + CLEANUP_BUDGET_MS,
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  }
  let jobId: string | undefined
  let chunk = 1
  /** Whether the request in flight is a finish chunk, and whether one may have landed unanswered. */
  let finishing = false
  let finishLost = false
  for (let failures = 0; ;) {
    try {
      finishing = false
      stopIfAsked(ctx)
      jobId ??= await library.beginUpload(
        { title: upload.title, type: upload.type, parentId },
        overwrite,
        context,
      )
      for (;;) {
        const offset = (chunk - 1) * ctx.chunkBytes
        const bytes = buffer.subarray(0, Math.min(ctx.chunkBytes, size - offset))
        if ((await file.read(bytes, offset)) !== bytes.length) {
          throw new LocalFileProblem(`${shown(upload.file, 200)} changed while it was uploaded`)
        }
        const finish = chunk === count
        finishing = finish
        const answer = await library.sendChunk(jobId, chunk, bytes, finish, context)
        progress.sent(offset + bytes.length)
        if (finish) return { ...answer, bytes: size }
        chunk++
        stopIfAsked(ctx)
      }
    } catch (error) {
      if (finishLost && error instanceof SpotfireError && error.details.status === 409) {
        throw new FinishMayHaveLanded()
      }
      if (!(error instanceof SpotfireError) || !isTransient(error)) throw error
      if (finishing && error.kind !== 'not-sent') finishLost = true
      failures++
      const sameJob = error.kind === 'not-sent' && jobId !== undefined
      const next = sameJob
        ? `sending chunk ${chunk} again`
        : jobId === undefined
          ? 'asking for an upload job again'
          : `chunk ${chunk} may have reached the server: starting the file again in a new upload job`
      if (!sameJob) {
        jobId = undefined
        chunk = 1
      }
      if (failures >= MAX_UPLOAD_ATTEMPTS) {
        throw error.withContext(`${label} failed ${failures} times; the last time`)
      }
      const delayMs = backoffDelay(
        failures - 1,
        UPLOAD_BACKOFF,
        ctx.random ?? Math.random,
        error.details.retryAfterMs,
      )
      if (clock.now() + delayMs >= ctx.deadline) {
        throw error.withContext(`${label}: no time left to try again before the timeout`)
      }
      ctx.logger.info(`${label}: ${error.message}; ${next} in ${Math.ceil(delayMs / 100) / 10}s.`)
      await clock.sleep(delayMs, ctx.signal)
      if (!sameJob) progress.restart()
    }
  }
}

async function openFile(files: LocalFiles, upload: UploadSpec): Promise<LocalFile> {
  try {
    return await files.open(upload.localPath)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new LocalFileProblem(
      `Cannot read ${shown(upload.file, 200)}: ${code === undefined ? 'it cannot be opened' : `it cannot be opened (${code})`}`,
    )
  }
}

/** A cancellation or the timeout between chunks: the upload job is left unfinished. */
function stopIfAsked(ctx: UploadFileContext): void {
  if (ctx.signal?.aborted === true) {
    throw new SpotfireError('the run was cancelled during the upload', 'stopped')
  }
  if (ctx.clock.now() >= ctx.deadline) {
    throw new SpotfireError('the timeout ran out during the upload', 'stopped')
  }
}
