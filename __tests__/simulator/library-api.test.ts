import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  DEFAULT_CLIENT,
  EXECUTE_SCOPE,
  KEEP_BYTES_UP_TO,
  startSimulator,
  type SimulatorOptions,
  type Simulator,
} from '../../src/simulator/index.js'
import { call, getToken, requestToken, type Answer } from './helpers.js'

const API = '/spotfire/api/rest/library/v2'

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator(options)
  return sim
}

async function send(
  target: Simulator,
  token: string,
  path: string,
  bytes: Uint8Array,
): Promise<Answer> {
  const response = await fetch(`${target.url}${API}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream' },
    body: bytes,
  })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text) as unknown
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

const postJson = (target: Simulator, token: string, path: string, value: unknown) =>
  call(target, 'POST', `${API}${path}`, token, {
    body: JSON.stringify(value),
    contentType: 'application/json',
  })

const find = (target: Simulator, token: string, query: string) =>
  call(target, 'GET', `${API}/items?${query}`, token)

async function begin(
  target: Simulator,
  token: string,
  item: { title: string; type?: string; parentId: string },
  overwrite = false,
): Promise<string> {
  const answer = await postJson(target, token, '/upload', {
    overwriteIfExists: overwrite,
    item: { type: 'spotfire.dxp', description: '', ...item },
  })
  expect(answer.status).toBe(201)
  return (answer.json as { jobId: string }).jobId
}

const ROOT = '00000000-0000-0000-0000-000000000001'

describe('items by path', () => {
  it('has the root folder, answers 404 where nothing is, and finds seeded items by type', async () => {
    const target = await start({
      libraryItems: [
        { path: '/Sales/', type: 'spotfire.folder' },
        { path: '/Sales/Weekly', type: 'spotfire.dxp', content: Buffer.from('analysis') },
      ],
    })
    const token = await getToken(target)
    const root = await find(target, token, 'path=%2F&maxResults=1')
    expect(root.status).toBe(200)
    expect(root.json).toMatchObject({ items: [{ id: ROOT, type: 'spotfire.folder' }] })
    expect((await find(target, token, 'path=%2FNowhere')).status).toBe(404)
    expect((await find(target, token, 'path=%2FNowhere')).json).toHaveProperty('error')
    const weekly = await find(
      target,
      token,
      'path=%2FSales%2FWeekly&type=spotfire.dxp&maxResults=1',
    )
    expect(weekly.json).toMatchObject({
      items: [{ title: 'Weekly', type: 'spotfire.dxp', size: 8 }],
    })
    expect((await find(target, token, 'path=%2FSales%2FWeekly&type=spotfire.sbdf')).status).toBe(
      404,
    )
    const stored = target.libraryStore.find('/Sales/Weekly')
    expect(stored?.content?.bytes?.toString()).toBe('analysis')
    expect(stored?.parentId).toBe(target.libraryStore.find('/Sales')?.id)
  })
})

describe('folders', () => {
  it('creates a folder (201 with its id), and answers 409 for one that exists', async () => {
    const target = await start()
    const token = await getToken(target)
    const folder = { title: 'Sales', type: 'spotfire.folder', parentId: ROOT, description: '' }
    const created = await postJson(target, token, '/items', folder)
    expect(created.status).toBe(201)
    const { id } = created.json as { id: string }
    expect(target.libraryStore.find('/Sales', 'spotfire.folder')?.id).toBe(id)
    expect((await postJson(target, token, '/items', folder)).status).toBe(409)
    const missingParent = await postJson(target, token, '/items', { ...folder, parentId: 'nope' })
    expect(missingParent.status).toBe(404)
  })
})

describe('uploads', () => {
  it('appends chunks in order and makes the item at the finish', async () => {
    const target = await start()
    const token = await getToken(target)
    const jobId = await begin(target, token, { title: 'Weekly', parentId: ROOT })
    const first = await send(
      target,
      token,
      `/upload/${jobId}?chunk=1&finish=false`,
      Buffer.from([0, 255]),
    )
    expect(first.status).toBe(200)
    expect(first.json).toMatchObject({ chunk: 1 })
    const last = await send(
      target,
      token,
      `/upload/${jobId}?chunk=2&finish=true`,
      Buffer.from([128, 1]),
    )
    expect(last.status).toBe(200)
    const { id } = (last.json as { item: { id: string } }).item
    const item = target.libraryStore.find('/Weekly', 'spotfire.dxp')
    expect(item?.id).toBe(id)
    expect(item?.content?.bytes).toEqual(Buffer.from([0, 255, 128, 1]))
    expect(target.libraryStore.uploads[0]).toMatchObject({ chunks: [1, 2], state: 'finished' })
    // A finished job takes no more chunks.
    const after = await send(
      target,
      token,
      `/upload/${jobId}?chunk=3&finish=true`,
      Buffer.from('x'),
    )
    expect(after.status).toBe(404)
    expect(
      (await send(target, token, '/upload/unknown?chunk=1&finish=true', Buffer.from('x'))).status,
    ).toBe(404)
  })

  it('refuses a chunk out of order, and stores nothing of it', async () => {
    const target = await start()
    const token = await getToken(target)
    const jobId = await begin(target, token, { title: 'Weekly', parentId: ROOT })
    const skipped = await send(
      target,
      token,
      `/upload/${jobId}?chunk=2&finish=false`,
      Buffer.from('x'),
    )
    expect(skipped.status).toBe(400)
    expect(target.libraryStore.uploads[0]).toMatchObject({ chunks: [], size: 0 })
  })

  it('answers 409 at the finish for an existing item; with overwrite the item keeps its id', async () => {
    const target = await start({
      libraryItems: [{ path: '/Weekly', type: 'spotfire.dxp', content: Buffer.from('old') }],
    })
    const token = await getToken(target)
    const existing = target.libraryStore.find('/Weekly')
    const refused = await begin(target, token, { title: 'Weekly', parentId: ROOT })
    const conflict = await send(
      target,
      token,
      `/upload/${refused}?chunk=1&finish=true`,
      Buffer.from('new'),
    )
    expect(conflict.status).toBe(409)
    expect(existing?.content?.bytes?.toString()).toBe('old')

    const replacing = await begin(target, token, { title: 'Weekly', parentId: ROOT }, true)
    const done = await send(
      target,
      token,
      `/upload/${replacing}?chunk=1&finish=true`,
      Buffer.from('new'),
    )
    expect(done.status).toBe(200)
    expect((done.json as { item: { id: string } }).item.id).toBe(existing?.id)
    expect(existing?.content?.bytes?.toString()).toBe('new')
    expect(existing?.overwrites).toBe(1)
    expect(target.libraryStore.items.filter((item) => item.path === '/Weekly')).toHaveLength(1)
  })

  it('keeps only the size and SHA-256 of a large upload, and records no chunk bodies', async () => {
    const target = await start()
    const token = await getToken(target)
    const jobId = await begin(target, token, {
      title: 'Big',
      type: 'spotfire.sbdf',
      parentId: ROOT,
    })
    const chunk = Buffer.alloc(8 * 1024 * 1024, 7)
    const hash = createHash('sha256')
    for (let n = 1; n <= 5; n++) {
      const answer = await send(
        target,
        token,
        `/upload/${jobId}?chunk=${n}&finish=${n === 5}`,
        chunk,
      )
      expect(answer.status).toBe(200)
      hash.update(chunk)
    }
    const item = target.libraryStore.find('/Big', 'spotfire.sbdf')
    expect(item?.content).toEqual({ size: 40 * 1024 * 1024, sha256: hash.digest('hex') })
    expect(40 * 1024 * 1024).toBeGreaterThan(KEEP_BYTES_UP_TO)
    expect(target.libraryStore.uploads[0]?.parts).toBeUndefined()
    const chunks = target.requests.filter((request) => request.endpoint === 'upload-chunk')
    expect(chunks.map((request) => [request.body, request.bodyBytes])).toEqual(
      Array.from({ length: 5 }, () => ['', chunk.length]),
    )
  })
})

describe('scopes', () => {
  it('needs api.library.read to look up and api.library.write to create and upload', async () => {
    const target = await start({
      clients: [{ ...DEFAULT_CLIENT, scopes: [EXECUTE_SCOPE, 'api.library.read'] }],
    })
    const token = await getToken(target)
    expect((await find(target, token, 'path=%2F')).status).toBe(200)
    const folder = await postJson(target, token, '/items', {
      title: 'Sales',
      type: 'spotfire.folder',
      parentId: ROOT,
    })
    expect(folder.status).toBe(403)
    expect(folder.headers.get('www-authenticate')).toContain('scope="api.library.write"')
    const upload = await postJson(target, token, '/upload', {
      item: { title: 'X', type: 'spotfire.dxp', parentId: ROOT },
    })
    expect(upload.status).toBe(403)
    expect(target.libraryStore.uploads).toHaveLength(0)

    const jobsOnly = await requestToken(target, {
      grant_type: 'client_credentials',
      scope: EXECUTE_SCOPE,
    })
    const executeToken = (jobsOnly.json as { access_token: string }).access_token
    const refused = await find(target, executeToken, 'path=%2F')
    expect(refused.status).toBe(403)
    expect(refused.json).toEqual({ error: 'The token lacks scope api.library.read.' })
  })

  it('the default client may use the library', async () => {
    const target = await start()
    const token = await getToken(target)
    expect((await find(target, token, 'path=%2F')).status).toBe(200)
  })
})

describe('faults on library routes', () => {
  it('plays the fault machinery on every library endpoint', async () => {
    const target = await start({
      faults: {
        'library-items': { 1: { type: 'http', status: 502, html: true } },
        'library-folder': { 1: { type: 'http', status: 429, retryAfter: '3' } },
        'upload-begin': { 1: { type: 'truncated' } },
        'upload-chunk': { 1: { type: 'http', status: 503 } },
      },
    })
    const token = await getToken(target)
    const page = await find(target, token, 'path=%2F')
    expect([page.status, page.headers.get('content-type')]).toEqual([
      502,
      'text/html; charset=utf-8',
    ])
    const throttled = await postJson(target, token, '/items', {
      title: 'Sales',
      type: 'spotfire.folder',
      parentId: ROOT,
    })
    expect([throttled.status, throttled.headers.get('retry-after')]).toEqual([429, '3'])
    expect(target.libraryStore.find('/Sales')).toBeUndefined()
    const cut = await postJson(target, token, '/upload', {
      item: { title: 'X', type: 'spotfire.dxp', parentId: ROOT },
    })
    expect(cut.status).toBe(200)
    expect(cut.json).toBeUndefined()
    // Processed all the same: the job exists.
    const jobId = target.libraryStore.uploads[0]?.jobId ?? ''
    expect(jobId).not.toBe('')
    const refused = await send(
      target,
      token,
      `/upload/${jobId}?chunk=1&finish=false`,
      Buffer.from('x'),
    )
    expect(refused.status).toBe(503)
    expect(target.libraryStore.uploads[0]?.chunks).toEqual([])
  })

  it('a reset after a chunk was stored leaves the chunk in the job', async () => {
    const target = await start({ faults: { 'upload-chunk': { 2: { type: 'reset-after' } } } })
    const token = await getToken(target)
    const jobId = await begin(target, token, { title: 'Weekly', parentId: ROOT })
    await send(target, token, `/upload/${jobId}?chunk=1&finish=false`, Buffer.from('ab'))
    await expect(
      send(target, token, `/upload/${jobId}?chunk=2&finish=false`, Buffer.from('cd')),
    ).rejects.toThrow()
    expect(target.libraryStore.uploads[0]).toMatchObject({ chunks: [1, 2], size: 4 })
  })
})
