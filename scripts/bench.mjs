// `npm run bench [-- --quick]`: bundles bench/bench.ts (TypeScript that uses the simulator in
// process) with ncc into a scratch folder, then runs it. Results go to bench/results.md.
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const out = mkdtempSync(join(tmpdir(), 'spotfire-bench-build-'))
execFileSync(
  process.execPath,
  ['node_modules/@vercel/ncc/dist/ncc/cli.js', 'build', 'bench/bench.ts', '-o', out, '--quiet'],
  { stdio: 'inherit' },
)
execFileSync(process.execPath, [join(out, 'index.js'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, BENCH_ROOT: process.cwd() },
})
