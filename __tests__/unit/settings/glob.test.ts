import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { nodeFileSystem } from '../../../src/settings/files.js'
import { expandGlob, isGlob } from '../../../src/settings/glob.js'
import { memoryFs, tempTree } from './helpers.js'

const TREE = {
  'top.xml': '',
  'jobs/a.xml': '',
  'jobs/b.xml': '',
  'jobs/c.txt': '',
  'jobs/.hidden.xml': '',
  'jobs/x1.xml': '',
  'jobs/x10.xml': '',
  'jobs/sub/d.xml': '',
  'jobs/sub/deep/e.xml': '',
  'jobs/.dot/f.xml': '',
  'jobs/dir.xml/inside.txt': '',
  'jobs/a+b(1)$^.xml': '',
  'jobs/[x].xml': '',
  'other/g.xml': '',
}

/** expandGlob over a fresh copy of TREE on disk. */
function onDisk(pattern: string, limit = 256): string[] {
  return expandGlob(pattern, tempTree(TREE), nodeFileSystem, limit)
}

describe('isGlob', () => {
  it.each([['*.xml'], ['jobs/?.xml'], ['jobs/[ab].xml'], ['**/x.xml']])('%j is a pattern', (p) => {
    expect(isGlob(p)).toBe(true)
  })

  it.each([['jobs/a.xml'], ['/abs/a.xml'], ['jobs/a].xml'], ['jobs/{a,b}.xml'], ['..\\a.xml']])(
    '%j is a plain path',
    (p) => {
      expect(isGlob(p)).toBe(false)
    },
  )
})

describe('expandGlob on disk', () => {
  it('* matches within one directory: files only, no dot files, sorted', () => {
    expect(onDisk('jobs/*.xml')).toEqual([
      'jobs/[x].xml',
      'jobs/a+b(1)$^.xml',
      'jobs/a.xml',
      'jobs/b.xml',
      'jobs/x1.xml',
      'jobs/x10.xml',
    ])
  })

  it('? matches exactly one character', () => {
    expect(onDisk('jobs/?.xml')).toEqual(['jobs/a.xml', 'jobs/b.xml'])
    expect(onDisk('jobs/x?.xml')).toEqual(['jobs/x1.xml'])
    expect(onDisk('jobs/x??.xml')).toEqual(['jobs/x10.xml'])
  })

  it('[..] matches one character of a set, a range or a negated set', () => {
    expect(onDisk('jobs/[ab].xml')).toEqual(['jobs/a.xml', 'jobs/b.xml'])
    expect(onDisk('jobs/[a-c].*')).toEqual(['jobs/a.xml', 'jobs/b.xml', 'jobs/c.txt'])
    expect(onDisk('jobs/[!a].xml')).toEqual(['jobs/b.xml'])
  })

  it('takes regular expression characters in a pattern literally', () => {
    expect(onDisk('jobs/a+b(?)$^.xml')).toEqual(['jobs/a+b(1)$^.xml'])
    expect(onDisk('jobs/a+b*')).toEqual(['jobs/a+b(1)$^.xml'])
    expect(onDisk('jobs/a.*')).toEqual(['jobs/a.xml'])
  })

  it('takes a [ without a closing ] literally', () => {
    expect(onDisk('jobs/[x*')).toEqual(['jobs/[x].xml'])
  })

  it('** matches any number of directories, zero included, but not dot directories', () => {
    expect(onDisk('jobs/**/*.xml')).toEqual([
      'jobs/[x].xml',
      'jobs/a+b(1)$^.xml',
      'jobs/a.xml',
      'jobs/b.xml',
      'jobs/sub/d.xml',
      'jobs/sub/deep/e.xml',
      'jobs/x1.xml',
      'jobs/x10.xml',
    ])
    expect(onDisk('**/?.xml')).toEqual([
      'jobs/a.xml',
      'jobs/b.xml',
      'jobs/sub/d.xml',
      'jobs/sub/deep/e.xml',
      'other/g.xml',
    ])
    expect(onDisk('**/deep/*.xml')).toEqual(['jobs/sub/deep/e.xml'])
  })

  it('matches a dot file or directory when the pattern names the dot', () => {
    expect(onDisk('jobs/.*.xml')).toEqual(['jobs/.hidden.xml'])
    expect(onDisk('jobs/.dot/*.xml')).toEqual(['jobs/.dot/f.xml'])
    expect(onDisk('jobs/.*/*.xml')).toEqual(['jobs/.dot/f.xml'])
  })

  it('never matches a directory as a file', () => {
    expect(onDisk('jobs/dir.*')).toEqual([])
    expect(onDisk('jobs/dir.*/*')).toEqual(['jobs/dir.xml/inside.txt'])
  })

  it('ignores ./ and doubled slashes', () => {
    expect(onDisk('./jobs//[ab].xml')).toEqual(['jobs/a.xml', 'jobs/b.xml'])
  })

  it('matches nothing when nothing fits, or the directory is missing', () => {
    expect(onDisk('jobs/*.json')).toEqual([])
    expect(onDisk('missing/*.xml')).toEqual([])
    expect(onDisk('jobs/a.xml/*')).toEqual([])
  })

  it('lists each file once, however many ways the pattern reaches it', () => {
    expect(onDisk('jobs/**/**/d.xml')).toEqual(['jobs/sub/d.xml'])
  })

  it('follows .. to a sibling directory, shown as written', () => {
    const root = tempTree({ 'ws/a.xml': '', 'shared/s1.xml': '', 'shared/s2.xml': '' })
    expect(expandGlob('../shared/*.xml', join(root, 'ws'), nodeFileSystem, 256)).toEqual([
      '../shared/s1.xml',
      '../shared/s2.xml',
    ])
  })

  it('expands an absolute pattern to absolute paths', () => {
    const root = tempTree(TREE)
    expect(expandGlob(`${root}/jobs/[ab].xml`, '/elsewhere', nodeFileSystem, 256)).toEqual([
      `${root}/jobs/a.xml`,
      `${root}/jobs/b.xml`,
    ])
  })
})

describe('expandGlob on a fake file system', () => {
  it('lists only the directories the pattern leads through', () => {
    const fs = memoryFs({
      '/ws/jobs/a.xml': '',
      '/ws/jobs/sub/b.xml': '',
      '/ws/big/x.xml': '',
    })
    expect(expandGlob('jobs/*.xml', '/ws', fs, 256)).toEqual(['jobs/a.xml'])
    expect(fs.lists).toEqual(['/ws', '/ws/jobs'])
    expect(fs.reads).toEqual([])
  })

  it('stops walking once it has found more than the limit', () => {
    const files: Record<string, string> = {}
    for (let d = 0; d < 50; d++) {
      for (let f = 0; f < 10; f++) files[`/ws/d${String(d).padStart(2, '0')}/f${f}.xml`] = ''
    }
    const fs = memoryFs(files)
    const found = expandGlob('**/*.xml', '/ws', fs, 25)
    // More than the limit, so the caller can tell there are too many, but not all 500.
    expect(found.length).toBeGreaterThan(25)
    expect(found.length).toBeLessThan(500)
    expect(fs.lists.length).toBeLessThan(51)
  })

  it('a last ** is every file below, dot files and dot directories aside', () => {
    expect(onDisk('jobs/sub/**')).toEqual(['jobs/sub/d.xml', 'jobs/sub/deep/e.xml'])
  })

  it('does not descend into a dot directory for **', () => {
    const fs = memoryFs({ '/ws/.git/x.xml': '', '/ws/a/.cache/y.xml': '', '/ws/a/z.xml': '' })
    expect(expandGlob('**/*.xml', '/ws', fs, 256)).toEqual(['a/z.xml'])
    expect(fs.lists).not.toContain('/ws/.git')
  })
})
