import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'

// Only the checks before anything is built, committed or tagged: `npm` is a stub that fails, so a
// run that passes every check stops at `npm ci`. The script never pushes.

const SCRIPT = resolve('scripts/release.sh')

const CHANGELOG = `# Changelog

## [Unreleased]

## [1.3.0] - 2026-12-01

- Something new.

## [1.2.3] - 2026-11-30

- A fix.
`

let dir: string
let repo: string
let env: NodeJS.ProcessEnv

function git(...args: string[]): string {
  const run = spawnSync('git', args, { cwd: repo, env, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${run.stderr}`)
  return run.stdout
}

function release(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('bash', [SCRIPT, ...args], { cwd: repo, env, encoding: 'utf8' })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'release-test-'))
  repo = join(dir, 'repo')
  const bin = join(dir, 'bin')
  mkdirSync(repo)
  mkdirSync(bin)
  writeFileSync(join(bin, 'npm'), '#!/bin/sh\necho "npm stub: npm $*" >&2\nexit 97\n')
  chmodSync(join(bin, 'npm'), 0o755)
  env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_')))
  Object.assign(env, {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Release Test',
    GIT_AUTHOR_EMAIL: 'release-test@example.invalid',
    GIT_COMMITTER_NAME: 'Release Test',
    GIT_COMMITTER_EMAIL: 'release-test@example.invalid',
  })
  git('init', '--quiet', '--initial-branch=main')
  writeFileSync(join(repo, 'CHANGELOG.md'), CHANGELOG)
  writeFileSync(join(repo, 'package.json'), '{ "name": "x", "version": "1.0.0" }\n')
  git('add', '.')
  git('commit', '--quiet', '-m', 'Initial')
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('scripts/release.sh validation', () => {
  it('prints its usage without exactly one argument', () => {
    for (const args of [[], ['1.2.3', '1.2.4'], ['--help']]) {
      const run = release(...args)
      expect(run.status).toBe(2)
      expect(run.stderr).toContain('Usage: scripts/release.sh MAJOR.MINOR.PATCH')
    }
  })

  it.each(['not-a-version', '1.2', '1.2.3.4', '01.2.3', '1.2.3-beta.1', 'v', ''])(
    'refuses the version %j',
    (version) => {
      const run = release(version)
      expect(run.status).toBe(1)
      expect(run.stderr).toContain('is not a release version: expected MAJOR.MINOR.PATCH')
    },
  )

  it('refuses a dirty working tree: an untracked file', () => {
    writeFileSync(join(repo, 'notes.txt'), 'draft\n')
    const run = release('1.2.3')
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('the working tree is not clean')
    expect(run.stderr).toContain('notes.txt')
  })

  it('refuses a dirty working tree: a changed file', () => {
    writeFileSync(join(repo, 'package.json'), '{ "name": "y", "version": "1.0.0" }\n')
    const run = release('1.2.3')
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('the working tree is not clean')
  })

  it('refuses a branch other than main', () => {
    git('checkout', '--quiet', '-b', 'feature')
    const run = release('1.2.3')
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('releases are made from main, but HEAD is feature')
  })

  it('refuses a version that is not greater than the latest tag', () => {
    git('tag', '-a', 'v1.2.3', '-m', 'Release v1.2.3')
    git('tag', 'v-not-a-release')
    const same = release('1.2.3')
    expect(same.status).toBe(1)
    expect(same.stderr).toContain('the tag v1.2.3 already exists')
    const older = release('1.2.0')
    expect(older.status).toBe(1)
    expect(older.stderr).toContain('1.2.0 is not greater than the latest release, v1.2.3')
  })

  it('compares versions as numbers, not text', () => {
    git('tag', 'v1.2.10')
    const run = release('1.2.9')
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('1.2.9 is not greater than the latest release, v1.2.10')
  })

  it('refuses a version without a CHANGELOG.md section', () => {
    const run = release('1.2.4')
    expect(run.status).toBe(1)
    expect(run.stderr).toContain("CHANGELOG.md has no '## [1.2.4] - YYYY-MM-DD' section")
  })

  it('does not mistake 1.3.0 for 103.0 in CHANGELOG.md', () => {
    writeFileSync(join(repo, 'CHANGELOG.md'), CHANGELOG.replace('[1.3.0]', '[1x3.0]'))
    git('commit', '--quiet', '-am', 'Odd heading')
    expect(release('1.3.0').stderr).toContain("CHANGELOG.md has no '## [1.3.0]")
  })

  it('goes on to npm ci once every check passes, and tags nothing when that fails', () => {
    git('tag', '-a', 'v1.2.3', '-m', 'Release v1.2.3')
    const run = release('v1.3.0')
    expect(run.stdout).toContain('== Releasing v1.3.0 (latest release: v1.2.3; major tag: v1)')
    expect(run.stderr).toContain('npm stub: npm ci')
    expect(run.status).toBe(97)
    expect(git('tag', '--list').trim().split('\n')).toEqual(['v1.2.3'])
    expect(run.stdout).not.toContain('git push')
  })
})
