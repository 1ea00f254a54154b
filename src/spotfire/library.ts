import type { ClientOptions } from './client.js'
import {
  authorizedCall,
  retryContextOf,
  type CallContent,
  type CallProgress,
} from './authorized-call.js'
import { SpotfireError } from './errors.js'
import type { HttpResponse } from './http.js'
import { httpError, isJsonAnswer, isTransient, notApiError, statusLine } from './responses.js'
import { backoffDelay, retry, type Backoff } from './retry.js'
import { shown } from './text.js'
import type { CallContext } from './token.js'
import { inputWords, type Vocabulary } from './types.js'

/*
 * The Library REST API v2 (Spotfire Server 14.0+), as two public clients and the community's mock
 * server use it. Nobody here has run it against a real server: every detail of the wire format
 * stays in this file.
 */

export const LIBRARY_READ_SCOPE = 'api.library.read'
export const LIBRARY_WRITE_SCOPE = 'api.library.write'

/** The item types this product uploads, and folders. */
export type LibraryItemType = 'spotfire.dxp' | 'spotfire.sbdf' | 'spotfire.mod' | 'spotfire.folder'

export const FOLDER_TYPE = 'spotfire.folder'

export interface LibraryItem {
  id: string
  title: string
  type: string
}

/** The same options as the jobs client's: both reach one server with one token cache. */
export type LibraryClientOptions = ClientOptions

/** What an upload job is for, kept so that a 409 at its finish can name the item. */
export interface UploadItem {
  title: string
  type: LibraryItemType
  parentId: string
  description?: string
}

/** The command that grants the library scopes, in the words of the Spotfire Server's config tool. */
export const LIBRARY_REGISTER_COMMAND = `config register-api-client -n <name> -S${LIBRARY_READ_SCOPE} -S${LIBRARY_WRITE_SCOPE}`

const JSON_TYPE = 'application/json'
const OCTET_STREAM = 'application/octet-stream'

/** Look-ups are safe to repeat: transient failures are retried until the caller's deadline. */
const LOOKUP_POLICY = {
  isRetryable: isTransient,
  maxAttempts: Number.MAX_SAFE_INTEGER,
  baseMs: 1000,
  maxMs: 10_000,
}

/** Folder creation and upload jobs back off as starts do. */
const WRITE_BACKOFF: Backoff = { baseMs: 1000, maxMs: 30_000 }

/**
 * Whether a failed call may have reached the server and been processed there: for a chunk, whether
 * the server may have appended it (then the upload job must not get it again).
 */
export function mayHaveReachedServer(error: SpotfireError): boolean {
  return error.kind !== 'not-sent' && error.kind !== 'credentials' && error.kind !== 'tls'
}

export class LibraryClient {
  private readonly base: string
  private readonly words: Vocabulary
  /** The items of the upload jobs begun and not finished: a 409 at the finish names its item. */
  private readonly uploads = new Map<string, UploadItem>()

  constructor(private readonly options: LibraryClientOptions) {
    this.base = `${options.serverUrl}/spotfire/api/rest/library/v2`
    this.words = options.words ?? inputWords
  }

  /**
   * GET /items?path=&type=&maxResults=1. undefined when nothing is there (the API's 404, or no item
   * of that type). Transient failures, and answers that are not the API's JSON, are retried until
   * the deadline.
   */
  find(
    path: string,
    type: LibraryItemType | undefined,
    context: CallContext,
  ): Promise<LibraryItem | undefined> {
    const query = new URLSearchParams({
      path,
      ...(type === undefined ? {} : { type }),
      maxResults: '1',
    })
    const label = `Looking up ${shown(path, 300)} in the library`
    return retry(
      async () => {
        const response = await this.call('GET', `/items?${query.toString()}`, context)
        if (response.status === 404) {
          if (!isJsonAnswer(response)) throw notApiError(response, 'the library API’s JSON')
          return undefined
        }
        if (response.status !== 200) throw this.failure(response, LIBRARY_READ_SCOPE)
        const items = readItems(response)
        if (items === undefined) throw notApiError(response, 'a list of library items')
        return items.find((item) => type === undefined || item.type === type)
      },
      { ...LOOKUP_POLICY, label },
      retryContextOf(this.options, context),
    )
  }

  /**
   * POST /items: a folder `title` in `parentId` (at `parentPath`). A 409 (it exists: someone made it
   * meanwhile) answers the folder that is there. A request whose answer was lost is not sent again
   * blindly: the folder is looked up first, and asked for again only when it is not there.
   */
  async createFolder(
    parentPath: string,
    parentId: string,
    title: string,
    context: CallContext,
  ): Promise<LibraryItem> {
    const path = childPath(parentPath, title)
    const content = jsonContent({ title, type: FOLDER_TYPE, parentId, description: '' })
    const label = `Creating the library folder ${shown(path, 300)}`
    for (let attempt = 0; ; attempt++) {
      let error: SpotfireError
      try {
        const response = await this.call('POST', '/items', context, content)
        if (response.status === 409) return await this.existingFolder(path, response, context)
        if (response.status < 200 || response.status >= 300) {
          throw this.failure(response, LIBRARY_WRITE_SCOPE)
        }
        const id = readString(response, 'id')
        if (id !== undefined) return { id, title, type: FOLDER_TYPE }
        error = notApiError(response, 'the new folder’s id')
      } catch (thrown) {
        if (!(thrown instanceof SpotfireError) || !isTransient(thrown)) throw thrown
        error = thrown
      }
      await this.pause(label, error, attempt, context)
      if (mayHaveBeenProcessed(error)) {
        const found = await this.find(path, FOLDER_TYPE, context)
        if (found !== undefined) return found
      }
    }
  }

  /**
   * POST /upload: an upload job for `item`, its id. Sent again only when it cannot have been
   * processed (nothing sent, 429, 503 with Retry-After), as a job start.
   */
  async beginUpload(item: UploadItem, overwrite: boolean, context: CallContext): Promise<string> {
    const content = jsonContent({
      overwriteIfExists: overwrite,
      item: {
        title: item.title,
        type: item.type,
        parentId: item.parentId,
        description: item.description ?? '',
      },
    })
    const label = `Beginning the upload of ${shown(item.title, 300)}`
    for (let attempt = 0; ; attempt++) {
      let error: SpotfireError
      try {
        const response = await this.call('POST', '/upload', context, content)
        if (response.status < 200 || response.status >= 300) {
          throw this.failure(response, LIBRARY_WRITE_SCOPE)
        }
        const jobId = readString(response, 'jobId')
        if (jobId === undefined) throw notApiError(response, 'an upload job id')
        this.uploads.set(jobId, item)
        return jobId
      } catch (thrown) {
        if (!(thrown instanceof SpotfireError) || mayHaveBeenProcessed(thrown)) throw thrown
        error = thrown
      }
      if (!isTransient(error)) throw error
      await this.pause(label, error, attempt, context)
    }
  }

  /**
   * POST /upload/{jobId}?chunk=n&finish=..., the bytes as they are. Never sent twice: the server
   * appends every chunk it receives. A failure's kind says whether the chunk may have reached the
   * server (see mayHaveReachedServer): only 'not-sent' means surely not, and a token that could
   * not be had counts as that. With `finish`, answers the item's id.
   */
  async sendChunk(
    jobId: string,
    chunk: number,
    bytes: Uint8Array,
    finish: boolean,
    context: CallContext,
  ): Promise<{ itemId?: string }> {
    const query = new URLSearchParams({ chunk: String(chunk), finish: String(finish) })
    const path = `/upload/${encodeURIComponent(jobId)}?${query.toString()}`
    const progress: CallProgress = { phase: 'token' }
    let response: HttpResponse
    try {
      response = await this.call(
        'POST',
        path,
        context,
        { body: bytes, contentType: OCTET_STREAM },
        progress,
      )
    } catch (error) {
      if (!(error instanceof SpotfireError)) throw error
      // No token, no chunk sent: a passing failure, or the wait for one that ran out.
      if (progress.phase === 'token' && (isTransient(error) || error.kind === 'stopped')) {
        throw new SpotfireError(
          `no token to send chunk ${chunk} with: ${error.message}`,
          'not-sent',
          error.details,
        )
      }
      throw error
    }
    const item = this.uploads.get(jobId)
    if (response.status === 409 && finish) {
      this.uploads.delete(jobId)
      const named = item === undefined ? 'the item' : shown(item.title, 300)
      throw new SpotfireError(
        `${statusLine(409)}: the library already holds ${named} in that folder, and overwriting it was not asked for (${this.words.setting('library-overwrite', 'true')} replaces it)`,
        'http',
        { status: 409 },
      )
    }
    if (response.status === 404 && isJsonAnswer(response)) {
      this.uploads.delete(jobId)
      throw new SpotfireError(
        `${statusLine(404)}: the server does not know upload job ${shown(jobId, 100)} (any more)`,
        'http',
        { status: 404 },
      )
    }
    if (response.status < 200 || response.status >= 300) {
      throw this.failure(response, LIBRARY_WRITE_SCOPE)
    }
    if (!finish) {
      // What a chunk's answer holds is not documented: any JSON of the API's, or nothing.
      if (response.body.trim() !== '' && !isJsonAnswer(response)) {
        throw notApiError(response, 'the library API’s answer to a chunk')
      }
      return {}
    }
    if (!isJsonAnswer(response)) throw notApiError(response, 'the uploaded item')
    this.uploads.delete(jobId)
    const itemId = readItemId(response.body)
    return itemId === undefined ? {} : { itemId }
  }

  private call(
    method: 'GET' | 'POST',
    path: string,
    context: CallContext,
    content?: CallContent,
    progress?: CallProgress,
  ): Promise<HttpResponse> {
    return authorizedCall(
      this.options,
      { method, url: `${this.base}${path}`, ...(content === undefined ? {} : { content }) },
      context,
      progress,
    )
  }

  /** An answer outside the call's success: 403 names the scope; 3xx/4xx/5xx as any HTTP error. */
  private failure(response: HttpResponse, scope: string): SpotfireError {
    const now = this.options.clock.wallNow()
    if (response.status === 403) {
      return httpError(
        response,
        now,
        `the API client may not ${scope === LIBRARY_READ_SCOPE ? 'look items up in' : 'write to'} the library: it needs scope ${scope}. Register it with the library scopes: ${LIBRARY_REGISTER_COMMAND}`,
        this.words,
      )
    }
    // A 404 or a 2xx that is not JSON is a proxy's or a container's page, not the API's word.
    if (!isJsonAnswer(response) && (response.status === 404 || response.status < 300)) {
      return notApiError(response, 'the library API’s JSON')
    }
    return httpError(response, now, undefined, this.words)
  }

  private async existingFolder(
    path: string,
    response: HttpResponse,
    context: CallContext,
  ): Promise<LibraryItem> {
    const found = await this.find(path, FOLDER_TYPE, context)
    if (found !== undefined) return found
    throw new SpotfireError(
      `${statusLine(response.status)}: the library says ${shown(path, 300)} exists, but it is not a folder`,
      'http',
      { status: response.status },
    )
  }

  /** Waits before trying again; throws `error` when the pause would pass the deadline. */
  private async pause(
    label: string,
    error: SpotfireError,
    attempt: number,
    context: CallContext,
  ): Promise<void> {
    const { clock } = this.options
    const delayMs = backoffDelay(
      attempt,
      WRITE_BACKOFF,
      this.options.random ?? Math.random,
      error.details.retryAfterMs,
    )
    const stopped = (): boolean => context.signal?.aborted === true
    if (stopped() || clock.now() + delayMs >= context.deadline) throw error
    this.options.logger.info(
      `${label}: ${error.message}. Trying again in ${Math.ceil(delayMs / 100) / 10} s.`,
    )
    await clock.sleep(delayMs, context.signal)
    if (stopped()) throw error
  }
}

/**
 * Whether a failed write may have been carried out by the server. Only a request never sent, and
 * answers that say the server took nothing (429; 503 with Retry-After, a balancer with no backend),
 * prove it was not.
 */
function mayHaveBeenProcessed(error: SpotfireError): boolean {
  if (error.kind === 'not-sent') return false
  // A token that could not be had: the request itself never went out.
  if (error.kind === 'token' || error.kind === 'credentials') return false
  const status = error.details.status
  if (
    error.kind === 'http' &&
    (status === 429 || (status === 503 && error.details.retryAfterMs !== undefined))
  ) {
    return false
  }
  return true
}

function childPath(parentPath: string, title: string): string {
  const parent = parentPath.replace(/\/+$/, '')
  return `${parent}/${title}`
}

function jsonContent(value: unknown): CallContent {
  return { body: JSON.stringify(value), contentType: JSON_TYPE }
}

function parseObject(response: HttpResponse): Record<string, unknown> | undefined {
  if (!isJsonAnswer(response)) return undefined
  const value: unknown = JSON.parse(response.body)
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/** A non-empty string field of the answer's JSON object. */
function readString(response: HttpResponse, field: string): string | undefined {
  const value = parseObject(response)?.[field]
  return typeof value === 'string' && value !== '' ? value : undefined
}

function readItems(response: HttpResponse): LibraryItem[] | undefined {
  const items = parseObject(response)?.items
  if (!Array.isArray(items)) return undefined
  const result: LibraryItem[] = []
  for (const item of items as unknown[]) {
    if (typeof item !== 'object' || item === null) return undefined
    const { id, title, type } = item as Record<string, unknown>
    if (typeof id !== 'string' || id === '' || typeof type !== 'string') return undefined
    result.push({ id, title: typeof title === 'string' ? title : '', type })
  }
  return result
}

function readItemId(body: string): string | undefined {
  const value: unknown = JSON.parse(body)
  const item = (value as { item?: unknown }).item
  const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined
  return typeof id === 'string' && id !== '' ? id : undefined
}
