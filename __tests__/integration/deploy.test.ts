import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from '@jest/globals'
import { parse } from 'test-results-parser'
import {
  startSimulator,
  type LibraryItem,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator/index.js'
import { baseInputs, runAction, runCliProcess, type ActionRun } from './harness.js'

/** Deploy, then run: dist/ uploads into the simulator's library as the runner runs it. */

const REFRESH: LibraryItem = {
  path: '/Jobs/Refresh',
  id: '5f0c2a1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b',
  lifecycle: { phases: [{ status: 'InProgress', polls: 1 }], final: { status: 'Finished' } },
}

const sims: Simulator[] = []
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()))
})

async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ library: [REFRESH], ...options })
  sims.push(sim)
  return sim
}

/** A workspace with these files (path -> content). */
function workspace(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-'))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  return dir
}

const errorOf = (run: ActionRun): string =>
  run.annotations.find((a) => a.level === 'error')?.message ?? ''
const uploadsOf = (run: ActionRun): Record<string, unknown>[] =>
  JSON.parse(run.outputs.uploads ?? '[]') as Record<string, unknown>[]
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')
const starts = (sim: Simulator): number =>
  sim.requests.filter((r) => r.endpoint === 'start-library').length

describe('deploy, then run', () => {
  it('uploads the analysis, then runs the job', async () => {
    const sim = await simulator()
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-upload': 'dist/Sales.dxp -> /Reports/Sales',
        'library-path': REFRESH.path,
      }),
      files: { 'dist/Sales.dxp': 'DXP v2' },
    })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    const item = sim.libraryStore.find('/Reports/Sales', 'spotfire.dxp')
    expect(item?.content?.bytes?.toString()).toBe('DXP v2')
    expect(uploadsOf(run)).toEqual([
      expect.objectContaining({ path: '/Reports/Sales', id: item?.id, outcome: 'uploaded' }),
    ])
    expect(run.outputs.status).toBe('Finished')
    // Every upload request came before the start.
    const order = sim.requests.map((r) => r.endpoint)
    expect(order.lastIndexOf('upload-chunk')).toBeLessThan(order.indexOf('start-library'))
    expect(run.summary).toContain('Uploads to the library')
  })

  it('a glob into a folder, in a step that only uploads', async () => {
    const sim = await simulator()
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'library-upload': 'analyses/*.dxp -> /Sales/2027/' }),
      files: { 'analyses/North.dxp': 'N', 'analyses/South.dxp': 'S' },
    })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(sim.libraryStore.find('/Sales/2027', 'spotfire.folder')).toBeDefined()
    expect(uploadsOf(run).map((u) => [u.path, u.outcome])).toEqual([
      ['/Sales/2027/North', 'uploaded'],
      ['/Sales/2027/South', 'uploaded'],
    ])
    expect(starts(sim)).toBe(0)
  })

  it('an item in the way stops the step before any byte moves and before any job', async () => {
    const sim = await simulator({
      libraryItems: [{ path: '/Reports/Sales', type: 'spotfire.dxp', content: Buffer.from('OLD') }],
    })
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-upload': 'new/*.dxp -> /Reports/',
        'library-path': REFRESH.path,
      }),
      files: { 'new/Costs.dxp': 'C', 'new/Sales.dxp': 'S' },
    })
    expect(run.exitCode).toBe(1)
    expect(errorOf(run)).toContain('/Reports/Sales exists in the library')
    expect(errorOf(run)).toContain('library-overwrite: true')
    expect(sim.requests.filter((r) => r.endpoint.startsWith('upload'))).toEqual([])
    expect(starts(sim)).toBe(0)
    expect(sim.libraryStore.find('/Reports/Sales')?.content?.bytes?.toString()).toBe('OLD')
  })

  it('library-overwrite replaces the content, keeping the id', async () => {
    const sim = await simulator({
      libraryItems: [{ path: '/Reports/Sales', type: 'spotfire.dxp', content: Buffer.from('OLD') }],
    })
    const id = sim.libraryStore.find('/Reports/Sales')?.id
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-upload': 'Sales.dxp -> /Reports/Sales',
        'library-overwrite': 'true',
      }),
      files: { 'Sales.dxp': 'NEW' },
    })
    expect(run.exitCode).toBe(0)
    const item = sim.libraryStore.find('/Reports/Sales')
    expect(item?.id).toBe(id)
    expect(item?.content?.bytes?.toString()).toBe('NEW')
    expect(uploadsOf(run)).toEqual([expect.objectContaining({ id, outcome: 'replaced' })])
  })

  it('a file of 40 MiB goes up in chunks of 16 MiB, and arrives whole', async () => {
    const sim = await simulator()
    const bytes = randomBytes(40 * 1024 * 1024)
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'library-upload': 'big.sbdf -> /Data/Big' }),
      files: { 'big.sbdf': bytes },
    })
    expect(errorOf(run)).toBe('')
    const item = sim.libraryStore.find('/Data/Big', 'spotfire.sbdf')
    expect(item?.content?.size).toBe(bytes.length)
    expect(item?.content?.sha256).toBe(sha256(bytes))
    expect(sim.libraryStore.uploads[0]?.chunks).toEqual([1, 2, 3])
  })

  it('a reset on a middle chunk: the item holds exactly the file, from a new upload job', async () => {
    const sim = await simulator({ faults: { 'upload-chunk': { 2: { type: 'reset-after' } } } })
    const bytes = randomBytes(40 * 1024 * 1024)
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'library-upload': 'big.sbdf -> /Data/Big' }),
      files: { 'big.sbdf': bytes },
    })
    expect(errorOf(run)).toBe('')
    const item = sim.libraryStore.find('/Data/Big', 'spotfire.sbdf')
    expect(item?.content?.sha256).toBe(sha256(bytes))
    expect(sim.libraryStore.uploads.map((u) => [u.state, u.chunks])).toEqual([
      ['open', [1, 2]],
      ['finished', [1, 2, 3]],
    ])
  })

  it('a reset after the last chunk stored the file: the next try meets the item, and says so', async () => {
    const sim = await simulator({ faults: { 'upload-chunk': { 1: { type: 'reset-after' } } } })
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-upload': 'a.dxp -> /Data/A',
        'library-path': REFRESH.path,
      }),
      files: { 'a.dxp': 'NEW' },
    })
    expect(run.exitCode).toBe(1)
    expect(sim.libraryStore.find('/Data/A', 'spotfire.dxp')?.content?.size).toBe(3)
    const error = errorOf(run)
    expect(error).toContain('the answer to its last chunk was lost')
    expect(error).toContain('most likely holds this file')
    // No job runs after an upload that failed.
    expect(sim.jobs).toEqual([])
  })

  it('the dry run looks every target up and changes nothing', async () => {
    const sim = await simulator({
      libraryItems: [{ path: '/Reports/Sales', type: 'spotfire.dxp', content: Buffer.from('OLD') }],
    })
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-upload': 'new/*.dxp -> /Reports/\nnew/Costs.dxp -> /Other/Costs',
        'library-overwrite': 'true',
        'library-path': REFRESH.path,
        'dry-run': 'true',
      }),
      files: { 'new/Costs.dxp': 'C', 'new/Sales.dxp': 'S' },
    })
    expect(errorOf(run)).toBe('')
    expect(run.log).toContain('would create the folder /Other')
    expect(run.log).toContain('would replace /Reports/Sales')
    expect(run.log).toContain('would create /Reports/Costs')
    expect(
      sim.requests.filter(
        (r) => r.endpoint === 'library-folder' || r.endpoint.startsWith('upload'),
      ),
    ).toEqual([])
    expect(starts(sim)).toBe(0)
  })

  it('bad local files and a missing scope: every problem at once, and no request', async () => {
    const sim = await simulator()
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-upload': 'missing.dxp -> /R/A\nnotes.txt -> /R/B\nempty.dxp -> /R/C',
        scope: 'api.rest.automation-services-job.execute',
      }),
      files: { 'notes.txt': 'x', 'empty.dxp': '' },
    })
    expect(run.exitCode).toBe(1)
    const error = errorOf(run)
    expect(error).toContain('missing.dxp')
    expect(error).toContain('notes.txt')
    expect(error).toContain('empty.dxp')
    expect(error).toContain('api.library.write')
    expect(sim.requests).toEqual([])
  })

  it('writes the junit-report for a run that fails, and names its version', async () => {
    const sim = await simulator({
      libraryItems: [{ path: '/Reports/Sales', type: 'spotfire.dxp', content: Buffer.from('OLD') }],
    })
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-upload': 'Sales.dxp -> /Reports/Sales',
        'library-path': REFRESH.path,
        'junit-report': 'reports/spotfire.xml',
      }),
      files: { 'Sales.dxp': 'NEW' },
    })
    expect(run.exitCode).toBe(1)
    const report = parse({ type: 'junit', files: [join(run.workspace, 'reports/spotfire.xml')] })
    expect(report.suites.map((suite) => suite.cases.map((c) => [c.name, c.status]))).toEqual([
      [['/Reports/Sales', 'FAIL']],
      [[REFRESH.path, 'SKIP']],
    ])
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
    expect(run.log.split('\n')[0]).toBe(`Spotfire Automation Services action ${pkg.version}`)
    expect(sim.requests[0]?.headers['user-agent']).toBe(
      `spotfire-automation-services-action/${pkg.version}`,
    )
  })

  it('the CLI uploads, then runs, and reports both in its JSON', async () => {
    const sim = await simulator()
    const cwd = workspace({ 'Sales.dxp': 'DXP' })
    const run = await runCliProcess(
      [
        '--server-url',
        sim.url,
        '--library-upload',
        'Sales.dxp -> /Reports/Sales',
        '--library-path',
        REFRESH.path,
        '--poll-interval',
        '100ms',
        '--json',
      ],
      { cwd },
    )
    expect(run.code).toBe(0)
    const json = JSON.parse(run.stdout) as Record<string, unknown>
    expect(json).toMatchObject({
      ok: true,
      uploads: [{ path: '/Reports/Sales', outcome: 'uploaded', bytes: 3 }],
      jobs: [{ source: REFRESH.path, status: 'Finished' }],
    })
  })

  it('the CLI exits 2 when the library refuses an upload', async () => {
    const sim = await simulator({
      libraryItems: [{ path: '/Reports/Sales', type: 'spotfire.dxp', content: Buffer.from('OLD') }],
    })
    const cwd = workspace({ 'Sales.dxp': 'DXP' })
    const run = await runCliProcess(
      ['--server-url', sim.url, '--library-upload', 'Sales.dxp -> /Reports/Sales'],
      { cwd },
    )
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--library-overwrite true')
  })
})
