import { open } from 'node:fs/promises'

/** A local file opened for upload: read piece by piece, never whole. */
export interface LocalFile {
  /** Its size when it was opened. */
  size: number
  /** Fills `into` from `position` on; returns the bytes read, fewer only at the end of the file. */
  read(into: Uint8Array, position: number): Promise<number>
  close(): Promise<void>
}

/** Where the upload reads files: the disk; tests may pass their own. */
export interface LocalFiles {
  open(path: string): Promise<LocalFile>
}

export const nodeLocalFiles: LocalFiles = {
  async open(path) {
    const handle = await open(path, 'r')
    try {
      const stat = await handle.stat()
      if (!stat.isFile()) throw new Error('it is not a regular file')
      return {
        size: stat.size,
        async read(into, position) {
          let length = 0
          while (length < into.length) {
            const { bytesRead } = await handle.read(
              into,
              length,
              into.length - length,
              position + length,
            )
            if (bytesRead === 0) break
            length += bytesRead
          }
          return length
        },
        close: () => handle.close(),
      }
    } catch (error) {
      await handle.close()
      throw error
    }
  },
}
