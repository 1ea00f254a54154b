import { symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { Inputs } from '../../../src/shared/constants.js'
import { getSettings, InputError, type UploadSpec } from '../../../src/settings/index.js'
import { MAX_UPLOAD_BYTES } from '../../../src/settings/uploads.js'
import type { FileSystem } from '../../../src/settings/files.js'
import {
  BASE,
  diskSource,
  inputErrorOf,
  memoryFs,
  problemsOf,
  settingsOf,
  tempTree,
} from './helpers.js'

const FILES = memoryFs({
  '/ws/dist/Sales.dxp': 'dxp bytes',
  '/ws/dist/Costs.dxp': 'more dxp',
  '/ws/upper/Costs.DXP': 'more dxp',
  '/ws/dist/notes.txt': 'text',
  '/ws/data/Sales.sbdf': 'sbdf',
  '/ws/mods/Chart.v2.mod': 'mod!',
  '/ws/empty.dxp': '',
  '/ws/dir.dxp/inside.txt': 'x',
})

const uploadsOf = (lines: string, fs: FileSystem = FILES): UploadSpec[] =>
  settingsOf({ [Inputs.LibraryUpload]: lines }, fs).uploads

const upload = (line: string): string[] => problemsOf({ [Inputs.LibraryUpload]: line }, FILES)

describe('library-upload: what is uploaded where', () => {
  it('puts one file at the item path given, typed by its extension', () => {
    expect(uploadsOf('dist/Sales.dxp -> /Releases/Sales overview')).toEqual([
      {
        file: 'dist/Sales.dxp',
        localPath: '/ws/dist/Sales.dxp',
        path: '/Releases/Sales overview',
        folder: '/Releases',
        title: 'Sales overview',
        type: 'spotfire.dxp',
        bytes: 9,
      },
    ])
  })

  it('titles each file in a folder by its name without the extension', () => {
    expect(
      uploadsOf('data/Sales.sbdf -> /Data/\nmods/Chart.v2.mod->/Mods/\nupper/Costs.DXP -> /'),
    ).toEqual([
      expect.objectContaining({
        path: '/Data/Sales',
        folder: '/Data',
        title: 'Sales',
        type: 'spotfire.sbdf',
        bytes: 4,
      }),
      expect.objectContaining({
        path: '/Mods/Chart.v2',
        folder: '/Mods',
        title: 'Chart.v2',
        type: 'spotfire.mod',
      }),
      expect.objectContaining({
        path: '/Costs',
        folder: '/',
        title: 'Costs',
        type: 'spotfire.dxp',
      }),
    ])
  })

  it('expands a pattern into the folder, in sorted order', () => {
    expect(uploadsOf('dist/*.dxp -> /Releases/2024/').map((u) => [u.file, u.path])).toEqual([
      ['dist/Costs.dxp', '/Releases/2024/Costs'],
      ['dist/Sales.dxp', '/Releases/2024/Sales'],
    ])
  })

  it('accepts a pattern that matches one file for an item path', () => {
    expect(uploadsOf('data/*.sbdf -> /Data/Sales data').map((u) => u.path)).toEqual([
      '/Data/Sales data',
    ])
  })

  it('skips blank and # lines, and is valid without any job', () => {
    const settings = settingsOf(
      { [Inputs.LibraryUpload]: '# release\n\ndist/Sales.dxp -> /R/\n' },
      FILES,
    )
    expect(settings.jobs).toEqual([])
    expect(settings.uploads).toHaveLength(1)
    expect(settings.libraryOverwrite).toBe(false)
  })

  it('reads library-overwrite', () => {
    expect(
      settingsOf(
        { [Inputs.LibraryUpload]: 'dist/Sales.dxp -> /R/', [Inputs.LibraryOverwrite]: 'true' },
        FILES,
      ).libraryOverwrite,
    ).toBe(true)
  })

  it('warns about an item titled with its extension', () => {
    const settings = settingsOf({ [Inputs.LibraryUpload]: 'dist/Sales.dxp -> /R/Sales.dxp' }, FILES)
    expect(settings.warnings).toEqual([
      'library-upload: the item /R/Sales.dxp is titled with its extension; library titles have none. Write /R/Sales to title it Sales.',
    ])
  })

  it('measures files without reading them', () => {
    const fs = memoryFs({ '/ws/a.dxp': 'x' })
    uploadsOf('a.dxp -> /R/', fs)
    expect(fs.reads).toEqual([])
  })
})

describe('library-upload: every invalid line reported at once, before any request', () => {
  it('reports each kind of mistake in one InputError', () => {
    const problems = upload(
      [
        'dist/Sales.dxp /Releases/',
        'dist/missing.dxp -> /R/',
        'dir.dxp -> /R/Dir',
        'dist/notes.txt -> /R/',
        'reports/*.dxp -> /R/',
        'dist/*.dxp -> /R/One item',
        'data/Sales.sbdf -> R/Sales',
        'data/Sales.sbdf ->',
        'data/Sales.sbdf -> /R//Sales',
        ' -> /R/',
        'empty.dxp -> /R/',
        'dist/Sales.dxp -> /Twice/',
        'mods/../dist/Sales.dxp -> /twice/Sales',
      ].join('\n'),
    )
    expect(problems).toEqual([
      "Invalid library-upload 'dist/Sales.dxp /Releases/': no ->. Expected LOCAL -> LIBRARY_PATH, such as dist/Sales.dxp -> /Releases/Sales/.",
      "Cannot upload library-upload 'dist/missing.dxp': no such file (ENOENT). Expected a file path relative to the workspace.",
      "Cannot upload library-upload 'dir.dxp': it is a directory. Expected a file path relative to the workspace.",
      "Cannot upload library-upload 'dist/notes.txt': the library takes only .dxp, .sbdf, .mod files (analyses, data files, mods). Expected a file with one of those extensions.",
      "library-upload pattern 'reports/*.dxp' matches no file. Expected a pattern such as dist/*.dxp, relative to the workspace.",
      "Invalid library-upload 'dist/*.dxp -> /R/One item': the pattern matches 2 files, and /R/One item names one item. Expected a library folder ending in / to upload each file into it, or a pattern that matches one file.",
      "Invalid library-upload 'data/Sales.sbdf -> R/Sales': the library path R/Sales is relative. Expected an absolute library path such as /Releases/Sales/ (a folder) or /Releases/Sales/Overview (an item).",
      "Invalid library-upload 'data/Sales.sbdf ->': no library path after ->. Expected LOCAL -> LIBRARY_PATH, such as dist/Sales.dxp -> /Releases/Sales/.",
      "Invalid library-upload 'data/Sales.sbdf -> /R//Sales': the library path /R//Sales has an empty name between two /. Expected a name for every folder.",
      "Invalid library-upload '-> /R/': no local file before ->. Expected LOCAL -> LIBRARY_PATH, such as dist/Sales.dxp -> /Releases/Sales/.",
      "Cannot upload library-upload 'empty.dxp': it is empty. Expected a file path relative to the workspace.",
      "Two library-upload files go to the library path /twice/Sales: 'dist/Sales.dxp' and 'mods/../dist/Sales.dxp'. Expected one file per library item.",
    ])
  })

  it('reports upload problems beside the other inputs, and names them as told', () => {
    const error = inputErrorOf(
      {
        ...BASE,
        [Inputs.LibraryUpload]: 'dist/notes.txt -> /R/',
        [Inputs.LibraryOverwrite]: 'yes',
      },
      FILES,
      { name: (input) => `--${input}` },
    )
    expect(error.problems).toEqual([
      "Cannot upload --library-upload 'dist/notes.txt': the library takes only .dxp, .sbdf, .mod files (analyses, data files, mods). Expected a file with one of those extensions.",
      "Invalid --library-overwrite 'yes'. Expected true or false.",
    ])
  })

  it(`refuses a file over ${MAX_UPLOAD_BYTES} bytes without reading it`, () => {
    const fs: FileSystem = {
      read: () => {
        throw new Error('read')
      },
      list: () => [],
      size: (path) => (path.endsWith('big.dxp') ? MAX_UPLOAD_BYTES + 1 : MAX_UPLOAD_BYTES),
    }
    expect(upload('big.dxp -> /R/').length).toBe(1)
    expect(problemsOf({ [Inputs.LibraryUpload]: 'big.dxp -> /R/\nmax.dxp -> /R/' }, fs)).toEqual([
      "Cannot upload library-upload 'big.dxp': it is larger than the 2 GiB the library takes. Expected a file path relative to the workspace.",
    ])
  })

  it('keeps hostile text on one line and short', () => {
    const problems = upload(`a\u2028::error::x${'y'.repeat(5000)}.txt -> rel`)
    for (const problem of problems) {
      expect(problem).not.toMatch(/[\n\r\u2028]/)
      expect(problem.length).toBeLessThan(1000)
    }
    expect(problems).toHaveLength(3)
  })
})

describe('library-upload: on a real workspace', () => {
  const diskProblems = (workspace: string, lines: string): string[] => {
    try {
      getSettings(diskSource(workspace, { [Inputs.LibraryUpload]: lines }))
    } catch (error) {
      if (error instanceof InputError) return error.problems
      throw error
    }
    throw new Error('getSettings accepted the inputs')
  }

  it('measures a real file', () => {
    const workspace = tempTree({ 'dist/a.dxp': Buffer.alloc(1234) })
    expect(
      getSettings(diskSource(workspace, { [Inputs.LibraryUpload]: 'dist/a.dxp -> /R/' })).uploads,
    ).toEqual([expect.objectContaining({ bytes: 1234, localPath: join(workspace, 'dist/a.dxp') })])
  })

  it('refuses a directory and a device, without reading them', () => {
    const workspace = tempTree({}, ['dir.dxp'])
    symlinkSync('/dev/zero', join(workspace, 'zero.sbdf'))
    expect(diskProblems(workspace, 'dir.dxp -> /R/\nzero.sbdf -> /R/\nnone.mod -> /R/')).toEqual([
      "Cannot upload library-upload 'dir.dxp': it is a directory. Expected a file path relative to the workspace.",
      "Cannot upload library-upload 'zero.sbdf': it is not a regular file. Expected a file path relative to the workspace.",
      "Cannot upload library-upload 'none.mod': no such file (ENOENT). Expected a file path relative to the workspace.",
    ])
  })
})

describe('scope follows the step', () => {
  const JOB = { [Inputs.LibraryPath]: '/Jobs/A' }
  const UPLOAD = { [Inputs.LibraryUpload]: 'dist/Sales.dxp -> /R/' }
  const scopeOf = (inputs: Record<string, string>): string => settingsOf(inputs, FILES).scope

  it('asks for the job scope for jobs, the library scopes for uploads, and both for both', () => {
    expect(scopeOf(JOB)).toBe('api.rest.automation-services-job.execute')
    expect(scopeOf(UPLOAD)).toBe('api.library.read api.library.write')
    expect(scopeOf({ ...JOB, ...UPLOAD })).toBe(
      'api.rest.automation-services-job.execute api.library.read api.library.write',
    )
  })

  it('takes a scope given that holds what the step needs, and more', () => {
    expect(
      scopeOf({ ...UPLOAD, [Inputs.Scope]: ' api.library.write  custom\napi.library.read ' }),
    ).toBe('api.library.write custom api.library.read')
  })

  it('refuses a scope given that lacks one the step needs, before any request', () => {
    expect(problemsOf({ ...JOB, ...UPLOAD, [Inputs.Scope]: 'api.library.read' }, FILES)).toEqual([
      "scope 'api.library.read' lacks api.rest.automation-services-job.execute (to run jobs) and api.library.write (to upload to the library), which this step needs. Expected api.library.read api.rest.automation-services-job.execute api.library.write, or no scope: it then asks for what the step needs.",
    ])
    expect(problemsOf({ ...JOB, [Inputs.Scope]: 'api.rest.other' })).toHaveLength(1)
  })
})
