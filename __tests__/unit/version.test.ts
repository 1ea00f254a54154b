import { readFileSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { VERSION } from '../../src/shared/version.js'

describe('the version', () => {
  it('is the one package.json gives (scripts/release.sh sets both)', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
    expect(VERSION).toBe(pkg.version)
  })
})
