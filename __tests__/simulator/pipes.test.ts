import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'
import { afterEach, expect, it } from '@jest/globals'

// The bundled simulator, as a tester's pipeline runs it: `npm run bundle` first.
const DIST_SIMULATOR = resolve('dist/simulator/index.js')
const METADATA = '/spotfire/.well-known/oauth-authorization-server'

let child: ChildProcessWithoutNullStreams | undefined
afterEach(async () => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    await exited
  }
  child = undefined
})

/** Starts it and reads its first line, as `... | head -1` does, then closes the reader's end. */
async function startThenClose(pipe: 'stdout' | 'both'): Promise<string> {
  // --log-requests writes a line per request: each one a write to the closed pipe.
  const started = spawn(process.execPath, [DIST_SIMULATOR, '--port', '0', '--log-requests'])
  child = started
  let text = ''
  for await (const chunk of started.stdout) {
    text += String(chunk)
    if (text.includes('\n')) break
  }
  const url = /^Spotfire simulator listening on (\S+)/.exec(text)?.[1]
  if (url === undefined) throw new Error(`no url in ${text}`)
  started.stdout.destroy()
  if (pipe === 'both') started.stderr.destroy()
  return url
}

it.each(['stdout', 'both'] as const)(
  'keeps serving after the reader closes %s, as `| head -1` does',
  async (pipe) => {
    const url = await startThenClose(pipe)
    // Each answered request writes a log line to the closed pipe; the next must still be served.
    for (let i = 0; i < 5; i++) {
      const answer = await fetch(`${url}${METADATA}`)
      expect(answer.status).toBe(200)
      await answer.arrayBuffer()
    }
    expect(child?.exitCode).toBeNull()
    expect(child?.signalCode).toBeNull()
  },
)
