import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'

/** The layout rules the code relies on, checked so that they cannot erode unnoticed. */

const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? '')

describe('src/spotfire/', () => {
  const dir = 'src/spotfire'
  const files = readdirSync(dir).filter((name) => name.endsWith('.ts'))

  it.each(files)('%s imports nothing from outside the folder', (name) => {
    const outside = importsOf(join(dir, name)).filter((path) => path.startsWith('..'))
    expect(outside).toEqual([])
  })

  it.each(files)('%s does not use @actions/core, so the CLI can use it', (name) => {
    expect(importsOf(join(dir, name))).not.toContain('@actions/core')
  })
})

describe('the flow', () => {
  it('only the runner adapters import @actions/core', () => {
    const users = readdirSync('src', { recursive: true })
      .map(String)
      .filter((name) => name.endsWith('.ts') && !name.startsWith('simulator'))
      .filter((name) => importsOf(join('src', name)).includes('@actions/core'))
      .sort()
    expect(users).toEqual(['main-step.ts', 'post-step.ts', 'runner.ts'])
  })
})
