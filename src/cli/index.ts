#!/usr/bin/env node
import { runCli } from './cli.js'

const cancel = new AbortController()
const onSignal = (signal: NodeJS.Signals): void => {
  if (cancel.signal.aborted) {
    // A second Ctrl+C: stop waiting for the abort and go, as a person at a terminal expects.
    process.exit(130)
  }
  process.stderr.write(`Received ${signal}: aborting the job (again to quit at once).\n`)
  cancel.abort()
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  cancelSignal: cancel.signal,
})
process.off('SIGINT', onSignal)
process.off('SIGTERM', onSignal)
