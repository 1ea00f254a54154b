import { describe, expect, it } from '@jest/globals'
import { SpotfireError } from '../../src/spotfire/errors.js'
import {
  LIBRARY_READ_SCOPE,
  LIBRARY_WRITE_SCOPE,
  LibraryClient,
  mayHaveReachedServer,
} from '../../src/spotfire/library.js'
import { clientOptions } from './client-fixture.js'
import { FakeClock, T0 } from './fake-clock.js'
import { FakeTransport, headerOf, json, text } from './fake-transport.js'
import { VirtualLibrary } from './virtual-library.js'

const SERVER = 'https://spotfire.example.com'
const context = { deadline: T0 + 10 * 60_000 }

function setup(options: { tokenFails?: boolean } = {}): {
  client: LibraryClient
  library: VirtualLibrary
  transport: FakeTransport
  clock: FakeClock
} {
  const library = new VirtualLibrary()
  const transport = new FakeTransport([], {
    autoTokens: options.tokenFails !== true,
    otherwise: (request) =>
      request.url.endsWith('/oauth2/token')
        ? new SpotfireError('connection reset', 'no-answer')
        : library.answer(request),
  })
  const clock = new FakeClock()
  const client = new LibraryClient(
    clientOptions(SERVER, transport, clock, `${LIBRARY_READ_SCOPE} ${LIBRARY_WRITE_SCOPE}`),
  )
  return { client, library, transport, clock }
}

async function errorOf(promise: Promise<unknown>): Promise<SpotfireError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof SpotfireError)) {
    throw new Error(`expected a SpotfireError, got ${String(error)}`)
  }
  return error
}

const lost = (): SpotfireError =>
  new SpotfireError(
    'connection to POST https://spotfire.example.com failed (ECONNRESET)',
    'no-answer',
    {
      code: 'ECONNRESET',
    },
  )
const proxyPage = (status: number): ReturnType<typeof text> =>
  text(status, `<!DOCTYPE html><html><body><h1>${status}</h1>proxy</body></html>`)

describe('LibraryClient.find', () => {
  it('looks an item up by path and type, one result, with the bearer token', async () => {
    const { client, library, transport } = setup()
    const item = library.add('/Sales/Weekly report', 'spotfire.dxp')
    await expect(client.find('/Sales/Weekly report', 'spotfire.dxp', context)).resolves.toEqual({
      id: item.id,
      title: 'Weekly report',
      type: 'spotfire.dxp',
    })
    const [request] = transport.apiRequests()
    const url = new URL(request?.url ?? '')
    expect(url.pathname).toBe('/spotfire/api/rest/library/v2/items')
    expect(Object.fromEntries(url.searchParams)).toEqual({
      path: '/Sales/Weekly report',
      type: 'spotfire.dxp',
      maxResults: '1',
    })
    expect(headerOf(request, 'authorization')).toBe('Bearer token-1')
  })

  it('answers undefined for the API’s 404 and for an empty list', async () => {
    const { client, library } = setup()
    await expect(client.find('/Nowhere', 'spotfire.dxp', context)).resolves.toBeUndefined()
    library.override = () => json(200, { items: [] })
    await expect(client.find('/Nowhere', undefined, context)).resolves.toBeUndefined()
  })

  it('finds the root folder, and leaves the type out when none is given', async () => {
    const { client, library } = setup()
    await expect(client.find('/', undefined, context)).resolves.toMatchObject({ id: 'root' })
    expect(library.calls).toEqual(['GET /items?path=%2F&maxResults=1'])
  })

  it('takes a proxy’s HTML 404 or 200 page for a passing fault, not for “nothing there”', async () => {
    const { client, library, clock } = setup()
    library.add('/Data/Sales', 'spotfire.sbdf')
    const pages = [proxyPage(404), proxyPage(200), json(200, { unexpected: true })]
    library.override = () => pages.shift()
    await expect(client.find('/Data/Sales', 'spotfire.sbdf', context)).resolves.toMatchObject({
      title: 'Sales',
    })
    expect(library.calls).toHaveLength(4)
    // Three pauses between tries (the fourth sleep is the token's wait, up to the deadline).
    expect(clock.sleeps.filter((ms) => ms < 60_000)).toHaveLength(3)
  })

  it('gets a fresh token once after a 401', async () => {
    const { client, library, transport } = setup()
    let refused = false
    library.override = () => {
      if (refused) return undefined
      refused = true
      return json(401, { error: 'Unauthorized' })
    }
    await expect(client.find('/', undefined, context)).resolves.toMatchObject({ id: 'root' })
    expect(transport.tokenRequests()).toHaveLength(2)
  })

  it('names the read scope and the command that grants it on a 403', async () => {
    const { client, library } = setup()
    library.override = () => json(403, { error: 'Forbidden' })
    const error = await errorOf(client.find('/', undefined, context))
    expect(error.details.status).toBe(403)
    expect(error.message).toContain('scope api.library.read')
    expect(error.message).toContain(
      'config register-api-client -n <name> -Sapi.library.read -Sapi.library.write',
    )
    expect(library.calls).toHaveLength(1)
  })
})

describe('LibraryClient.createFolder', () => {
  it('creates a folder in its parent and answers its id', async () => {
    const { client, library, transport } = setup()
    const folder = await client.createFolder('/', 'root', 'Sales', context)
    expect(folder).toEqual({
      id: library.at('/Sales')?.id,
      title: 'Sales',
      type: 'spotfire.folder',
    })
    const [request] = transport.apiRequests()
    expect(headerOf(request, 'content-type')).toBe('application/json')
    expect(JSON.parse(String(request?.body))).toEqual({
      title: 'Sales',
      type: 'spotfire.folder',
      parentId: 'root',
      description: '',
    })
  })

  it('on a 409 looks the folder up again and answers the one someone else made', async () => {
    const { client, library } = setup()
    const sales = library.add('/Sales', 'spotfire.folder')
    const weekly = library.add('/Sales/Weekly', 'spotfire.folder')
    await expect(client.createFolder('/Sales', sales.id, 'Weekly', context)).resolves.toEqual({
      id: weekly.id,
      title: 'Weekly',
      type: 'spotfire.folder',
    })
    expect(library.calls).toEqual([
      'POST /items',
      'GET /items?path=%2FSales%2FWeekly&type=spotfire.folder&maxResults=1',
    ])
  })

  it('on a 409 for something that is not a folder says so', async () => {
    const { client, library } = setup()
    library.add('/Sales', 'spotfire.dxp')
    const error = await errorOf(client.createFolder('/', 'root', 'Sales', context))
    expect(error.details.status).toBe(409)
    expect(error.message).toContain('/Sales exists, but it is not a folder')
  })

  it('after a lost answer looks first, and does not ask again for a folder the server made', async () => {
    const { client, library } = setup()
    library.after = (_request, call) => (call === 'POST /items' ? lost() : undefined)
    const folder = await client.createFolder('/', 'root', 'Sales', context)
    expect(folder.id).toBe(library.at('/Sales')?.id)
    expect(library.calls.filter((call) => call === 'POST /items')).toHaveLength(1)
    expect(library.items.filter((item) => item.path === '/Sales')).toHaveLength(1)
  })

  it('after a lost request that made nothing, looks, then asks again', async () => {
    const { client, library } = setup()
    let first = true
    library.override = (_request, call) => {
      if (call !== 'POST /items' || !first) return undefined
      first = false
      return proxyPage(502)
    }
    const folder = await client.createFolder('/', 'root', 'Sales', context)
    expect(folder.id).toBe(library.at('/Sales')?.id)
    expect(library.calls).toEqual([
      'POST /items',
      'GET /items?path=%2FSales&type=spotfire.folder&maxResults=1',
      'POST /items',
    ])
  })

  it('sends again without looking when the answer proves nothing was done (429)', async () => {
    const { client, library } = setup()
    let first = true
    library.override = () => {
      if (!first) return undefined
      first = false
      return json(429, { error: 'slow down' }, { 'retry-after': '2' })
    }
    await client.createFolder('/', 'root', 'Sales', context)
    expect(library.calls).toEqual(['POST /items', 'POST /items'])
  })

  it('names the write scope on a 403', async () => {
    const { client, library } = setup()
    library.override = () => json(403, { error: 'Forbidden' })
    const error = await errorOf(client.createFolder('/', 'root', 'Sales', context))
    expect(error.message).toContain('scope api.library.write')
    expect(error.message).toContain('config register-api-client')
  })
})

describe('LibraryClient uploads', () => {
  const item = { title: 'Weekly', type: 'spotfire.dxp' as const, parentId: 'root' }

  it('begins an upload job, sends the chunks in order as bytes, and answers the item id', async () => {
    const { client, library, transport } = setup()
    const jobId = await client.beginUpload(item, false, context)
    expect(JSON.parse(String(transport.apiRequests()[0]?.body))).toEqual({
      overwriteIfExists: false,
      item: { title: 'Weekly', type: 'spotfire.dxp', parentId: 'root', description: '' },
    })
    const bytes = [new Uint8Array([0xff, 0x00, 0x80]), new Uint8Array([0xc3, 0x28])]
    await expect(
      client.sendChunk(jobId, 1, bytes[0] ?? new Uint8Array(), false, context),
    ).resolves.toEqual({})
    const finished = await client.sendChunk(jobId, 2, bytes[1] ?? new Uint8Array(), true, context)
    const stored = library.at('/Weekly')
    expect(finished).toEqual({ itemId: stored?.id })
    expect(library.calls.slice(1)).toEqual([
      `POST /upload/${jobId}?chunk=1&finish=false`,
      `POST /upload/${jobId}?chunk=2&finish=true`,
    ])
    const chunk = transport.apiRequests()[1]
    expect(headerOf(chunk, 'content-type')).toBe('application/octet-stream')
    expect(chunk?.body).toBe(bytes[0])
    expect(stored?.content).toEqual(Buffer.from([0xff, 0x00, 0x80, 0xc3, 0x28]))
  })

  it('overwrites an item in place when asked', async () => {
    const { client, library } = setup()
    const existing = library.add('/Weekly', 'spotfire.dxp', 'old')
    const jobId = await client.beginUpload(item, true, context)
    await expect(client.sendChunk(jobId, 1, Buffer.from('new'), true, context)).resolves.toEqual({
      itemId: existing.id,
    })
    expect(existing.content.toString()).toBe('new')
  })

  it('a 409 at the finish names the item and how to replace it', async () => {
    const { client, library } = setup()
    library.add('/Weekly', 'spotfire.dxp', 'old')
    const jobId = await client.beginUpload(item, false, context)
    const error = await errorOf(client.sendChunk(jobId, 1, Buffer.from('new'), true, context))
    expect(error.details.status).toBe(409)
    expect(error.message).toContain('already holds Weekly')
    expect(error.message).toContain('library-overwrite: true')
    expect(library.at('/Weekly')?.content.toString()).toBe('old')
  })

  it('begins again only when the request cannot have been processed', async () => {
    const { client, library } = setup()
    const faults = [json(503, { error: 'down' }, { 'retry-after': '1' })]
    library.override = () => faults.shift()
    await client.beginUpload(item, false, context)
    expect(library.jobs).toHaveLength(1)
    expect(library.calls).toEqual(['POST /upload', 'POST /upload'])

    library.after = () => lost()
    const error = await errorOf(client.beginUpload(item, false, context))
    expect(error.kind).toBe('no-answer')
    expect(library.calls).toHaveLength(3)
  })

  it('never sends a chunk again whose answer was lost: the server has it', async () => {
    const { client, library } = setup()
    const jobId = await client.beginUpload(item, false, context)
    await client.sendChunk(jobId, 1, Buffer.from('ab'), false, context)
    library.after = (_request, call) => (call.includes('chunk=2') ? lost() : undefined)
    const error = await errorOf(client.sendChunk(jobId, 2, Buffer.from('cd'), false, context))
    expect(error.kind).toBe('no-answer')
    expect(mayHaveReachedServer(error)).toBe(true)
    expect(library.calls.filter((call) => call.includes('chunk=2'))).toHaveLength(1)
    expect(library.jobs[0]?.chunks).toEqual([1, 2])
  })

  it('a chunk answered by a proxy page or a 5xx is not sent again, and may have arrived', async () => {
    const { client, library } = setup()
    const jobId = await client.beginUpload(item, false, context)
    for (const [n, answer] of [
      [1, proxyPage(200)],
      [2, proxyPage(502)],
      [3, json(500, { error: 'oops' })],
    ] as const) {
      library.override = () => answer
      const error = await errorOf(client.sendChunk(jobId, n, Buffer.from('x'), false, context))
      expect(mayHaveReachedServer(error)).toBe(true)
    }
    expect(library.calls).toHaveLength(4)
  })

  it('a chunk that never left says so: it may go again into the same job', async () => {
    const { client, library } = setup()
    const jobId = await client.beginUpload(item, false, context)
    library.override = () =>
      new SpotfireError('cannot connect (ECONNREFUSED)', 'not-sent', { code: 'ECONNREFUSED' })
    const error = await errorOf(client.sendChunk(jobId, 1, Buffer.from('x'), false, context))
    expect(error.kind).toBe('not-sent')
    expect(mayHaveReachedServer(error)).toBe(false)
  })

  it('a chunk with no token to send it with was not sent', async () => {
    const { client } = setup({ tokenFails: true })
    const error = await errorOf(client.sendChunk('job-1', 1, Buffer.from('x'), false, context))
    expect(error.kind).toBe('not-sent')
    expect(error.message).toContain('no token to send chunk 1 with')
  })

  it('a chunk for an upload job the server dropped is a 404 that says so', async () => {
    const { client } = setup()
    const error = await errorOf(client.sendChunk('job-gone', 1, Buffer.from('x'), false, context))
    expect(error.details.status).toBe(404)
    expect(error.message).toContain('does not know upload job job-gone')
  })

  it('names the write scope on a 403 to an upload', async () => {
    const { client, library } = setup()
    library.override = () => json(403, { error: 'Forbidden' })
    const error = await errorOf(client.beginUpload(item, false, context))
    expect(error.message).toContain('scope api.library.write')
    expect(error.message).toContain('-Sapi.library.write')
  })

  it('a finish answered with a proxy’s 200 HTML page is not taken for the item', async () => {
    const { client, library } = setup()
    const jobId = await client.beginUpload(item, false, context)
    library.override = () => proxyPage(200)
    const error = await errorOf(client.sendChunk(jobId, 1, Buffer.from('x'), true, context))
    expect(error.kind).toBe('not-api')
  })
})

it('the token endpoint is asked once for many library calls', async () => {
  const { client, transport } = setup()
  await client.find('/', undefined, context)
  await client.find('/', undefined, context)
  expect(transport.tokenRequests()).toHaveLength(1)
})
