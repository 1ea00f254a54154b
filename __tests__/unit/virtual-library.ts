import type { HttpRequest } from '../../src/spotfire/http.js'
import { json, type Reply } from './fake-transport.js'

interface Item {
  id: string
  title: string
  type: string
  path: string
  content: Buffer
}

interface UploadJob {
  id: string
  title: string
  type: string
  parentId: string
  overwrite: boolean
  chunks: number[]
  bytes: Buffer[]
  finished: boolean
}

/**
 * A Library REST API v2 in memory, for FakeTransport: items by path, folders, upload jobs that
 * append every chunk they get. `override` plays a fault: before the request is processed, or
 * (with `after`) once it has been, e.g. an answer lost after the server stored a chunk.
 */
export class VirtualLibrary {
  readonly items: Item[] = [
    { id: 'root', title: '', type: 'spotfire.folder', path: '/', content: Buffer.alloc(0) },
  ]
  readonly jobs: UploadJob[] = []
  /** Library API paths (after /library/v2) with their query, in order. */
  readonly calls: string[] = []
  override: ((request: HttpRequest, call: string) => Reply | undefined) | undefined
  after: ((request: HttpRequest, call: string, reply: Reply) => Reply | undefined) | undefined
  private next = 1

  readonly answer = (request: HttpRequest): Reply => {
    const url = new URL(request.url)
    const call = `${request.method} ${url.pathname.replace(/^.*\/library\/v2/, '')}${url.search}`
    this.calls.push(call)
    const overridden = this.override?.(request, call)
    if (overridden !== undefined) return overridden
    const reply = this.process(request, url)
    return this.after?.(request, call, reply) ?? reply
  }

  add(path: string, type: string, content = ''): Item {
    const item: Item = {
      id: `item-${this.next++}`,
      title: path.slice(path.lastIndexOf('/') + 1),
      type,
      path,
      content: Buffer.from(content),
    }
    this.items.push(item)
    return item
  }

  at(path: string): Item | undefined {
    return this.items.find((item) => item.path === path)
  }

  private process(request: HttpRequest, url: URL): Reply {
    const path = url.pathname.replace(/^.*\/library\/v2/, '')
    const body = request.body ?? ''
    if (request.method === 'GET' && path === '/items') {
      const type = url.searchParams.get('type')
      const found = this.items.filter(
        (item) =>
          item.path === url.searchParams.get('path') && (type === null || item.type === type),
      )
      if (found.length === 0) return json(404, { error: 'not found' })
      return json(200, { items: found.map(({ id, title, type: t }) => ({ id, title, type: t })) })
    }
    if (request.method === 'POST' && path === '/items') {
      const { title, type, parentId } = JSON.parse(String(body)) as Record<string, string>
      const parent = this.items.find((item) => item.id === parentId)
      if (parent === undefined || title === undefined) return json(400, { error: 'bad' })
      const at = `${parent.path === '/' ? '' : parent.path}/${title}`
      if (this.at(at) !== undefined) return json(409, { error: 'exists' })
      return json(201, { id: this.add(at, type ?? '').id })
    }
    if (request.method === 'POST' && path === '/upload') {
      const parsed = JSON.parse(String(body)) as {
        overwriteIfExists: boolean
        item: { title: string; type: string; parentId: string }
      }
      const job: UploadJob = {
        id: `job-${this.next++}`,
        ...parsed.item,
        overwrite: parsed.overwriteIfExists,
        chunks: [],
        bytes: [],
        finished: false,
      }
      this.jobs.push(job)
      return json(201, { jobId: job.id })
    }
    const chunkOf = /^\/upload\/([^/]+)$/.exec(path)
    const job = this.jobs.find((candidate) => candidate.id === chunkOf?.[1])
    if (job === undefined || job.finished) return json(404, { error: 'no such upload job' })
    job.chunks.push(Number(url.searchParams.get('chunk')))
    job.bytes.push(Buffer.from(typeof body === 'string' ? Buffer.from(body) : body))
    if (url.searchParams.get('finish') !== 'true') return json(200, {})
    job.finished = true
    const parent = this.items.find((item) => item.id === job.parentId)
    const at = `${parent?.path === '/' ? '' : (parent?.path ?? '')}/${job.title}`
    const existing = this.at(at)
    if (existing !== undefined && !job.overwrite) return json(409, { error: 'exists' })
    const item = existing ?? this.add(at, job.type)
    item.content = Buffer.concat(job.bytes)
    return json(200, { item: { id: item.id } })
  }
}
