import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { describe, expect, it } from '@jest/globals'

/**
 * The layout rules the code relies on, checked so that they cannot erode unnoticed. Folders are
 * layers: each may import from the ones it lists, never from a layer above it, so that the tree
 * shows the architecture (the server at the bottom, the adapters at the top).
 */
const LAYERS: Record<string, readonly string[]> = {
  /** The Spotfire server: the client, jobs and library. Knows nothing of the product. */
  spotfire: [],
  /** Small helpers every layer may use: clock, durations, secrets, names of inputs. */
  shared: ['spotfire'],
  settings: ['shared', 'spotfire'],
  /** The job flow: start, watch, abort. */
  jobs: ['settings', 'shared', 'spotfire'],
  /** The upload flow: local files into the library. */
  uploads: ['settings', 'shared', 'spotfire'],
  /** The one run both adapters share: session, uploads then jobs, the dry run. */
  flow: ['jobs', 'uploads', 'settings', 'shared', 'spotfire'],
  report: ['flow', 'jobs', 'uploads', 'settings', 'shared', 'spotfire'],
  /** The two adapters: the GitHub runner and the command line. */
  action: ['report', 'flow', 'jobs', 'uploads', 'settings', 'shared', 'spotfire'],
  cli: ['report', 'flow', 'jobs', 'uploads', 'settings', 'shared', 'spotfire'],
  simulator: ['shared'],
  demo: ['simulator'],
}
/** The only files outside a folder: the action's two entry points. */
const ENTRY_POINTS = ['index.ts', 'post.ts']

const importsOf = (file: string): string[] =>
  [
    ...readFileSync(file, 'utf8').matchAll(
      /^(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]/gm,
    ),
  ].map((m) => m[1] ?? m[2] ?? '')

const sources = readdirSync('src', { recursive: true })
  .map(String)
  .filter((name) => name.endsWith('.ts'))
  .sort()

/** The top folder under src/ that a relative import from `file` lands in. */
const layerOf = (file: string, specifier: string): string =>
  normalize(join('src', dirname(file), specifier)).split(/[\\/]/)[1] ?? ''

describe('src/', () => {
  it('holds only the two entry points beside its folders', () => {
    expect(sources.filter((name) => !name.includes('/'))).toEqual(ENTRY_POINTS)
  })

  it('has a rule for every folder', () => {
    const folders = [...new Set(sources.filter((n) => n.includes('/')).map((n) => n.split('/')[0]))]
    expect(folders.filter((folder) => folder !== undefined && !(folder in LAYERS))).toEqual([])
  })

  const layered = sources.filter((name) => name.includes('/'))
  it.each(layered)('%s imports only from the layers below its own', (name) => {
    const own = name.split('/')[0] ?? ''
    const allowed = new Set([own, ...(LAYERS[own] ?? [])])
    const wrong = importsOf(join('src', name))
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => layerOf(name, specifier))
      .filter((layer) => !allowed.has(layer))
    expect(wrong).toEqual([])
  })

  it('only the action adapter imports @actions/core, so the CLI and the flow run without it', () => {
    const users = sources
      .filter((name) => importsOf(join('src', name)).includes('@actions/core'))
      .map((name) => name.split('/')[0])
    expect([...new Set(users)]).toEqual(['action'])
  })

  it('src/spotfire/ imports no package but the HTTP client, so it can move to another product', () => {
    const packages = sources
      .filter((name) => name.startsWith('spotfire/'))
      .flatMap((name) => importsOf(join('src', name)))
      .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:'))
    expect([...new Set(packages)]).toEqual(['@actions/http-client'])
  })
})
