import { LIBRARY_SCOPES } from '../shared/constants.js'
import type { CallContext } from '../spotfire/token.js'

/**
 * What the upload flow needs of the Library REST API v2 client: the shape agreed in
 * LIBRARY-INTERFACE.md for `src/spotfire/library.ts`. A copy, so that the flow and its tests stand
 * on their own until that client is merged; then this file re-exports the client's types and
 * `LibraryPort` becomes `Pick<LibraryClient, 'find' | 'createFolder' | 'beginUpload' | 'sendChunk'>`.
 */

export const LIBRARY_READ_SCOPE = LIBRARY_SCOPES[0]
export const LIBRARY_WRITE_SCOPE = LIBRARY_SCOPES[1]

/** The item types this product uploads, and folders. */
export type LibraryItemType = 'spotfire.dxp' | 'spotfire.sbdf' | 'spotfire.mod' | 'spotfire.folder'

export interface LibraryItem {
  id: string
  title: string
  type: string
}

export interface LibraryPort {
  /**
   * GET /items?path=&type=&maxResults=1. undefined when nothing is there (404, or an empty items
   * list). Idempotent: transient failures are retried until context.deadline. '/' is the root.
   */
  find(
    path: string,
    type: LibraryItemType | undefined,
    context: CallContext,
  ): Promise<LibraryItem | undefined>

  /**
   * POST /items {title, type: 'spotfire.folder', parentId, description}. A 409 (someone created it
   * meanwhile) looks the folder up again and returns it. A request whose answer was lost is not
   * re-sent blindly: the folder is looked up, and created again only if it is not there.
   */
  createFolder(
    parentPath: string,
    parentId: string,
    title: string,
    context: CallContext,
  ): Promise<LibraryItem>

  /** POST /upload {overwriteIfExists, item: {title, type, parentId, description}} -> the upload job id. Retried only when it cannot have been processed (the same rules as a job start). */
  beginUpload(
    item: { title: string; type: LibraryItemType; parentId: string; description?: string },
    overwrite: boolean,
    context: CallContext,
  ): Promise<string>

  /**
   * POST /upload/{jobId}?chunk=n&finish=..., application/octet-stream. NEVER retried: the server
   * appends every chunk it receives. Throws a SpotfireError; its `kind` tells the caller whether
   * the chunk may have reached the server ('no-answer', 'not-api', 5xx) — then the caller starts a
   * new upload job — or surely not ('not-sent'). With finish: true, returns the item's id.
   */
  sendChunk(
    jobId: string,
    chunk: number,
    bytes: Uint8Array,
    finish: boolean,
    context: CallContext,
  ): Promise<{ itemId?: string }>
}
