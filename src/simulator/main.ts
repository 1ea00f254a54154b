#!/usr/bin/env node
// The bundled entry point (dist/simulator/index.js); everything else lives in cli.ts.
import { runSimulatorCli } from './cli.js'

runSimulatorCli(process.argv.slice(2)).then(
  (run) => {
    process.exitCode = run.exitCode
  },
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    )
    process.exitCode = 1
  },
)
