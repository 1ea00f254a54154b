import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLogRenderer, runStep } from './local-runner.js'
import { SAMPLE_LIBRARY, startSimulator } from '../simulator/index.js'

/**
 * `npm run demo`: starts the simulator, runs the bundled action against it as the runner would,
 * and prints the action's log, outputs and job summary. Needs nothing but node.
 * `npm run demo -- "/Samples/Failing export"` runs another sample job.
 */
const path = process.argv[2] ?? SAMPLE_LIBRARY[0]?.path ?? ''
if (path.startsWith('-')) {
  console.log(
    `Usage: npm run demo [-- "<library path>"]\nSample jobs: ${SAMPLE_LIBRARY.map((i) => i.path).join(', ')} ("Never ends" runs until the demo's 2-minute timeout, then is aborted).`,
  )
  process.exit(0)
}
const sim = await startSimulator()
const rule = (title: string): void => {
  process.stdout.write(`\n── ${title} ${'─'.repeat(Math.max(0, 60 - title.length))}\n`)
}
try {
  console.log(
    `Spotfire simulator on ${sim.url}; sample jobs: ${SAMPLE_LIBRARY.map((i) => i.path).join(', ')}`,
  )
  rule(`action log: library-upload, then library-path ${path}`)
  let printed = 0
  const render = createLogRenderer()
  const run = await runStep({
    // dist/demo/index.js -> dist/index.js, the action itself (kept out of ncc's reach on purpose).
    entry: join(dirname(fileURLToPath(import.meta.url)), '..', ['index', 'js'].join('.')),
    inputs: {
      'server-url': sim.url,
      'client-id': 'demo-client',
      'client-secret': 'demo-secret',
      // A release: the analysis goes into the library first, then the job refreshes it.
      'library-upload': 'analyses/Sales overview.dxp -> /Samples/Release/',
      'library-overwrite': 'true',
      'library-path': path,
      'poll-interval': '1s',
      timeout: '2m',
    },
    files: { 'analyses/Sales overview.dxp': 'A stand-in for an analysis file.\n' },
    // Whole lines only, shown as the runner shows them (masks applied, no debug lines).
    onOutput: (log) => {
      const complete = log.lastIndexOf('\n') + 1
      for (const line of log.slice(printed, complete).split('\n').slice(0, -1)) {
        const shown = render(line)
        if (shown !== undefined) console.log(shown)
      }
      printed = Math.max(printed, complete)
    },
  })
  rule('outputs')
  for (const [name, value] of Object.entries(run.outputs)) console.log(`${name}: ${value}`)
  rule('job summary')
  console.log(run.summary.trim())
  rule('result')
  console.log(
    `The step ${run.exitCode === 0 ? 'succeeded' : `failed (exit code ${String(run.exitCode)})`}; job status: ${run.outputs.status ?? 'none'}`,
  )
  process.exitCode = run.exitCode === 0 ? 0 : 1
} finally {
  await sim.close()
}
