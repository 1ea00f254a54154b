import { describe, expect, it } from '@jest/globals'
import { nodeLocalFiles, type LocalFiles } from '../../../src/uploads/local-file.js'
import { formatSize, PROGRESS_INTERVAL_MS } from '../../../src/uploads/progress.js'
import { runUploads } from '../../../src/uploads/run-uploads.js'
import { CHUNK_BYTES } from '../../../src/uploads/upload-file.js'
import { harness } from './helpers.js'

const MiB = 1024 * 1024

/** `size` bytes that differ from chunk to chunk, so that a chunk out of place shows. */
function patterned(size: number): Buffer {
  const bytes = Buffer.alloc(size)
  for (let i = 0; i < size; i += 4096) bytes.writeUInt32LE(i / 4096, i)
  return bytes
}

/** The disk, recording how much each read asks for. */
function recording(reads: number[], opened: string[]): LocalFiles {
  return {
    async open(path) {
      opened.push(path)
      const file = await nodeLocalFiles.open(path)
      return {
        size: file.size,
        read: (into, position) => {
          reads.push(into.length)
          return file.read(into, position)
        },
        close: () => file.close(),
      }
    },
  }
}

describe('large files stream', () => {
  it(`go in chunks of at most ${CHUNK_BYTES / MiB} MiB, read from disk one chunk at a time`, async () => {
    const content = patterned(40 * MiB)
    const h = harness({ 'big.sbdf': content }, 'big.sbdf -> /Data/')
    const reads: number[] = []
    const opened: string[] = []
    const [result] = await runUploads(h.settings, {
      ...h.ctx,
      chunkBytes: 64 * MiB,
      files: recording(reads, opened),
    })
    expect(result).toEqual(expect.objectContaining({ outcome: 'uploaded', bytes: 40 * MiB }))
    expect(opened).toHaveLength(1)
    expect(reads).toEqual([16 * MiB, 16 * MiB, 8 * MiB])
    const job = h.library.jobs[0]
    expect(job?.bytes.map((b) => b.length)).toEqual([16 * MiB, 16 * MiB, 8 * MiB])
    expect(Buffer.concat(job?.bytes ?? []).equals(content)).toBe(true)
  })

  it('fails a file that shrank while it was uploaded, finishing nothing', async () => {
    const h = harness({ 'a.dxp': 'abcdefghij' }, 'a.dxp -> /R/')
    h.library.addFolder('/R')
    const shrinking: LocalFiles = {
      async open(path) {
        const file = await nodeLocalFiles.open(path)
        return {
          ...file,
          read: async (into, position) => (position >= 4 ? 0 : file.read(into, position)),
        }
      },
    }
    const [result] = await runUploads(h.settings, { ...h.ctx, files: shrinking })
    expect(result).toEqual(
      expect.objectContaining({
        outcome: 'failed',
        refused: false,
        problem: 'a.dxp changed while it was uploaded',
      }),
    )
    expect(h.library.jobs[0]?.received).toEqual([1])
    expect(h.library.itemAt('/R/a')).toBeUndefined()
  })
})

describe('progress of a large file', () => {
  it('says bytes, percentage and throughput every few seconds, not once per chunk', async () => {
    const h = harness({ 'big.sbdf': patterned(40 * MiB) }, 'big.sbdf -> /Data/', {
      chunkBytes: MiB,
    })
    // Each chunk takes a second on the wire.
    h.library.onChunk = () => {
      h.clock.advance(1000)
    }
    await runUploads(h.settings, h.ctx)
    const progress = h.lines.filter((line) => line.includes(' sent ('))
    expect(progress.length).toBeGreaterThanOrEqual(40_000 / PROGRESS_INTERVAL_MS - 1)
    expect(progress.length).toBeLessThanOrEqual(40_000 / PROGRESS_INTERVAL_MS)
    expect(progress[0]).toBe('Uploading big.sbdf: 5.0 MiB of 40.0 MiB sent (12%), 1.0 MiB/s')
  })

  it('says nothing between the first and last line of a small file', async () => {
    const h = harness({ 'a.sbdf': patterned(MiB) }, 'a.sbdf -> /Data/', { chunkBytes: 64 * 1024 })
    h.library.onChunk = () => {
      h.clock.advance(1000)
    }
    await runUploads(h.settings, h.ctx)
    expect(h.lines.filter((line) => line.includes(' sent ('))).toEqual([])
    expect(h.lines.at(-1)).toMatch(/^Uploaded \/Data\/a \(id item-\d+\) in 16 s\.$/)
  })

  it.each([
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [12.34 * MiB, '12.3 MiB'],
    [1.5 * 1024 * MiB, '1.50 GiB'],
  ])('writes %d bytes as %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text)
  })
})
