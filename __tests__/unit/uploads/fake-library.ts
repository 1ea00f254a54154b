import { SpotfireError } from '../../../src/spotfire/errors.js'
import type { CallContext } from '../../../src/spotfire/token.js'
import type {
  LibraryItem,
  LibraryItemType,
  LibraryPort,
} from '../../../src/uploads/library-port.js'

interface StoredItem extends LibraryItem {
  path: string
  parentId?: string
  content?: Uint8Array
}

/** One upload job as the server keeps it: every chunk that reached it, appended. */
export interface FakeUploadJob {
  id: string
  item: { title: string; type: LibraryItemType; parentId: string }
  overwrite: boolean
  /** Chunk numbers received, in order. */
  received: number[]
  bytes: Uint8Array[]
  finished: boolean
}

/**
 * What happens to one chunk: it never leaves ('not-sent'), it reaches the server and its answer
 * is lost ('lose-answer'), or the server answers with this error (after appending nothing).
 */
export type ChunkFault = 'not-sent' | 'lose-answer' | SpotfireError

/**
 * A Library REST API v2 server behind the library client's interface, in memory, as strict as
 * the real one is documented to be: chunks are appended in the order they arrive, numbered from
 * 1; an existing item without overwrite answers 409 at the finish; with it, the item keeps its id.
 */
export class FakeLibrary implements LibraryPort {
  readonly calls: string[] = []
  readonly jobs: FakeUploadJob[] = []
  /** Called for every chunk before it is stored: a fault to play, or undefined. */
  chunkFault: (job: FakeUploadJob, chunk: number) => ChunkFault | undefined = () => undefined
  /** Called for every call: a failure to throw instead of answering. */
  callFault: (call: string) => SpotfireError | undefined = () => undefined
  /** Called after every chunk the server stored: tests move the clock here. */
  onChunk: (job: FakeUploadJob, chunk: number) => void = () => undefined
  private readonly items: StoredItem[] = []
  private next = 1

  constructor() {
    this.items.push({ id: 'root', title: '', type: 'spotfire.folder', path: '/' })
  }

  addFolder(path: string): string {
    const parent = this.at(parentOf(path), 'spotfire.folder')
    if (parent === undefined) throw new Error(`no folder ${parentOf(path)}`)
    return this.store(path, 'spotfire.folder', parent.id).id
  }

  addItem(path: string, type: LibraryItemType, content: string): string {
    const parent = this.at(parentOf(path), 'spotfire.folder') ?? this.items[0]
    return this.store(path, type, parent?.id ?? 'root', new TextEncoder().encode(content)).id
  }

  /** An item's content as text, or undefined when there is none at the path. */
  contentOf(path: string, type?: LibraryItemType): string | undefined {
    const item = this.at(path, type)
    return item?.content === undefined ? undefined : Buffer.from(item.content).toString('latin1')
  }

  itemAt(path: string, type?: LibraryItemType): LibraryItem | undefined {
    const item = this.at(path, type)
    return item === undefined ? undefined : { id: item.id, title: item.title, type: item.type }
  }

  folderPaths(): string[] {
    return this.items.filter((i) => i.type === 'spotfire.folder').map((i) => i.path)
  }

  find(
    path: string,
    type: LibraryItemType | undefined,
    context: CallContext,
  ): Promise<LibraryItem | undefined> {
    return this.answer(`find ${path}`, context, () => this.itemAt(path, type))
  }

  createFolder(
    parentPath: string,
    parentId: string,
    title: string,
    context: CallContext,
  ): Promise<LibraryItem> {
    const path = parentPath === '/' ? `/${title}` : `${parentPath}/${title}`
    return this.answer(`createFolder ${path}`, context, () => {
      const parent = this.byId(parentId)
      if (parent?.type !== 'spotfire.folder' || parent.path !== parentPath) {
        throw new SpotfireError('HTTP 404 Not Found: no such parent folder', 'http', {
          status: 404,
        })
      }
      // A folder there already: the client's 409 re-lookup answers it.
      const item = this.at(path, 'spotfire.folder') ?? this.store(path, 'spotfire.folder', parentId)
      return { id: item.id, title: item.title, type: item.type }
    })
  }

  beginUpload(
    item: { title: string; type: LibraryItemType; parentId: string; description?: string },
    overwrite: boolean,
    context: CallContext,
  ): Promise<string> {
    return this.answer(`beginUpload ${item.title}`, context, () => {
      if (this.byId(item.parentId)?.type !== 'spotfire.folder') {
        throw new SpotfireError('HTTP 404 Not Found: no such folder', 'http', { status: 404 })
      }
      const job: FakeUploadJob = {
        id: `job-${this.next++}`,
        item: { title: item.title, type: item.type, parentId: item.parentId },
        overwrite,
        received: [],
        bytes: [],
        finished: false,
      }
      this.jobs.push(job)
      return job.id
    })
  }

  sendChunk(
    jobId: string,
    chunk: number,
    bytes: Uint8Array,
    finish: boolean,
    context: CallContext,
  ): Promise<{ itemId?: string }> {
    return this.answer(`sendChunk ${jobId} ${chunk}${finish ? ' finish' : ''}`, context, () => {
      const job = this.jobs.find((j) => j.id === jobId)
      if (job === undefined || job.finished) {
        throw new SpotfireError('HTTP 404 Not Found: no such upload job', 'http', { status: 404 })
      }
      const fault = this.chunkFault(job, chunk)
      if (fault === 'not-sent') {
        throw new SpotfireError('connect ECONNREFUSED', 'not-sent', { code: 'ECONNREFUSED' })
      }
      if (fault instanceof SpotfireError) throw fault
      // The server appends whatever reaches it; a copy, as the bytes left over the network.
      job.received.push(chunk)
      job.bytes.push(bytes.slice())
      this.onChunk(job, chunk)
      // A lost answer: the server did all the work, as it would have, and the answer went missing.
      const lost = (): never => {
        throw new SpotfireError('socket hang up (no answer)', 'no-answer', { code: 'ECONNRESET' })
      }
      if (!finish) return fault === 'lose-answer' ? lost() : {}
      job.finished = true
      const parent = this.byId(job.item.parentId)
      const path = parent?.path === '/' ? `/${job.item.title}` : `${parent?.path}/${job.item.title}`
      const existing = this.at(path, job.item.type)
      if (existing !== undefined && !job.overwrite) {
        throw new SpotfireError(`HTTP 409 Conflict: ${path} exists`, 'http', { status: 409 })
      }
      const content = Buffer.concat(job.bytes)
      if (existing !== undefined) existing.content = content
      const itemId = existing?.id ?? this.store(path, job.item.type, job.item.parentId, content).id
      return fault === 'lose-answer' ? lost() : { itemId }
    })
  }

  private async answer<T>(call: string, context: CallContext, work: () => T): Promise<T> {
    this.calls.push(call)
    await Promise.resolve()
    if (context.signal?.aborted === true) throw new SpotfireError('stopped', 'stopped')
    const fault = this.callFault(call)
    if (fault !== undefined) throw fault
    return work()
  }

  private store(
    path: string,
    type: LibraryItemType,
    parentId: string,
    content?: Uint8Array,
  ): StoredItem {
    const item: StoredItem = {
      id: `${type === 'spotfire.folder' ? 'folder' : 'item'}-${this.next++}`,
      title: path.slice(path.lastIndexOf('/') + 1),
      type,
      path,
      parentId,
      ...(content === undefined ? {} : { content }),
    }
    this.items.push(item)
    return item
  }

  private at(path: string, type?: LibraryItemType): StoredItem | undefined {
    return this.items.find((i) => i.path === path && (type === undefined || i.type === type))
  }

  private byId(id: string): StoredItem | undefined {
    return this.items.find((i) => i.id === id)
  }
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash <= 0 ? '/' : path.slice(0, slash)
}
