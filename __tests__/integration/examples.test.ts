import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { parse as parseJunit } from 'test-results-parser'
import { parse } from 'yaml'
import { startSimulator, type Simulator } from '../../src/simulator/index.js'
import { CLIENT_ID, CLIENT_SECRET } from './harness.js'

/**
 * The README's snippets for other CI systems, and the packed CLI, run as a user would run them:
 * shell commands in a fresh folder, against the simulator. Only the addresses change: the clone
 * comes from a local copy of this repository, tagged v1, and the server is the simulator.
 */

const README = readFileSync('README.md', 'utf8')
const REPOSITORY = 'https://github.com/your-org/spotfire-automation-services-action.git'
const JOB = '/Jobs/Refresh sales overview'

let sim: Simulator
let origin: string
beforeAll(async () => {
  sim = await startSimulator({
    library: [
      {
        path: JOB,
        id: '5f0c2a1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b',
        lifecycle: { phases: [{ status: 'InProgress', ms: 300 }], final: { status: 'Finished' } },
      },
    ],
  })
  // What a release looks like to a user: a repository with a v1 tag, at this commit.
  origin = join(mkdtempSync(join(tmpdir(), 'release-')), 'action.git')
  execFileSync('git', ['clone', '--quiet', '--bare', resolve('.'), origin])
  execFileSync('git', ['--git-dir', origin, 'tag', '-f', 'v1', 'HEAD'])
})
afterAll(async () => {
  await sim.close()
})

/** The code block in the README's section for `system` (GitLab, Jenkins). */
function snippet(system: string, language: string): string {
  const section = README.slice(README.indexOf(`${system} (`))
  const match = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section)
  if (match?.[1] === undefined) throw new Error(`no ${language} snippet for ${system}`)
  return match[1]
}

/** A README command with its addresses swapped for local ones: the clone, the server, /tmp. */
function local(command: string, cwd: string): string {
  return command
    .replaceAll('/tmp/spotfire', join(cwd, 'spotfire'))
    .replaceAll(REPOSITORY, `file://${origin}`)
    .replaceAll('https://spotfire.example.com', sim.url)
}

/**
 * Runs one shell command as a CI system would, with the credentials in its environment. Not
 * spawnSync: the simulator answers from this process, which must keep running meanwhile.
 */
function shell(command: string, cwd: string): Promise<{ status: number | null; output: string }> {
  const child = spawn('sh', ['-c', command], {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SPOTFIRE_SERVER_URL: sim.url,
      SPOTFIRE_CLIENT_ID: CLIENT_ID,
      SPOTFIRE_CLIENT_SECRET: CLIENT_SECRET,
    },
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return new Promise((done) => {
    child.on('close', (status) => {
      done({ status, output })
    })
  })
}

describe('the README snippets for other CI systems run as written', () => {
  it('GitLab CI: the script lines, then the JSON result as an artifact', async () => {
    const job = Object.values(
      parse(snippet('GitLab CI', 'yaml')) as Record<string, unknown>,
    )[0] as {
      script: string[]
      artifacts: { paths: string[]; reports: { junit: string } }
    }
    const workspace = mkdtempSync(join(tmpdir(), 'gitlab-'))
    for (const line of job.script) {
      const { status, output } = await shell(local(line, workspace), workspace)
      expect({ line, status, output }).toMatchObject({ status: 0 })
    }
    const [artifact] = job.artifacts.paths
    const result = JSON.parse(readFileSync(join(workspace, artifact ?? ''), 'utf8')) as unknown
    expect(result).toMatchObject({ ok: true, jobs: [{ source: JOB, status: 'Finished' }] })
    const junit = parseJunit({
      type: 'junit',
      files: [join(workspace, job.artifacts.reports.junit)],
    })
    expect(junit.suites[0]?.cases.map((c) => [c.name, c.status])).toEqual([[JOB, 'PASS']])
  })

  it('Azure Pipelines: the script step, then the JUnit file PublishTestResults reads', async () => {
    const [step, publish] = (parse(snippet('Azure Pipelines', 'yaml')) as { steps: unknown[] })
      .steps as [{ script: string }, { inputs: { testResultsFiles: string } }]
    const workspace = mkdtempSync(join(tmpdir(), 'azure-'))
    for (const line of step.script.trim().split('\n')) {
      const command = local(line, workspace).replaceAll('$(Agent.TempDirectory)', workspace)
      const { status, output } = await shell(command, workspace)
      expect({ line, status, output }).toMatchObject({ status: 0 })
    }
    const junit = parseJunit({
      type: 'junit',
      files: [join(workspace, publish.inputs.testResultsFiles)],
    })
    expect(junit.suites[0]?.cases.map((c) => [c.name, c.status])).toEqual([[JOB, 'PASS']])
  })

  it('Jenkins: the sh steps, twice in the same workspace, as a persistent agent keeps it', async () => {
    const groovy = snippet('Jenkins', 'groovy')
    const steps = [...groovy.matchAll(/sh '([^']+)'/g)].map((m) => m[1] ?? '')
    const [, report = ''] = /junit '([^']+)'/.exec(groovy) ?? []
    expect(steps).toHaveLength(2)
    const workspace = mkdtempSync(join(tmpdir(), 'jenkins-'))
    for (const build of [1, 2]) {
      for (const step of steps) {
        const { status, output } = await shell(local(step, workspace), workspace)
        expect({ build, step, status, output }).toMatchObject({ status: 0 })
      }
    }
    expect(sim.jobs.filter((job) => job.source.kind === 'library').length).toBeGreaterThanOrEqual(2)
    const junit = parseJunit({ type: 'junit', files: [join(workspace, report)] })
    expect(junit.total).toBe(1)
  })
})

describe('the CLI installs like a package', () => {
  it('packs only what runs, installs into an empty folder, and runs a job', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spotfire-pack-'))
    const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
      encoding: 'utf8',
    })
    const [tarball] = JSON.parse(packed) as { filename: string; files: { path: string }[] }[]
    const files = (tarball?.files ?? []).map((file) => file.path)
    expect(
      files.every((path) =>
        /^(dist\/(cli|simulator)\/|dist\/package\.json$|LICENSE$|README\.md$|package\.json$)/.test(
          path,
        ),
      ),
    ).toBe(true)
    expect(files).toContain('dist/cli/index.js')

    const project = join(dir, 'user-project')
    execFileSync('mkdir', ['-p', project])
    execFileSync('npm', ['init', '-y'], { cwd: project, stdio: 'ignore' })
    // Offline: the package has no dependencies to fetch, and a test reaches nothing but loopback.
    execFileSync(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', join(dir, tarball?.filename ?? '')],
      { cwd: project, stdio: 'ignore' },
    )
    const bin = join(project, 'node_modules', '.bin')
    expect(readdirSync(bin).sort()).toEqual(['spotfire-as-job', 'spotfire-simulator'])
    expect(
      existsSync(join(project, 'node_modules', 'spotfire-automation-services-action', 'src')),
    ).toBe(false)

    const help = spawnSync(join(bin, 'spotfire-as-job'), ['--help'], { encoding: 'utf8' })
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('Usage: spotfire-as-job')

    const { status, output } = await shell(
      `${join(bin, 'spotfire-as-job')} --library-path "${JOB}" --json`,
      project,
    )
    expect({ status, output }).toMatchObject({ status: 0 })
    expect(output).toContain('"outcome":"finished"')
  })
})
