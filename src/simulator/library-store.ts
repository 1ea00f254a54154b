import { createHash, randomUUID, type Hash } from 'node:crypto'

// The library as the Library REST API v2 sees it: folders and files by path, and upload jobs that
// append every chunk they receive. Tests read it to see what a client really left behind.

export const FOLDER_TYPE = 'spotfire.folder'
/** The file types the simulator takes uploads of, by the extension of a local file. */
export const FILE_TYPES: Readonly<Record<string, string>> = {
  '.dxp': 'spotfire.dxp',
  '.sbdf': 'spotfire.sbdf',
  '.mod': 'spotfire.mod',
}
export const ROOT_ID = '00000000-0000-0000-0000-000000000001'

/**
 * Content up to this size is kept byte for byte; above it only its size and SHA-256, so that a
 * 1 GiB upload costs the simulator one chunk's memory at a time.
 */
export const KEEP_BYTES_UP_TO = 8 * 1024 * 1024

export interface StoredContent {
  size: number
  /** Hex. */
  sha256: string
  /** The bytes, when `size` is at most KEEP_BYTES_UP_TO. */
  bytes?: Buffer
}

export interface StoredItem {
  id: string
  title: string
  type: string
  /** '/' for the root; '/Sales/Weekly' below it. */
  path: string
  /** Undefined for the root. */
  parentId?: string
  description: string
  /** Files only. */
  content?: StoredContent
  /** Uploads that replaced its content (overwriteIfExists), first one 0. */
  overwrites: number
}

export interface UploadJob {
  jobId: string
  item: { title: string; type: string; parentId: string; description: string }
  overwrite: boolean
  /** Chunk numbers received, in the order they came. */
  chunks: number[]
  size: number
  /** 'open' while chunks may come; then how it ended. */
  state: 'open' | 'finished' | 'conflict'
  /** The item it made or replaced, once finished. */
  itemId?: string
  hash: Hash
  /** The bytes so far, while they are at most KEEP_BYTES_UP_TO. */
  parts?: Buffer[]
}

export type ChunkResult =
  | { kind: 'stored'; job: UploadJob }
  | { kind: 'finished'; job: UploadJob; item: StoredItem }
  | { kind: 'unknown-job' }
  | { kind: 'out-of-order'; expected: number }
  | { kind: 'conflict'; path: string }

export class LibraryStore {
  readonly items: StoredItem[] = [
    { id: ROOT_ID, title: '', type: FOLDER_TYPE, path: '/', description: '', overwrites: 0 },
  ]
  readonly uploads: UploadJob[] = []

  /** The item at `path` (of `type` when given); a trailing slash is ignored. */
  find(path: string, type?: string): StoredItem | undefined {
    const wanted = normalize(path)
    return this.items.find(
      (item) => item.path === wanted && (type === undefined || item.type === type),
    )
  }

  byId(id: string): StoredItem | undefined {
    return this.items.find((item) => item.id === id)
  }

  /** A new item in folder `parent`; undefined when one of that title and type is there. */
  create(
    parent: StoredItem,
    title: string,
    type: string,
    description = '',
  ): StoredItem | undefined {
    const path = childPath(parent.path, title)
    if (this.find(path, type) !== undefined) return undefined
    const item: StoredItem = {
      id: randomUUID(),
      title,
      type,
      path,
      parentId: parent.id,
      description,
      overwrites: 0,
    }
    this.items.push(item)
    return item
  }

  beginUpload(item: UploadJob['item'], overwrite: boolean): UploadJob {
    const job: UploadJob = {
      jobId: randomUUID(),
      item,
      overwrite,
      chunks: [],
      size: 0,
      state: 'open',
      hash: createHash('sha256'),
      parts: [],
    }
    this.uploads.push(job)
    return job
  }

  /** Appends chunk `n` to the job; with `finish`, makes or replaces its item. */
  appendChunk(jobId: string, n: number, bytes: Buffer, finish: boolean): ChunkResult {
    const job = this.uploads.find((candidate) => candidate.jobId === jobId)
    if (job?.state !== 'open') return { kind: 'unknown-job' }
    const expected = job.chunks.length + 1
    if (n !== expected) return { kind: 'out-of-order', expected }
    job.chunks.push(n)
    job.size += bytes.length
    job.hash.update(bytes)
    if (job.parts !== undefined) {
      if (job.size <= KEEP_BYTES_UP_TO) job.parts.push(Buffer.from(bytes))
      else delete job.parts
    }
    if (!finish) return { kind: 'stored', job }
    const parent = this.byId(job.item.parentId)
    const path = childPath(parent?.path ?? '/', job.item.title)
    const existing = this.find(path, job.item.type)
    if (existing !== undefined && !job.overwrite) {
      job.state = 'conflict'
      delete job.parts
      return { kind: 'conflict', path }
    }
    const item =
      existing ??
      this.create(parent ?? this.root(), job.item.title, job.item.type, job.item.description)
    if (item === undefined) throw new Error(`no item at ${path}`)
    if (existing !== undefined) item.overwrites++
    item.content = {
      size: job.size,
      sha256: job.hash.digest('hex'),
      ...(job.parts === undefined ? {} : { bytes: Buffer.concat(job.parts) }),
    }
    delete job.parts
    job.state = 'finished'
    job.itemId = item.id
    return { kind: 'finished', job, item }
  }

  /** A folder and any missing above it: the folder at `path`. */
  addFolder(path: string): StoredItem {
    let folder = this.root()
    for (const title of normalize(path)
      .split('/')
      .filter((part) => part !== '')) {
      folder =
        this.find(childPath(folder.path, title), FOLDER_TYPE) ??
        this.create(folder, title, FOLDER_TYPE) ??
        folder
    }
    return folder
  }

  /** A file with `bytes` at `path`, its folders made as needed; replaces one that is there. */
  addFile(path: string, type: string, bytes: Uint8Array): StoredItem {
    const normalized = normalize(path)
    const slash = normalized.lastIndexOf('/')
    const parent = this.addFolder(normalized.slice(0, slash) || '/')
    const title = normalized.slice(slash + 1)
    const item = this.find(normalized, type) ?? this.create(parent, title, type)
    if (item === undefined) throw new Error(`no item at ${normalized}`)
    item.content = contentOf(Buffer.from(bytes))
    return item
  }

  root(): StoredItem {
    const root = this.items[0]
    if (root === undefined) throw new Error('the library has no root')
    return root
  }
}

export function contentOf(bytes: Buffer): StoredContent {
  return {
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    ...(bytes.length <= KEEP_BYTES_UP_TO ? { bytes } : {}),
  }
}

function normalize(path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  return trimmed === '' ? '/' : trimmed
}

function childPath(parentPath: string, title: string): string {
  return `${parentPath === '/' ? '' : parentPath}/${title}`
}
