import { afterEach, expect, it } from '@jest/globals'
import { systemClock } from '../../src/shared/clock.js'
import { startSimulator, type FaultPlan, type Simulator } from '../../src/simulator/index.js'
import { SpotfireError } from '../../src/spotfire/errors.js'
import { createTransport, type Transport } from '../../src/spotfire/http.js'
import {
  LIBRARY_READ_SCOPE,
  LIBRARY_WRITE_SCOPE,
  LibraryClient,
  mayHaveReachedServer,
} from '../../src/spotfire/library.js'
import { TokenProvider } from '../../src/spotfire/token.js'
import { silentLogger } from '../../src/spotfire/types.js'

/** The library client against the simulator's Library REST API v2, over real sockets. */

let sim: Simulator | undefined
let transport: Transport | undefined
afterEach(async () => {
  transport?.dispose()
  await sim?.close()
  sim = undefined
  transport = undefined
})

async function setup(faults: FaultPlan): Promise<{ client: LibraryClient; target: Simulator }> {
  const target = await startSimulator({ faults })
  sim = target
  transport = createTransport({ requestTimeoutMs: 10_000, userAgent: 'test' })
  const tokens = new TokenProvider({
    serverUrl: target.url,
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    authMethod: 'basic',
    scope: `${LIBRARY_READ_SCOPE} ${LIBRARY_WRITE_SCOPE}`,
    transport,
    clock: systemClock,
    logger: silentLogger,
    onToken: () => undefined,
  })
  const client = new LibraryClient({
    serverUrl: target.url,
    transport,
    tokens,
    clock: systemClock,
    logger: silentLogger,
  })
  return { client, target }
}

/** As the upload flow does it: after a chunk that may have arrived, a new job from chunk 1. */
async function upload(
  client: LibraryClient,
  parentId: string,
  file: Buffer,
  chunkBytes: number,
): Promise<{ itemId?: string; jobs: number }> {
  const context = { deadline: systemClock.now() + 60_000 }
  const count = Math.ceil(file.length / chunkBytes)
  for (let jobs = 1; jobs <= 3; jobs++) {
    const jobId = await client.beginUpload(
      { title: 'Weekly', type: 'spotfire.dxp', parentId },
      true,
      context,
    )
    try {
      for (let n = 1; n <= count; n++) {
        const bytes = file.subarray((n - 1) * chunkBytes, n * chunkBytes)
        const answer = await client.sendChunk(jobId, n, bytes, n === count, context)
        if (n === count) return { ...answer, jobs }
      }
    } catch (error) {
      if (!(error instanceof SpotfireError) || !mayHaveReachedServer(error)) throw error
    }
  }
  throw new Error('no upload job finished')
}

it('a chunk lost after the server stored it never corrupts the item', async () => {
  const { client, target } = await setup({ 'upload-chunk': { 2: { type: 'reset-after' } } })
  const context = { deadline: systemClock.now() + 60_000 }
  const folder = await client.createFolder(
    '/',
    (await client.find('/', undefined, context))?.id ?? '',
    'Sales',
    context,
  )
  const file = Buffer.from(Array.from({ length: 10 }, (_, i) => i * 25))
  const result = await upload(client, folder.id, file, 4)
  expect(result.jobs).toBe(2)
  const item = target.libraryStore.find('/Sales/Weekly', 'spotfire.dxp')
  expect(item?.id).toBe(result.itemId)
  expect(item?.content?.bytes).toEqual(file)
  // The first job holds chunks 1 and 2 and was never finished; the second holds the whole file.
  expect(target.libraryStore.uploads.map((job) => [job.chunks, job.state])).toEqual([
    [[1, 2], 'open'],
    [[1, 2, 3], 'finished'],
  ])
})

it('looks up through a proxy page, and a 409 on a folder answers the existing one', async () => {
  const { client, target } = await setup({
    'library-items': { 1: { type: 'http', status: 502, html: true } },
  })
  target.libraryStore.addFolder('/Sales')
  const context = { deadline: systemClock.now() + 60_000 }
  const root = await client.find('/', undefined, context)
  expect(root?.type).toBe('spotfire.folder')
  const folder = await client.createFolder('/', root?.id ?? '', 'Sales', context)
  expect(folder.id).toBe(target.libraryStore.find('/Sales')?.id)
  expect(target.libraryStore.items.filter((item) => item.path === '/Sales')).toHaveLength(1)
})

it('a 409 at the finish, without overwrite, leaves the existing item as it was', async () => {
  const { client, target } = await setup({})
  const existing = target.libraryStore.addFile('/Weekly', 'spotfire.dxp', Buffer.from('old'))
  const context = { deadline: systemClock.now() + 60_000 }
  const jobId = await client.beginUpload(
    { title: 'Weekly', type: 'spotfire.dxp', parentId: existing.parentId ?? '' },
    false,
    context,
  )
  const error = await client.sendChunk(jobId, 1, Buffer.from('new'), true, context).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SpotfireError)
  expect((error as SpotfireError).details.status).toBe(409)
  expect((error as SpotfireError).message).toContain('already holds Weekly')
  expect(existing.content?.bytes?.toString()).toBe('old')
})
