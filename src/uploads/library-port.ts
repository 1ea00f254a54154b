import type { LibraryClient } from '../spotfire/library.js'

export type { LibraryItem, LibraryItemType } from '../spotfire/library.js'
export { LIBRARY_READ_SCOPE, LIBRARY_WRITE_SCOPE } from '../spotfire/library.js'

/**
 * What the upload flow needs of the Library REST API v2 client: the flow and its tests depend on
 * this, not on the class, so that a test can play the library in memory.
 */
export type LibraryPort = Pick<LibraryClient, 'find' | 'createFolder' | 'beginUpload' | 'sendChunk'>
