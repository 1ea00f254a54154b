import { EventEmitter } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  CliUsageError,
  parseCliArgs,
  runSimulatorCli,
  USAGE,
  type CliIo,
} from '../../src/simulator/cli.js'
import { getToken } from './helpers.js'

function items(argv: string[]): unknown {
  const command = parseCliArgs(argv)
  if (command.kind !== 'run') throw new Error('expected a run command')
  return command.options.libraryItems
}

describe('--library-item', () => {
  it('reads folders, files typed by their extension, and typed items without a file', () => {
    expect(
      items([
        '--library-item',
        '/Sales/',
        '--library-item=/Sales/Weekly report=build/Weekly.DXP',
        '--library-item',
        '/Data/Sales=out/sales.sbdf',
        '--library-item',
        'mod:/Mods/Gauge',
        '--library-item',
        'sbdf:/Data/Raw=out/raw.bin',
        '--library-item',
        'folder:/Archive',
        '--library-item',
        '/Odd = name=x.mod',
      ]),
    ).toEqual([
      { path: '/Sales', type: 'spotfire.folder' },
      { path: '/Sales/Weekly report', type: 'spotfire.dxp', file: 'build/Weekly.DXP' },
      { path: '/Data/Sales', type: 'spotfire.sbdf', file: 'out/sales.sbdf' },
      { path: '/Mods/Gauge', type: 'spotfire.mod' },
      { path: '/Data/Raw', type: 'spotfire.sbdf', file: 'out/raw.bin' },
      { path: '/Archive', type: 'spotfire.folder' },
      { path: '/Odd ', type: 'spotfire.mod', file: ' name=x.mod' },
    ])
  })

  it.each([
    [['--library-item', 'Sales/Weekly=a.dxp'], 'must be [TYPE:]PATH[=FILE]'],
    [['--library-item', 'xls:/Sales/Weekly'], 'TYPE one of dxp, sbdf, mod, folder'],
    [
      ['--library-item', '/Sales/Weekly'],
      '/Sales/Weekly needs a FILE (.dxp, .sbdf or .mod) or a TYPE (dxp:/Sales/Weekly)',
    ],
    [
      ['--library-item', '/Sales/Weekly=notes.txt'],
      'the type of notes.txt is not known by its extension',
    ],
    [['--library-item', '/Sales/=a.dxp'], 'a folder has no FILE'],
    [['--library-item', '/Sales/Weekly='], 'needs a FILE after ='],
    [['--library-item', '/'], 'the root folder / is always there'],
    [['--library-item', 'dxp:Sales'], 'needs a PATH starting with /'],
    [
      ['--library-item', '/A=a.dxp', '--library-item', 'dxp:/A'],
      '/A (spotfire.dxp) is given twice',
    ],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError)
    expect(() => parseCliArgs(argv)).toThrow(message)
  })

  it('is documented in --help, apart from --library-job', () => {
    expect(USAGE).toContain('--library-item <spec>')
    expect(USAGE).toContain('[TYPE:]PATH[=FILE]')
    expect(USAGE).toContain('upload-chunk')
  })
})

describe('the simulator started with --library-item', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  function fakeIo(): CliIo & { lines: string[]; errors: string[] } {
    const lines: string[] = []
    const errors: string[] = []
    return {
      lines,
      errors,
      out: (line) => lines.push(line),
      err: (line) => errors.push(line),
      readFile: (path) => readFileSync(path, 'utf8'),
      signals: new EventEmitter(),
    }
  }

  it('serves the items, with the file’s bytes, and lists them in the banner', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'library-item-'))
    dirs.push(dir)
    const file = join(dir, 'weekly.dxp')
    writeFileSync(file, Buffer.from([0, 1, 2, 255]))
    const io = fakeIo()
    const run = await runSimulatorCli(
      ['--port', '0', '--library-item', '/Sales/', '--library-item', `/Sales/Weekly=${file}`],
      io,
    )
    try {
      expect(run.exitCode).toBe(0)
      const url = /listening on (\S+)$/.exec(io.lines[0] ?? '')?.[1] ?? ''
      expect(io.lines).toContain('Library items (Library REST API v2):')
      expect(io.lines).toContain(`  /Sales/Weekly  spotfire.dxp from ${file}`)
      const token = await getToken({ url } as Parameters<typeof getToken>[0])
      const answer = await fetch(
        `${url}/spotfire/api/rest/library/v2/items?path=${encodeURIComponent('/Sales/Weekly')}&type=spotfire.dxp&maxResults=1`,
        { headers: { Authorization: `Bearer ${token}` } },
      )
      expect(answer.status).toBe(200)
      expect(await answer.json()).toMatchObject({
        items: [{ title: 'Weekly', type: 'spotfire.dxp', size: 4 }],
      })
    } finally {
      await run.stop()
    }
  })

  it('exits 1 when a FILE cannot be read', async () => {
    const io = fakeIo()
    const run = await runSimulatorCli(['--port', '0', '--library-item', '/A=/no/such/file.dxp'], io)
    expect(run.exitCode).toBe(1)
    expect(io.errors.join('\n')).toContain('The simulator could not start')
    expect(io.errors.join('\n')).toContain('/no/such/file.dxp')
  })
})
