import type { UploadSpec, UploadType } from '../settings/index.js'
import type { SpotfireError } from '../spotfire/errors.js'

/** How one upload ended: one vocabulary for the log, outputs, summary and exit codes. */
export type UploadOutcome =
  /** A new item holds the file. */
  | 'uploaded'
  /** An item that was there holds the file now, under the id it had. */
  | 'replaced'
  /** It was tried, or found in the way (an item there, library-overwrite false), and failed. */
  | 'failed'
  /** Not tried: another upload failed or was in the way first, or the run stopped. */
  | 'not-uploaded'

/** One upload as the reports see it: plain data, no classes, no errors. */
export interface UploadResult {
  /** The local file, as the input names it. */
  file: string
  /** The library item's full path. */
  path: string
  type: UploadType
  /** The item's id: the new one, or the one it kept. */
  id?: string
  /** The file's size. */
  bytes: number
  outcome: UploadOutcome
  /** Why it failed or was not uploaded: one line, outside text made safe. */
  problem?: string
  /**
   * For `failed`: the library refused it (an item in the way, no access, a 4xx answer), which
   * counts as a server's verdict (exit code 2); false for a failure on this side, the network or
   * the time (3).
   */
  refused?: boolean
}

/** The result of an upload before its end is known. */
export function resultOf(
  upload: UploadSpec,
): Pick<UploadResult, 'file' | 'path' | 'type' | 'bytes'> {
  return { file: upload.file, path: upload.path, type: upload.type, bytes: upload.bytes }
}

/** Whether the uploads let the jobs start: every one uploaded or replaced. */
export function uploadsSucceeded(results: readonly UploadResult[]): boolean {
  return results.every((r) => r.outcome === 'uploaded' || r.outcome === 'replaced')
}

/**
 * Whether the server (or the library's state) said no, as opposed to a failure on the way: any
 * 4xx but a timeout or throttling, which say nothing about the upload itself.
 */
export function isRefusal(error: SpotfireError): boolean {
  const status = error.details.status ?? 0
  return error.kind === 'http' && status >= 400 && status < 500 && status !== 408 && status !== 429
}
