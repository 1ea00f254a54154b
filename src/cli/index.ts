#!/usr/bin/env node
import { EXIT, runCli } from './cli.js'
import { defuse } from '../shared/workflow-commands.js'
import { errorMessage } from '../spotfire/errors.js'

/**
 * A reader that goes away (`| head`, a closed terminal, a CI agent that stops reading) must not
 * stop the run: a job started is followed to its end, and aborted when it should be. Writes to a
 * closed pipe fail with EPIPE, once as an error event and then on every later write: they are
 * dropped, and the exit code stays the jobs'.
 */
function quietWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') closed = true
    else crash(error)
  })
  return (text) => {
    if (closed || stream.destroyed) return
    try {
      stream.write(text)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error
      closed = true
    }
  }
}

const stdout = quietWriter(process.stdout)
const stderr = quietWriter(process.stderr)

/** Made safe to print by the run, once it knows the secrets; until then, by the defusing alone. */
let safe = defuse

/** Anything the run did not catch is a failure on this side: exit 3, never Node's own 1. */
function crash(error: unknown): never {
  try {
    stderr(safe(`Unexpected error: ${errorMessage(error)}\n`))
  } finally {
    process.exit(EXIT.clientFailed)
  }
}
process.on('uncaughtException', crash)
process.on('unhandledRejection', crash)

const cancel = new AbortController()
const onSignal = (signal: NodeJS.Signals): void => {
  if (cancel.signal.aborted) {
    // A second Ctrl+C: stop waiting for the abort and go, as a person at a terminal expects.
    process.exit(130)
  }
  stderr(`Received ${signal}: aborting the job (again to quit at once).\n`)
  cancel.abort()
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout,
    stderr,
    env: process.env,
    cwd: process.cwd(),
    cancelSignal: cancel.signal,
    onRedaction: (redact) => {
      safe = redact
    },
  })
} catch (error) {
  crash(error)
}
process.off('SIGINT', onSignal)
process.off('SIGTERM', onSignal)
