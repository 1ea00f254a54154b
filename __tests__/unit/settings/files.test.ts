import { existsSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import {
  decodeText,
  FileProblem,
  formatBytes,
  nodeFileSystem,
} from '../../../src/settings/files.js'
import { tempTree } from './helpers.js'

/** What `run` throws, which must be a FileProblem. */
function problemOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    if (error instanceof FileProblem) return error.message
    throw error
  }
  throw new Error('it did not throw')
}

const utf16 = (text: string, order: 'le' | 'be'): Buffer => {
  const le = Buffer.from(text, 'utf16le')
  if (order === 'le') return Buffer.concat([Buffer.from([0xff, 0xfe]), le])
  const be = Buffer.from(le)
  be.swap16()
  return Buffer.concat([Buffer.from([0xfe, 0xff]), be])
}

describe('nodeFileSystem.read', () => {
  it('reads a regular file whole', () => {
    const dir = tempTree({ 'job.xml': 'héllo\n' })
    const bytes = nodeFileSystem.read(join(dir, 'job.xml'), 1024)
    expect(bytes.toString('utf8')).toBe('héllo\n')
  })

  it('reads an empty file', () => {
    const dir = tempTree({ 'empty.xml': '' })
    expect(nodeFileSystem.read(join(dir, 'empty.xml'), 10)).toHaveLength(0)
  })

  it('reads a file of exactly the limit and refuses one byte more', () => {
    const dir = tempTree({ 'at.xml': 'x'.repeat(2048), 'over.xml': 'x'.repeat(2049) })
    expect(nodeFileSystem.read(join(dir, 'at.xml'), 2048)).toHaveLength(2048)
    expect(problemOf(() => nodeFileSystem.read(join(dir, 'over.xml'), 2048))).toBe(
      'it is larger than 2 KiB',
    )
  })

  it('refuses a directory', () => {
    const dir = tempTree({}, ['jobs'])
    expect(problemOf(() => nodeFileSystem.read(join(dir, 'jobs'), 1024))).toBe(
      'it is not a regular file',
    )
  })

  it('refuses a missing file, saying so', () => {
    const dir = tempTree({})
    expect(problemOf(() => nodeFileSystem.read(join(dir, 'none.xml'), 1024))).toBe(
      'no such file (ENOENT)',
    )
  })

  it('refuses a path through a file', () => {
    const dir = tempTree({ 'a.xml': 'x' })
    expect(problemOf(() => nodeFileSystem.read(join(dir, 'a.xml', 'b.xml'), 1024))).toBe(
      'it cannot be read (ENOTDIR)',
    )
  })

  const devZero = existsSync('/dev/zero') ? it : it.skip
  devZero('refuses /dev/zero as not a regular file, without reading it', () => {
    // Reading would have stopped at the limit with "larger than"; the refusal comes first.
    expect(problemOf(() => nodeFileSystem.read('/dev/zero', 16))).toBe('it is not a regular file')
  })

  devZero('refuses a link to /dev/zero, and follows a link to a regular file', () => {
    const dir = tempTree({ 'real.xml': '<a/>' })
    symlinkSync('/dev/zero', join(dir, 'zero.xml'))
    symlinkSync(join(dir, 'real.xml'), join(dir, 'link.xml'))
    expect(problemOf(() => nodeFileSystem.read(join(dir, 'zero.xml'), 16))).toBe(
      'it is not a regular file',
    )
    expect(nodeFileSystem.read(join(dir, 'link.xml'), 16).toString()).toBe('<a/>')
  })
})

describe('nodeFileSystem.list', () => {
  it("lists a directory's entries and tells directories from files", () => {
    const dir = tempTree({ 'a.xml': '', '.hidden.xml': '', 'sub/b.xml': '' }, ['empty'])
    const entries = nodeFileSystem.list(dir).sort((x, y) => x.name.localeCompare(y.name))
    expect(entries).toEqual([
      { name: '.hidden.xml', directory: false },
      { name: 'a.xml', directory: false },
      { name: 'empty', directory: true },
      { name: 'sub', directory: true },
    ])
  })

  it('lists nothing for a missing directory or a file, without throwing', () => {
    const dir = tempTree({ 'a.xml': '' })
    expect(nodeFileSystem.list(join(dir, 'missing'))).toEqual([])
    expect(nodeFileSystem.list(join(dir, 'a.xml'))).toEqual([])
  })
})

describe('decodeText', () => {
  const xml = '<?xml version="1.0"?><a>Région – 東京</a>'

  it('reads UTF-8 without a byte order mark', () => {
    expect(decodeText(Buffer.from(xml, 'utf8'))).toEqual({ text: xml, transcoded: false })
  })

  it('reads UTF-8 with a byte order mark, dropping the mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml, 'utf8')])
    expect(decodeText(bytes)).toEqual({ text: xml, transcoded: false })
  })

  it('reads UTF-16 LE with a byte order mark', () => {
    expect(decodeText(utf16(xml, 'le'))).toEqual({ text: xml, transcoded: true })
  })

  it('reads UTF-16 BE with a byte order mark', () => {
    expect(decodeText(utf16(xml, 'be'))).toEqual({ text: xml, transcoded: true })
  })

  it('reads an empty buffer as empty text', () => {
    expect(decodeText(Buffer.alloc(0))).toEqual({ text: '', transcoded: false })
  })

  it('refuses UTF-16 without a byte order mark (NUL bytes), saying how to fix it', () => {
    const bytes = Buffer.from(xml, 'utf16le')
    expect(problemOf(() => decodeText(bytes))).toBe(
      'it holds NUL bytes: it is not UTF-8 text (UTF-16 needs a byte order mark: save it as UTF-8)',
    )
  })

  it('refuses a binary file with NUL bytes', () => {
    expect(problemOf(() => decodeText(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00])))).toMatch(
      /^it holds NUL bytes/,
    )
  })

  it('refuses text that is not valid UTF-8 (Latin-1), without quoting it', () => {
    const bytes = Buffer.from('<a>R\xe9gion hunter2</a>', 'latin1')
    const problem = problemOf(() => decodeText(bytes))
    expect(problem).toBe('it is not valid UTF-8 text: save it as UTF-8')
    expect(problem).not.toContain('hunter2')
  })
})

describe('formatBytes', () => {
  it.each([
    [4 * 1024 * 1024, '4 MiB'],
    [1024 * 1024, '1 MiB'],
    [2048, '2 KiB'],
    [1500, '2 KiB'],
    [1, '1 KiB'],
  ])('shows %d bytes as %s', (bytes, shown) => {
    expect(formatBytes(bytes)).toBe(shown)
  })
})
