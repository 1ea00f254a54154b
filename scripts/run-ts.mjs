// Runs a TypeScript script of the project's (`node scripts/run-ts.mjs bench/bench.ts [args]`):
// bundles it with ncc into a scratch folder, so that it can use src/ (the simulator, the
// local runner) as it is, then runs the bundle from the project's folder.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'

const [entry, ...args] = process.argv.slice(2)
if (entry === undefined) throw new Error('Usage: node scripts/run-ts.mjs <file.ts> [args]')
// Inside node_modules, so that a package left out of the bundle (playwright-core finds its own
// files from where it is installed) still resolves.
const cache = join('node_modules', '.cache')
mkdirSync(cache, { recursive: true })
const out = mkdtempSync(join(cache, 'run-ts-'))
execFileSync(
  process.execPath,
  [
    'node_modules/@vercel/ncc/dist/ncc/cli.js',
    'build',
    entry,
    '-o',
    out,
    '--quiet',
    '--external',
    'playwright-core',
  ],
  { stdio: 'inherit' },
)
execFileSync(process.execPath, [join(out, 'index.js'), ...args], {
  stdio: 'inherit',
  env: { ...process.env, PROJECT_ROOT: process.cwd() },
})
