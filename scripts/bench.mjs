// Measures what the action costs a workflow beyond the job itself, with public tools only:
// whole-process wall time of `node dist/index.js` (a) rejecting invalid input and (b) running a
// job that the simulator finishes at once (token, start, report), against a bare `node -e 0`.
// Usage: node scripts/bench.mjs [runs]   (results are recorded in docs/benchmarks.md)
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const runs = Number(process.argv[2] ?? 20)
const dir = mkdtempSync(join(tmpdir(), 'spotfire-bench-'))
for (const name of ['output', 'state', 'summary']) writeFileSync(join(dir, name), '')
const runnerEnv = {
  PATH: process.env.PATH,
  GITHUB_OUTPUT: join(dir, 'output'),
  GITHUB_STATE: join(dir, 'state'),
  GITHUB_STEP_SUMMARY: join(dir, 'summary'),
}

const simulator = spawn(process.execPath, ['dist/simulator/index.js', '--port', '0'])
const url = await new Promise((resolve, reject) => {
  let text = ''
  simulator.stdout.on('data', (chunk) => {
    text += chunk
    const match = /listening on (\S+)/.exec(text)
    if (match) resolve(match[1])
  })
  simulator.on('exit', () => reject(new Error('the simulator did not start')))
})

function time(label, args, env) {
  const samples = []
  spawnSync(process.execPath, args, { env }) // warm-up
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint()
    spawnSync(process.execPath, args, { env })
    samples.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  samples.sort((a, b) => a - b)
  const median = samples[Math.floor(samples.length / 2)]
  console.log(
    `${label.padEnd(48)} median ${median.toFixed(0)} ms  (min ${samples[0].toFixed(0)}, max ${samples.at(-1).toFixed(0)}, ${runs} runs)`,
  )
}

const job = `<as:Job xmlns:as="urn:tibco:spotfire.dxp.automation"><as:Tasks/></as:Job>`
console.log(`node ${process.version}, ${runs} runs each`)
time('node -e 0 (bare Node.js start)', ['-e', '0'], runnerEnv)
time('action, invalid input (no request)', ['dist/index.js'], runnerEnv)
time('action, wait: false (token + start + report)', ['dist/index.js'], {
  ...runnerEnv,
  'INPUT_SERVER-URL': url,
  'INPUT_CLIENT-ID': 'demo-client',
  'INPUT_CLIENT-SECRET': 'demo-secret',
  'INPUT_JOB-XML': job,
  INPUT_WAIT: 'false',
})
simulator.kill()
