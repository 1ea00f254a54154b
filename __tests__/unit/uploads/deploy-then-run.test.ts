import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { parse } from 'test-results-parser'
import { execute, type ExecuteHooks, type RunReport } from '../../../src/flow/execute.js'
import { runJunit } from '../../../src/report/junit.js'
import { writeJunitFile } from '../../../src/report/junit-file.js'
import { outputsOf } from '../../../src/report/outputs.js'
import { stepVerdict } from '../../../src/report/step.js'
import { summaryMarkdown } from '../../../src/report/summary.js'
import { uploadsExitCode, uploadsVerdict } from '../../../src/report/uploads.js'
import { CLEANUP_BUDGET_MS, Inputs } from '../../../src/shared/constants.js'
import type { HttpRequest } from '../../../src/spotfire/http.js'
import { getSettings, type Settings } from '../../../src/settings/index.js'
import { inputWords, type Logger } from '../../../src/spotfire/types.js'
import type { UploadResult } from '../../../src/uploads/result.js'
import { FakeClock } from '../fake-clock.js'
import { FakeTransport } from '../fake-transport.js'
import { HangingTransport } from '../hanging-transport.js'
import { VirtualLibrary } from '../virtual-library.js'
import { diskSource, tempTree } from '../settings/helpers.js'
import { VirtualServer } from '../virtual-server.js'
import { FakeLibrary } from './fake-library.js'

const SERVER = 'https://spotfire.example.com'
const dir = mkdtempSync(join(tmpdir(), 'junit-'))
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** A step that uploads `files` and runs /Jobs/Refresh, against a fake library and a virtual server. */
async function deployThenRun(
  options: { existing?: boolean; overwrite?: boolean } = {},
): Promise<{ report: RunReport; library: FakeLibrary; server: VirtualServer; log: string[] }> {
  const workspace = tempTree({ 'dist/Sales.dxp': 'DXP1', 'dist/Costs.dxp': 'DXP22' })
  const settings: Settings = getSettings(
    diskSource(workspace, {
      [Inputs.LibraryUpload]: 'dist/*.dxp -> /Reports/',
      [Inputs.LibraryOverwrite]: String(options.overwrite ?? false),
      [Inputs.LibraryPath]: '/Jobs/Refresh',
      [Inputs.ServerUrl]: SERVER,
    }),
  )
  const clock = new FakeClock()
  const server = new VirtualServer(clock, { '/Jobs/Refresh': { ms: 3000 } })
  const library = new FakeLibrary()
  if (options.existing === true) {
    library.addFolder('/Reports')
    library.addItem('/Reports/Sales', 'spotfire.dxp', 'OLD')
  }
  const log: string[] = []
  const logger: Logger = {
    debug: () => undefined,
    info: (m) => log.push(m),
    warning: (m) => log.push(`warning: ${m}`),
  }
  const transport = new FakeTransport([], { autoTokens: true, otherwise: server.answer })
  const report = await run(settings, { clock, logger, transport, library })
  return { report, library, server, log }
}

/** The step's flow with these parts; the library is the real client over `transport` if none. */
async function run(
  settings: Settings,
  parts: Pick<ExecuteHooks, 'clock' | 'logger' | 'transport' | 'library'>,
): Promise<RunReport> {
  const report = await execute(settings, {
    ...parts,
    onToken: () => undefined,
    cancelSignal: new AbortController().signal,
    abortReason: (why) => `test ${why}`,
    random: () => 0.5,
    words: inputWords,
  })
  if (report.kind !== 'run') throw new Error('expected a run')
  return report
}

describe('deploy, then run', () => {
  it('uploads every file before the first job starts', async () => {
    const { report, library, server } = await deployThenRun()
    expect(report.uploads.map((u) => [u.path, u.outcome])).toEqual([
      ['/Reports/Costs', 'uploaded'],
      ['/Reports/Sales', 'uploaded'],
    ])
    expect(library.contentOf('/Reports/Sales', 'spotfire.dxp')).toBe('DXP1')
    expect(report.results.map((r) => r.outcome.kind)).toEqual(['finished'])
    expect(server.jobs).toHaveLength(1)
  })

  it('starts no job when an upload fails: a release must not refresh a half-deployed library', async () => {
    const { report, server, log } = await deployThenRun({ existing: true })
    expect(report.uploads.find((u) => u.path === '/Reports/Sales')?.outcome).toBe('failed')
    expect(server.jobs).toHaveLength(0)
    expect(report.results).toEqual([
      expect.objectContaining({ outcome: { kind: 'skipped', because: 'upload-failed' } }),
    ])
    expect(log).toContain('An upload failed: no job is started.')
    const verdict = stepVerdict(report.uploads, report.results, {
      timeoutMs: 60_000,
      failOnJobFailure: true,
    })
    expect(verdict.ok).toBe(false)
    expect(verdict.text).toMatch(/library-overwrite: true/)
    expect(verdict.text).toMatch(/No job was started/)
  })

  it('replaces an item with library-overwrite, keeping its id, then runs the job', async () => {
    const { report, library } = await deployThenRun({ existing: true, overwrite: true })
    const sales = report.uploads.find((u) => u.path === '/Reports/Sales')
    expect(sales?.outcome).toBe('replaced')
    expect(sales?.id).toBe(library.itemAt('/Reports/Sales')?.id)
    expect(library.contentOf('/Reports/Sales', 'spotfire.dxp')).toBe('DXP1')
    expect(report.results[0]?.outcome.kind).toBe('finished')
  })
})

describe('what the reports say of uploads', () => {
  const uploaded: UploadResult = {
    file: 'dist/Sales.dxp',
    path: '/Reports/Sales',
    type: 'spotfire.dxp',
    id: '6f1c2a4e-0000-4000-8000-000000000001',
    bytes: 2048,
    outcome: 'uploaded',
  }
  const refused: UploadResult = {
    ...uploaded,
    path: '/Reports/Costs',
    outcome: 'failed',
    problem: '/Reports/Costs exists in the library, and library-overwrite: false.',
    refused: true,
  }
  const lost: UploadResult = {
    ...uploaded,
    outcome: 'failed',
    problem: 'no answer in time',
    refused: false,
  }

  it('gives the uploads output: file, path, id, bytes and outcome', () => {
    const outputs = outputsOf([], { durationMs: 0, uploads: [uploaded] })
    expect(JSON.parse(outputs.uploads ?? '')).toEqual([
      {
        file: 'dist/Sales.dxp',
        path: '/Reports/Sales',
        id: uploaded.id,
        bytes: 2048,
        outcome: 'uploaded',
        problem: null,
      },
    ])
  })

  it('exits 2 when the library refused an upload, 3 when it failed on this side', () => {
    expect(uploadsExitCode([uploaded])).toBe(0)
    expect(uploadsExitCode([uploaded, refused])).toBe(2)
    expect(uploadsExitCode([refused, lost])).toBe(3)
  })

  it('puts an uploads table above the jobs, the item linked to its library page', () => {
    const markdown = summaryMarkdown([], { serverUrl: SERVER, uploads: [uploaded, refused] })
    expect(markdown).toContain('**Uploads to the library** · 1 uploaded · 1 failed')
    expect(markdown).toContain(
      `[\`/Reports/Sales\`](${SERVER}/spotfire/library?guid=${uploaded.id})`,
    )
    expect(markdown).not.toContain('| | Job |')
  })

  it('says how many went in, or each distinct problem once', () => {
    expect(uploadsVerdict([uploaded])).toBe('Uploaded one file to the library.')
    expect(uploadsVerdict([refused, { ...refused, file: 'b' }])).toBe(
      `The upload to the library failed: ${refused.problem ?? ''}`,
    )
  })

  it('gives each upload a JUnit test case, read back by a JUnit parser', () => {
    const file = join(dir, 'nested', 'report.xml')
    expect(
      writeJunitFile(file, runJunit({ uploads: [uploaded, refused], results: [], startedAt: 0 })),
    ).toBeUndefined()
    expect(readFileSync(file, 'utf8')).toContain('spotfire.uploads')
    const report = parse({ type: 'junit', files: [file] })
    expect(report.suites[0]?.cases.map((c) => [c.name, c.status])).toEqual([
      ['/Reports/Sales', 'PASS'],
      ['/Reports/Costs', 'FAIL'],
    ])
  })
})

describe('an upload ends on time', () => {
  it('a chunk the server never answers is waited for until the timeout and its cleanup budget only, whatever request-timeout is', async () => {
    const workspace = tempTree({ 'dist/Sales.dxp': 'DXP1' })
    const settings: Settings = getSettings(
      diskSource(workspace, {
        [Inputs.LibraryUpload]: 'dist/Sales.dxp -> /Reports/',
        [Inputs.LibraryPath]: '/Jobs/Refresh',
        [Inputs.ServerUrl]: SERVER,
        [Inputs.Timeout]: '20s',
        [Inputs.RequestTimeout]: '2m',
      }),
    )
    const clock = new FakeClock()
    const server = new VirtualServer(clock, { '/Jobs/Refresh': { ms: 3000 } })
    const library = new VirtualLibrary()
    const inner = new FakeTransport([], {
      autoTokens: true,
      otherwise: (request) =>
        request.url.includes('/library/v2/') ? library.answer(request) : server.answer(request),
    })
    const chunk = (request: HttpRequest): boolean =>
      /\/library\/v2\/upload\/[^?]+\?/.test(request.url)
    const hung = new HangingTransport(inner, clock, 2 * 60_000, chunk)
    const logger = { debug: () => undefined, info: () => undefined, warning: () => undefined }
    const report = await run(settings, { clock, logger, transport: hung })
    expect(hung.hung).toHaveLength(1)
    expect(clock.elapsed()).toBeLessThanOrEqual(20_000 + CLEANUP_BUDGET_MS)
    expect(report.uploads[0]?.outcome).toBe('failed')
    expect(server.jobs).toHaveLength(0)
  })
})
