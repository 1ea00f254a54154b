// Rebuilds dist/ from src/: one ncc bundle per entry point, each with the licences of what it bundles.
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'

const entries = [
  ['src/index.ts', 'dist'],
  ['src/post.ts', 'dist/post'],
  ['src/cli/index.ts', 'dist/cli'],
  ['src/simulator/main.ts', 'dist/simulator'],
  ['src/demo/index.ts', 'dist/demo'],
]

rmSync('dist', { recursive: true, force: true })
for (const [source, out] of entries) {
  execFileSync(
    process.execPath,
    [
      'node_modules/@vercel/ncc/dist/ncc/cli.js',
      'build',
      source,
      '-o',
      out,
      '--license',
      'licenses.txt',
      '--quiet',
    ],
    { stdio: 'inherit' },
  )
}
