import { join } from 'node:path'
import type { FileSystem } from './files.js'

/** Whether a job-file line is a pattern rather than one file's path. */
export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern)
}

/**
 * The files a pattern matches, relative to `base` and sorted; it stops at `limit` + 1 files, so
 * that more than `limit` is known without walking (or reading) the rest: `*` and `?` within one path
 * segment, `[abc]` sets, `**` for any number of directories. Dot files match only a pattern
 * segment that starts with a dot, as in shells.
 */
export function expandGlob(pattern: string, base: string, fs: FileSystem, limit: number): string[] {
  const segments = pattern.split('/').filter((segment) => segment !== '' && segment !== '.')
  // A set: `**/**` reaches a file twice, and the limit counts files.
  const found = new Set<string>()
  /** `dir` is where to look on disk; `shown` the same place as the user wrote it. */
  const walk = (dir: string, shown: string, index: number): void => {
    const segment = segments[index]
    if (segment === undefined || found.size > limit) return
    const last = index === segments.length - 1
    if (segment === '..' && !last) {
      walk(join(dir, '..'), join(shown, '..'), index + 1)
      return
    }
    const entries = (): { name: string; directory: boolean }[] => fs.list(dir)
    if (segment === '**') {
      // Zero directories, then each directory below, one level at a time; a last `**` is every
      // file below.
      walk(dir, shown, index + 1)
      for (const entry of entries()) {
        if (found.size > limit) return
        if (entry.name.startsWith('.')) continue
        if (entry.directory) walk(join(dir, entry.name), join(shown, entry.name), index)
        else if (last) found.add(join(shown, entry.name))
      }
      return
    }
    const matches = isGlob(segment)
      ? entries().filter(
          (entry) =>
            segmentMatcher(segment).test(entry.name) &&
            (!entry.name.startsWith('.') || segment.startsWith('.')),
        )
      : entries().filter((entry) => entry.name === segment)
    for (const entry of matches) {
      if (found.size > limit) return
      if (last && !entry.directory) found.add(join(shown, entry.name))
      else if (!last && entry.directory) {
        walk(join(dir, entry.name), join(shown, entry.name), index + 1)
      }
    }
  }
  const absolute = pattern.startsWith('/')
  walk(absolute ? '/' : base, absolute ? '/' : '', 0)
  return [...found].sort()
}

function segmentMatcher(segment: string): RegExp {
  let source = ''
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charAt(i)
    if (c === '*') source += '[^/]*'
    else if (c === '?') source += '[^/]'
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2)
      if (end < 0) {
        source += '\\['
        continue
      }
      const body = segment
        .slice(i + 1, end)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\')
      source += `[${body}]`
      i = end
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}
