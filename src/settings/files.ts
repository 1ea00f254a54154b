import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs'

/** The files settings may read: the workspace's, on the runner; a fake one in tests. */
export interface FileSystem {
  /** A regular file's bytes, at most `maxBytes`; throws FileProblem for anything else. */
  read(path: string, maxBytes: number): Buffer
  /** A directory's entries, for globs; empty when it is not a readable directory. */
  list(path: string): { name: string; directory: boolean }[]
  /**
   * A regular file's size, without reading it (uploads); throws FileProblem for anything else.
   * Optional so that file systems written for job files alone still fit.
   */
  size?(path: string): number
}

/** Why a file could not be read, in words for the user. */
export class FileProblem extends Error {}

export const nodeFileSystem: FileSystem = {
  read(path, maxBytes) {
    // A device is never opened (opening some does something); the descriptor is checked again.
    refuseOddFile(path)
    let fd: number
    try {
      // Non-blocking, and checked on the descriptor that is read: a path checked first could be
      // swapped for a FIFO before the open, which would then wait for a writer forever.
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
    } catch (error) {
      throw new FileProblem(describeFsError(error))
    }
    try {
      let size: number
      try {
        const stat = fstatSync(fd)
        // A device, a FIFO or a directory would hang the read or make no sense.
        if (!stat.isFile()) throw new FileProblem('it is not a regular file')
        size = stat.size
      } catch (error) {
        if (error instanceof FileProblem) throw error
        throw new FileProblem(describeFsError(error))
      }
      if (size > maxBytes) throw new FileProblem(`it is larger than ${formatBytes(maxBytes)}`)
      // Room for what the file holds and one byte more: a file that grew past the limit since it
      // was measured is caught, and nothing more than the limit is ever read.
      const buffer = Buffer.alloc(Math.min(size, maxBytes) + 1)
      let length = 0
      for (;;) {
        const read = readSync(fd, buffer, length, buffer.length - length, null)
        if (read === 0) break
        length += read
        if (length > maxBytes) throw new FileProblem(`it is larger than ${formatBytes(maxBytes)}`)
        if (length === buffer.length) throw new FileProblem('it changed while it was read')
      }
      return buffer.subarray(0, length)
    } finally {
      closeSync(fd)
    }
  },
  list(path) {
    try {
      return readdirSync(path, { withFileTypes: true }).map((entry) => ({
        name: entry.name,
        directory: entry.isDirectory(),
      }))
    } catch {
      return []
    }
  },
  size(path) {
    let stat
    try {
      stat = statSync(path)
    } catch (error) {
      throw new FileProblem(describeFsError(error))
    }
    if (stat.isDirectory()) throw new FileProblem('it is a directory')
    if (!stat.isFile()) throw new FileProblem('it is not a regular file')
    return stat.size
  },
}

/** Refuses what the path shows to be no regular file, before anything opens it. */
function refuseOddFile(path: string): void {
  let stat
  try {
    stat = statSync(path)
  } catch (error) {
    throw new FileProblem(describeFsError(error))
  }
  if (!stat.isFile()) throw new FileProblem('it is not a regular file')
}

export function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0
    ? `${bytes / 1024 / 1024} MiB`
    : `${Math.ceil(bytes / 1024)} KiB`
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? ''
  if (code === 'ENOENT') return 'no such file (ENOENT)'
  if (code === 'EACCES' || code === 'EPERM') return `no permission to read it (${code})`
  return code === '' ? 'it cannot be read' : `it cannot be read (${code})`
}

/**
 * Job XML as text: UTF-8 (with or without its byte order mark), or UTF-16 with a byte order mark,
 * as some Windows tools save it. Throws FileProblem for text it cannot be sure of.
 */
export function decodeText(bytes: Buffer): { text: string; transcoded: boolean } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: bytes.subarray(3).toString('utf8'), transcoded: false }
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), transcoded: true }
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), transcoded: true }
  }
  if (bytes.subarray(0, 512).includes(0)) {
    throw new FileProblem(
      'it holds NUL bytes: it is not UTF-8 text (UTF-16 needs a byte order mark: save it as UTF-8)',
    )
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), transcoded: false }
  } catch {
    throw new FileProblem('it is not valid UTF-8 text: save it as UTF-8')
  }
}
