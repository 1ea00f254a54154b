import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach } from '@jest/globals'
import { Inputs } from '../../../src/shared/constants.js'
import { FileProblem, formatBytes, type FileSystem } from '../../../src/settings/files.js'
import {
  getSettings,
  InputError,
  type Settings,
  type SettingsSource,
} from '../../../src/settings/index.js'

/** A client secret that must never show up in a message. */
export const SECRET = 'f00dfeed5ecret0123456789abcdef'
/** The workspace of the in-memory file system. */
export const WORKSPACE = '/ws'
export const JOB_NAMESPACE = 'urn:tibco:spotfire.dxp.automation'

const KNOWN_INPUTS = new Set<string>(Object.values(Inputs))

/** The inputs every valid run needs, besides a job. */
export const BASE: Readonly<Record<string, string>> = {
  [Inputs.ServerUrl]: 'https://spotfire.example.com',
  [Inputs.ClientId]: '0123abcd.oauth-clients.spotfire.tibco.com',
  [Inputs.ClientSecret]: SECRET,
}

/** A minimal job, in the automation namespace; `inner` goes inside the root. */
export function job(inner = '<as:Tasks/>'): string {
  return `<as:Job xmlns:as="${JOB_NAMESPACE}">${inner}</as:Job>`
}

/** A minimal job whose task title tells it apart. */
export function titled(title: string): string {
  return job(`<as:Tasks><T><as:Title>${title}</as:Title></T></as:Tasks>`)
}

export interface MemoryFs extends FileSystem {
  /** Absolute paths `read` was asked for, in order. */
  reads: string[]
  /** Absolute paths `list` was asked for, in order. */
  lists: string[]
}

/**
 * Files by absolute path; directories are whatever holds a file (a key ending in `/` makes an
 * empty one). Behaves as nodeFileSystem promises: FileProblem for a directory, a missing file or
 * one over the limit.
 */
export function memoryFs(files: Record<string, string | Buffer>): MemoryFs {
  const reads: string[] = []
  const lists: string[] = []
  const isDirectory = (path: string): boolean =>
    Object.keys(files).some((key) => key.startsWith(`${path === '/' ? '' : path}/`))
  return {
    reads,
    lists,
    read(path, maxBytes) {
      reads.push(path)
      if (isDirectory(path)) throw new FileProblem('it is not a regular file')
      const content = files[path]
      if (content === undefined) throw new FileProblem('no such file (ENOENT)')
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
      if (bytes.length > maxBytes)
        throw new FileProblem(`it is larger than ${formatBytes(maxBytes)}`)
      return bytes
    },
    list(path) {
      lists.push(path)
      const prefix = `${path === '/' ? '' : path}/`
      const entries = new Map<string, boolean>()
      for (const key of Object.keys(files)) {
        if (!key.startsWith(prefix)) continue
        const rest = key.slice(prefix.length)
        if (rest === '') continue
        const slash = rest.indexOf('/')
        const name = slash < 0 ? rest : rest.slice(0, slash)
        entries.set(name, (entries.get(name) ?? false) || slash >= 0)
      }
      return [...entries].map(([name, directory]) => ({ name, directory }))
    },
    size(path) {
      if (isDirectory(path)) throw new FileProblem('it is a directory')
      const content = files[path]
      if (content === undefined) throw new FileProblem('no such file (ENOENT)')
      return typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.length
    },
  }
}

export interface Source extends SettingsSource {
  /** Input names asked for, in order. */
  asked: string[]
}

/** Inputs by name (unset ones empty, as on the runner); files in `fs` relative to WORKSPACE. */
export function source(
  inputs: Record<string, string>,
  fs: FileSystem = memoryFs({}),
  hooks: Pick<SettingsSource, 'name' | 'describe'> = {},
): Source {
  const asked: string[] = []
  return {
    asked,
    workspace: WORKSPACE,
    files: fs,
    input(name) {
      if (!KNOWN_INPUTS.has(name)) throw new Error(`settings asked for undeclared input ${name}`)
      asked.push(name)
      return inputs[name] ?? ''
    },
    ...hooks,
  }
}

/** Settings of BASE plus `inputs`, which must be valid. */
export function settingsOf(inputs: Record<string, string>, fs?: FileSystem): Settings {
  return getSettings(source({ ...BASE, ...inputs }, fs))
}

/** The InputError of exactly `inputs` (BASE not added); any other outcome fails the test. */
export function inputErrorOf(
  inputs: Record<string, string>,
  fs?: FileSystem,
  hooks?: Pick<SettingsSource, 'name' | 'describe'>,
): InputError {
  let thrown: unknown
  try {
    getSettings(source(inputs, fs, hooks))
  } catch (error) {
    thrown = error
  }
  if (thrown instanceof InputError) return thrown
  throw new Error(
    thrown === undefined
      ? 'getSettings accepted the inputs'
      : `getSettings threw ${thrown instanceof Error ? (thrown.stack ?? thrown.message) : typeof thrown}`,
  )
}

/** The problems of BASE plus `inputs`. */
export function problemsOf(inputs: Record<string, string>, fs?: FileSystem): string[] {
  return inputErrorOf({ ...BASE, ...inputs }, fs).problems
}

/** Real temporary directories, removed after each test. */
const made: string[] = []
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A fresh directory under the system temp dir holding `files` (relative path: content). */
export function tempTree(files: Record<string, string | Buffer>, dirs: string[] = []): string {
  const root = mkdtempSync(join(tmpdir(), 'settings-test-'))
  made.push(root)
  for (const dir of dirs) mkdirSync(join(root, dir), { recursive: true })
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
  return root
}

/** The source for a real workspace directory (nodeFileSystem). */
export function diskSource(
  workspace: string,
  inputs: Record<string, string>,
): SettingsSource & { asked: string[] } {
  const asked: string[] = []
  return {
    asked,
    workspace,
    input(name) {
      asked.push(name)
      return { ...BASE, ...inputs }[name] ?? ''
    },
  }
}

/** A message that looks like a stack trace or a raw exception. */
export const STACK = /\n\s+at |Error: |TypeError|RangeError/
