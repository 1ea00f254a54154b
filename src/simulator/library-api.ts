import { errorJson, json, type SimResponse } from './http.js'
import { FILE_TYPES, FOLDER_TYPE, type LibraryStore, type StoredItem } from './library-store.js'
import { EXECUTE_SCOPE } from './tokens.js'
import type { Endpoint } from './types.js'

// The Library REST API v2 (/spotfire/api/rest/library/v2), as far as this product uses it.

export const LIBRARY_READ_SCOPE = 'api.library.read'
export const LIBRARY_WRITE_SCOPE = 'api.library.write'

export type LibraryEndpoint = 'library-items' | 'library-folder' | 'upload-begin' | 'upload-chunk'

export function isLibraryEndpoint(endpoint: Endpoint | 'unknown'): endpoint is LibraryEndpoint {
  return (
    endpoint === 'library-items' ||
    endpoint === 'library-folder' ||
    endpoint === 'upload-begin' ||
    endpoint === 'upload-chunk'
  )
}

/** The scope a token needs for an endpoint: look-ups read, everything else in the library writes. */
export function scopeFor(endpoint: Endpoint): string {
  if (!isLibraryEndpoint(endpoint)) return EXECUTE_SCOPE
  return endpoint === 'library-items' ? LIBRARY_READ_SCOPE : LIBRARY_WRITE_SCOPE
}

export interface LibraryRequest {
  endpoint: LibraryEndpoint
  /** The upload job id in the path, for upload-chunk. */
  param: string
  url: URL
  body: string
  bytes: Buffer
}

export function handleLibrary(store: LibraryStore, request: LibraryRequest): SimResponse {
  switch (request.endpoint) {
    case 'library-items':
      return items(store, request.url)
    case 'library-folder':
      return createFolder(store, request.body)
    case 'upload-begin':
      return beginUpload(store, request.body)
    case 'upload-chunk':
      return chunk(store, request)
  }
}

function items(store: LibraryStore, url: URL): SimResponse {
  const path = url.searchParams.get('path')
  if (path === null || !path.startsWith('/')) {
    return errorJson(400, 'Give the item as ?path=, a library path starting with /.')
  }
  const type = url.searchParams.get('type') ?? undefined
  const item = store.find(path, type)
  if (item === undefined) return errorJson(404, `No library item at ${path}.`)
  const max = Number(url.searchParams.get('maxResults') ?? 100)
  return json(200, { items: max >= 1 ? [describe(item)] : [] })
}

function describe(item: StoredItem): Record<string, unknown> {
  return {
    id: item.id,
    title: item.title,
    type: item.type,
    parentId: item.parentId ?? null,
    description: item.description,
    ...(item.content === undefined ? {} : { size: item.content.size }),
  }
}

function createFolder(store: LibraryStore, body: string): SimResponse {
  const fields = parseObject(body)
  if (fields === undefined) return errorJson(400, 'The body must be a JSON object.')
  if (fields.type !== FOLDER_TYPE) {
    return errorJson(400, `Only folders (type ${FOLDER_TYPE}) are created here.`)
  }
  const title = validTitle(fields.title)
  if (title === undefined) return errorJson(400, 'A folder needs a title without /.')
  const parent = folderById(store, fields.parentId)
  if (parent === undefined) return errorJson(404, 'The parent folder does not exist.')
  const description = typeof fields.description === 'string' ? fields.description : ''
  const folder = store.create(parent, title, FOLDER_TYPE, description)
  if (folder === undefined) return errorJson(409, `The folder ${title} already exists.`)
  return json(201, { id: folder.id })
}

function beginUpload(store: LibraryStore, body: string): SimResponse {
  const fields = parseObject(body)
  const item = fields?.item
  if (fields === undefined || typeof item !== 'object' || item === null) {
    return errorJson(400, 'The body must be a JSON object with an item.')
  }
  const { title: rawTitle, type, parentId, description } = item as Record<string, unknown>
  const title = validTitle(rawTitle)
  if (title === undefined) return errorJson(400, 'The item needs a title without /.')
  if (typeof type !== 'string' || !Object.values(FILE_TYPES).includes(type)) {
    return errorJson(400, `Cannot upload items of type ${String(type)}.`)
  }
  const parent = folderById(store, parentId)
  if (parent === undefined) return errorJson(404, 'The parent folder does not exist.')
  const job = store.beginUpload(
    {
      title,
      type,
      parentId: parent.id,
      description: typeof description === 'string' ? description : '',
    },
    fields.overwriteIfExists === true,
  )
  return json(201, { jobId: job.jobId })
}

function chunk(store: LibraryStore, request: LibraryRequest): SimResponse {
  const n = request.url.searchParams.get('chunk') ?? ''
  if (!/^[1-9]\d*$/.test(n)) return errorJson(400, 'chunk must be a whole number from 1.')
  const finish = request.url.searchParams.get('finish') === 'true'
  const jobId = safeDecode(request.param)
  const result = store.appendChunk(jobId, Number(n), request.bytes, finish)
  switch (result.kind) {
    case 'unknown-job':
      return errorJson(404, `Upload job ${jobId} not found.`)
    case 'out-of-order':
      return errorJson(400, `Expected chunk ${result.expected}, got chunk ${n}.`)
    case 'conflict':
      return errorJson(409, `An item already exists at ${result.path}.`)
    case 'stored':
      return json(200, { jobId, chunk: Number(n), size: result.job.size })
    case 'finished':
      return json(200, { item: describe(result.item) })
  }
}

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

function validTitle(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' && !value.includes('/')
    ? value
    : undefined
}

function folderById(store: LibraryStore, id: unknown): StoredItem | undefined {
  const item = typeof id === 'string' ? store.byId(id) : undefined
  return item?.type === FOLDER_TYPE ? item : undefined
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
