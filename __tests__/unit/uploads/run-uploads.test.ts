import { describe, expect, it } from '@jest/globals'
import { SpotfireError } from '../../../src/spotfire/errors.js'
import { MIN_PAUSE_MS } from '../../../src/spotfire/retry.js'
import { uploadsSucceeded } from '../../../src/uploads/result.js'
import { runUploads } from '../../../src/uploads/run-uploads.js'
import { MAX_UPLOAD_ATTEMPTS } from '../../../src/uploads/upload-file.js'
import { harness } from './helpers.js'

const TEN = 'abcdefghij'

describe('runUploads: a new file', () => {
  it('creates the missing folders top-down, once each, and uploads every file', async () => {
    const h = harness(
      { 'dist/Sales.dxp': TEN, 'dist/Costs.dxp': 'costs!', 'data/Sales.sbdf': 'sb' },
      'dist/*.dxp -> /Releases/2024/\ndata/Sales.sbdf -> /Releases/2024/Data/Sales data',
    )
    h.library.addFolder('/Releases')
    const results = await runUploads(h.settings, h.ctx)
    expect(results).toEqual([
      expect.objectContaining({
        file: 'dist/Costs.dxp',
        path: '/Releases/2024/Costs',
        type: 'spotfire.dxp',
        bytes: 6,
        outcome: 'uploaded',
        id: h.library.itemAt('/Releases/2024/Costs')?.id,
      }),
      expect.objectContaining({ path: '/Releases/2024/Sales', bytes: 10, outcome: 'uploaded' }),
      expect.objectContaining({ path: '/Releases/2024/Data/Sales data', outcome: 'uploaded' }),
    ])
    expect(uploadsSucceeded(results)).toBe(true)
    expect(h.library.contentOf('/Releases/2024/Sales', 'spotfire.dxp')).toBe(TEN)
    expect(h.library.contentOf('/Releases/2024/Costs')).toBe('costs!')
    expect(h.library.contentOf('/Releases/2024/Data/Sales data', 'spotfire.sbdf')).toBe('sb')
    expect(h.library.calls.filter((c) => c.startsWith('createFolder'))).toEqual([
      'createFolder /Releases/2024',
      'createFolder /Releases/2024/Data',
    ])
    // Sales: 10 bytes in chunks of 4, the last one finishing the upload.
    const sales = h.library.jobs.find((j) => j.item.title === 'Sales')
    expect(sales?.received).toEqual([1, 2, 3])
    expect(sales?.bytes.map((b) => b.length)).toEqual([4, 4, 2])
  })

  it('looks up every target before it uploads or creates anything', async () => {
    const h = harness({ 'a.dxp': 'a', 'b.dxp': 'b' }, 'a.dxp -> /R/\nb.dxp -> /S/')
    h.library.addFolder('/R')
    await runUploads(h.settings, h.ctx)
    const firstChange = h.library.calls.findIndex((c) => !c.startsWith('find'))
    expect(h.library.calls.slice(0, firstChange)).toEqual([
      'find /',
      'find /R',
      'find /S',
      'find /R/a',
    ])
    // Nothing is below a folder that is missing: /S/b is not looked up.
    expect(h.library.calls).not.toContain('find /S/b')
  })

  it('says nothing is to do when there is no upload', async () => {
    const h = harness({ 'a.dxp': 'a' }, 'a.dxp -> /R/')
    expect(await runUploads({ ...h.settings, uploads: [] }, h.ctx)).toEqual([])
    expect(h.library.calls).toEqual([])
  })
})

describe('runUploads: an item that exists', () => {
  it('with library-overwrite false: an error naming it, and nothing uploaded at all', async () => {
    const h = harness({ 'a.dxp': 'new a', 'b.dxp': 'new b' }, 'a.dxp -> /R/\nb.dxp -> /R/')
    h.library.addFolder('/R')
    const id = h.library.addItem('/R/b', 'spotfire.dxp', 'old b')
    const results = await runUploads(h.settings, h.ctx)
    expect(results).toEqual([
      expect.objectContaining({
        path: '/R/a',
        outcome: 'not-uploaded',
        problem: 'not uploaded: /R/b is in the way',
      }),
      {
        file: 'b.dxp',
        path: '/R/b',
        type: 'spotfire.dxp',
        bytes: 5,
        id,
        outcome: 'failed',
        refused: true,
        problem: `/R/b exists in the library (id ${id}), and library-overwrite: false. Set library-overwrite: true to replace it (it keeps its id).`,
      },
    ])
    expect(uploadsSucceeded(results)).toBe(false)
    expect(h.library.jobs).toEqual([])
    expect(h.library.calls.every((c) => c.startsWith('find'))).toBe(true)
    expect(h.library.contentOf('/R/b')).toBe('old b')
  })

  it('with library-overwrite true: the item keeps its id and gets the new content', async () => {
    const h = harness({ 'b.dxp': 'new b' }, 'b.dxp -> /R/', { overwrite: true })
    h.library.addFolder('/R')
    const id = h.library.addItem('/R/b', 'spotfire.dxp', 'old b')
    const results = await runUploads(h.settings, h.ctx)
    expect(results).toEqual([expect.objectContaining({ outcome: 'replaced', id })])
    expect(h.library.contentOf('/R/b')).toBe('new b')
    expect(h.library.itemAt('/R/b')?.id).toBe(id)
    expect(h.library.jobs[0]?.overwrite).toBe(true)
  })

  it('that appears after the look-up: a refusal naming the item and library-overwrite: true', async () => {
    const h = harness({ 'b.dxp': 'new b' }, 'b.dxp -> /R/')
    h.library.addFolder('/R')
    h.library.chunkFault = () => {
      if (h.library.itemAt('/R/b') === undefined)
        h.library.addItem('/R/b', 'spotfire.dxp', 'theirs')
      return undefined
    }
    const [result] = await runUploads(h.settings, h.ctx)
    expect(result).toEqual(expect.objectContaining({ outcome: 'failed', refused: true }))
    expect(result?.problem).toContain('/R/b exists in the library')
    expect(result?.problem).toContain('library-overwrite: true')
    expect(h.library.contentOf('/R/b')).toBe('theirs')
  })
})

describe('runUploads: a lost chunk never corrupts an item', () => {
  it('starts the file again in a new upload job when the answer of chunk 2 of 3 is lost', async () => {
    const h = harness({ 'a.dxp': TEN }, 'a.dxp -> /R/')
    h.library.addFolder('/R')
    h.library.chunkFault = (job, chunk) =>
      job.id === h.library.jobs[0]?.id && chunk === 2 ? 'lose-answer' : undefined
    const [result] = await runUploads(h.settings, h.ctx)
    expect(result).toEqual(expect.objectContaining({ outcome: 'uploaded', bytes: 10 }))
    expect(h.library.contentOf('/R/a')).toBe(TEN)
    const [first, second] = h.library.jobs
    // Chunk 2 reached the first job (its answer was lost); nothing was sent into it after that.
    expect(first?.received).toEqual([1, 2])
    expect(first?.finished).toBe(false)
    expect(second?.received).toEqual([1, 2, 3])
    expect(h.library.jobs).toHaveLength(2)
    expect(h.clock.sleeps).toHaveLength(1)
    expect(h.clock.sleeps[0]).toBeGreaterThanOrEqual(MIN_PAUSE_MS)
    expect(h.lines.join('\n')).toContain('starting the file again in a new upload job')
  })

  it('says the item may hold the file when the answer to the last chunk was lost and the next try found it there', async () => {
    const h = harness({ 'a.dxp': TEN }, 'a.dxp -> /R/')
    h.library.addFolder('/R')
    h.library.chunkFault = (job, chunk) =>
      job.id === h.library.jobs[0]?.id && chunk === 3 ? 'lose-answer' : undefined
    const [result] = await runUploads(h.settings, h.ctx)
    // The first try stored it; the second try's finish meets it (library-overwrite is false).
    expect(h.library.contentOf('/R/a')).toBe(TEN)
    expect(result).toEqual(expect.objectContaining({ outcome: 'failed', refused: false }))
    expect(result?.problem).toContain('the answer to its last chunk was lost')
    expect(result?.problem).toContain('most likely holds this file')
    expect(result?.problem).toContain('library-overwrite: true')
  })

  it('sends a chunk that surely never left again into the same upload job', async () => {
    const h = harness({ 'a.dxp': TEN }, 'a.dxp -> /R/')
    h.library.addFolder('/R')
    let refused = 0
    h.library.chunkFault = (_job, chunk) =>
      chunk === 2 && refused++ === 0 ? 'not-sent' : undefined
    const [result] = await runUploads(h.settings, h.ctx)
    expect(result?.outcome).toBe('uploaded')
    expect(h.library.jobs).toHaveLength(1)
    expect(h.library.jobs[0]?.received).toEqual([1, 2, 3])
    expect(h.library.contentOf('/R/a')).toBe(TEN)
  })

  it('starts again after a 5xx on a chunk, which may have been stored', async () => {
    const h = harness({ 'a.dxp': TEN }, 'a.dxp -> /R/')
    h.library.addFolder('/R')
    h.library.chunkFault = (job, chunk) =>
      job.id === h.library.jobs[0]?.id && chunk === 3
        ? new SpotfireError('HTTP 502 Bad Gateway', 'http', { status: 502 })
        : undefined
    const [result] = await runUploads(h.settings, h.ctx)
    expect(result?.outcome).toBe('uploaded')
    expect(h.library.jobs.map((j) => j.finished)).toEqual([false, true])
    expect(h.library.contentOf('/R/a')).toBe(TEN)
  })

  it(`gives up after ${MAX_UPLOAD_ATTEMPTS} upload jobs, a failure on this side, and stops the rest`, async () => {
    const h = harness({ 'a.dxp': TEN, 'b.dxp': 'b' }, 'a.dxp -> /R/\nb.dxp -> /R/')
    h.library.addFolder('/R')
    h.library.chunkFault = (_job, chunk) => (chunk === 2 ? 'lose-answer' : undefined)
    const results = await runUploads(h.settings, h.ctx)
    expect(results).toEqual([
      expect.objectContaining({ path: '/R/a', outcome: 'failed', refused: false }),
      expect.objectContaining({
        path: '/R/b',
        outcome: 'not-uploaded',
        problem: 'not uploaded: the upload of a.dxp failed first',
      }),
    ])
    expect(results[0]?.problem).toContain(`failed ${MAX_UPLOAD_ATTEMPTS} times`)
    expect(h.library.jobs).toHaveLength(MAX_UPLOAD_ATTEMPTS)
    expect(h.library.jobs.every((j) => j.received.join() === '1,2')).toBe(true)
    expect(h.library.itemAt('/R/a')).toBeUndefined()
    // Growing pauses, each at least the floor.
    expect(h.clock.sleeps).toHaveLength(MAX_UPLOAD_ATTEMPTS - 1)
    expect(h.clock.sleeps.every((ms) => ms >= MIN_PAUSE_MS)).toBe(true)
    expect([...h.clock.sleeps].sort((a, b) => a - b)).toEqual(h.clock.sleeps)
  })

  it('gives up when the next try would end after the deadline', async () => {
    const h = harness({ 'a.dxp': TEN }, 'a.dxp -> /R/', { timeoutMs: 1500 })
    h.library.addFolder('/R')
    h.library.chunkFault = (_job, chunk) => (chunk === 2 ? 'lose-answer' : undefined)
    const [result] = await runUploads(h.settings, h.ctx)
    expect(result).toEqual(expect.objectContaining({ outcome: 'failed', refused: false }))
    expect(result?.problem).toContain('no time left to try again before the timeout')
    expect(h.clock.elapsed()).toBeLessThan(1500)
  })
})

describe('runUploads: refusals and stops', () => {
  it('reports a 403 as a refusal, without trying again, and leaves the rest', async () => {
    const h = harness({ 'a.dxp': 'a', 'b.dxp': 'b' }, 'a.dxp -> /R/\nb.dxp -> /R/')
    h.library.addFolder('/R')
    h.library.callFault = (call) =>
      call.startsWith('beginUpload')
        ? new SpotfireError('HTTP 403 Forbidden: the API client lacks api.library.write', 'http', {
            status: 403,
          })
        : undefined
    const results = await runUploads(h.settings, h.ctx)
    expect(results.map((r) => [r.outcome, r.refused])).toEqual([
      ['failed', true],
      ['not-uploaded', undefined],
    ])
    expect(results[0]?.problem).toBe(
      'Uploading a.dxp (1 B) to /R/a: HTTP 403 Forbidden: the API client lacks api.library.write',
    )
    expect(h.library.calls.filter((c) => c.startsWith('beginUpload'))).toHaveLength(1)
  })

  it('reports a failed look-up on the upload that needed it, and uploads nothing', async () => {
    const h = harness({ 'a.dxp': 'a', 'b.dxp': 'b' }, 'a.dxp -> /R/\nb.dxp -> /S/')
    h.library.addFolder('/R')
    h.library.addFolder('/S')
    h.library.callFault = (call) =>
      call === 'find /S' ? new SpotfireError('connect ETIMEDOUT', 'no-answer') : undefined
    const results = await runUploads(h.settings, h.ctx)
    expect(results).toEqual([
      expect.objectContaining({
        path: '/R/a',
        outcome: 'not-uploaded',
        problem: 'not uploaded: looking up /S failed first',
      }),
      expect.objectContaining({
        path: '/S/b',
        outcome: 'failed',
        refused: false,
        problem: 'Looking up /S in the library: connect ETIMEDOUT',
      }),
    ])
    expect(h.library.jobs).toEqual([])
  })

  it('uploads nothing more once the run is cancelled', async () => {
    const h = harness({ 'a.dxp': TEN, 'b.dxp': 'b' }, 'a.dxp -> /R/\nb.dxp -> /R/')
    h.library.addFolder('/R')
    const cancel = new AbortController()
    h.library.onChunk = (_job, chunk) => {
      if (chunk === 1) cancel.abort()
    }
    const results = await runUploads(h.settings, { ...h.ctx, signal: cancel.signal })
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'not-uploaded'])
    expect(results[1]?.problem).toBe('not uploaded: the run was cancelled')
    expect(h.library.jobs[0]?.received).toEqual([1])
    expect(h.library.itemAt('/R/a')).toBeUndefined()
  })

  it('reports a file gone since the settings were read as a failure on this side', async () => {
    const h = harness({ 'a.dxp': 'a' }, 'a.dxp -> /R/')
    h.library.addFolder('/R')
    const settings = {
      ...h.settings,
      uploads: h.settings.uploads.map((u) => ({ ...u, localPath: `${u.localPath}.gone` })),
    }
    const [result] = await runUploads(settings, h.ctx)
    expect(result).toEqual(
      expect.objectContaining({
        outcome: 'failed',
        refused: false,
        problem: 'Cannot read a.dxp: it cannot be opened (ENOENT)',
      }),
    )
    expect(h.library.jobs).toEqual([])
  })
})
