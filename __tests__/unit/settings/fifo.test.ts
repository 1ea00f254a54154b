import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import * as realFs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, jest } from '@jest/globals'

/**
 * A job file swapped for a FIFO between the check and the open. The check by path is made to see
 * the regular file that was there a moment before; only the descriptor that is read tells the truth.
 */
const SWAPPED = 'swapped.xml'
jest.unstable_mockModule('node:fs', () => ({
  ...realFs,
  statSync: (path: string, ...rest: unknown[]): unknown =>
    path.endsWith(SWAPPED)
      ? realFs.statSync(path.replace(SWAPPED, 'regular.xml'))
      : (realFs.statSync as (...args: unknown[]) => unknown)(path, ...rest),
}))
const { FileProblem, nodeFileSystem } = await import('../../../src/settings/files.js')

// Not the settings helpers: they import files.js before the mock above could apply.
const writers: ChildProcess[] = []
const dirs: string[] = []
afterEach(() => {
  for (const writer of writers.splice(0)) writer.kill('SIGKILL')
  for (const dir of dirs.splice(0)) realFs.rmSync(dir, { recursive: true, force: true })
})

describe('a job file swapped for a FIFO after the check', () => {
  it('is refused as not a regular file, read from the descriptor, without hanging', () => {
    const dir = realFs.mkdtempSync(join(tmpdir(), 'fifo-test-'))
    dirs.push(dir)
    realFs.writeFileSync(join(dir, 'regular.xml'), '<a/>')
    const fifo = join(dir, SWAPPED)
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    // A writer, so that a blocking open of the FIFO returns and a read sees its bytes: the step
    // would otherwise hang, or take a pipe for a job file.
    writers.push(spawn('sh', ['-c', `printf '<b/>' > '${fifo}'`]))
    let problem = ''
    try {
      nodeFileSystem.read(fifo, 1024)
    } catch (error) {
      if (!(error instanceof FileProblem)) throw error
      problem = error.message
    }
    expect(problem).toBe('it is not a regular file')
  })
})
