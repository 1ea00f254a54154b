import { basename, extname, resolve } from 'node:path'
import { Inputs } from '../shared/constants.js'
import { shown } from '../spotfire/text.js'
import { FileProblem } from './files.js'
import { expandGlob, isGlob } from './glob.js'
import type { Reader } from './reader.js'

/** The library item types a file can become. */
export type UploadType = 'spotfire.dxp' | 'spotfire.sbdf' | 'spotfire.mod'

/** By the local file's extension, compared without regard to case. */
export const UPLOAD_TYPES: Readonly<Record<string, UploadType>> = {
  '.dxp': 'spotfire.dxp',
  '.sbdf': 'spotfire.sbdf',
  '.mod': 'spotfire.mod',
}

/** One file to put into the library before the jobs run. */
export interface UploadSpec {
  /** The local file as the input names it (a pattern's match, relative to the workspace). */
  file: string
  /** Where it is on disk. */
  localPath: string
  /** The item's full library path, such as `/Releases/Sales/Overview`. */
  path: string
  /** The folder it goes into: `/`, or a path without a trailing `/`. */
  folder: string
  /** The item's title: the last part of `path`. */
  title: string
  type: UploadType
  /** The file's size when the settings were read. */
  bytes: number
}

/** More would be a pattern that matched far more than meant. */
export const MAX_UPLOADS = 256
/** The most the library takes in one file (documented for its uploads; assumed for v2). */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3

const LINE_HINT = 'Expected LOCAL -> LIBRARY_PATH, such as dist/Sales.dxp -> /Releases/Sales/.'
const EXTENSIONS = Object.keys(UPLOAD_TYPES).join(', ')

/**
 * Every `library-upload` line, in input order, patterns expanded in sorted order. A LIBRARY_PATH
 * ending in `/` is a folder that takes each file, titled by its name without the extension;
 * otherwise it is the item's own path and the local side must be exactly one file.
 */
export function parseUploads(r: Reader): UploadSpec[] {
  const name = r.name(Inputs.LibraryUpload)
  const uploads: UploadSpec[] = []
  for (const line of r.lines(Inputs.LibraryUpload)) {
    const where = `${name} '${shown(line, 200)}'`
    const arrow = line.indexOf('->')
    if (arrow < 0) {
      r.problems.push(`Invalid ${where}: no ->. ${LINE_HINT}`)
      continue
    }
    const local = line.slice(0, arrow).trim()
    const target = line.slice(arrow + 2).trim()
    const targetProblem = checkLibraryPath(target)
    if (targetProblem !== undefined) r.problems.push(`Invalid ${where}: ${targetProblem}`)
    if (local === '') {
      r.problems.push(`Invalid ${where}: no local file before ->. ${LINE_HINT}`)
      continue
    }
    const toFolder = target.endsWith('/')
    const files = localFiles(r, local, name)
    if (!toFolder && files.length > 1) {
      r.problems.push(
        `Invalid ${where}: the pattern matches ${files.length} files, and ${shown(target, 200)} names one item. Expected a library folder ending in / to upload each file into it, or a pattern that matches one file.`,
      )
      continue
    }
    for (const file of files) {
      const type = typeOf(r, name, file)
      const bytes = sizeOf(r, name, file)
      if (type === undefined || bytes === undefined || targetProblem !== undefined) continue
      const path = toFolder ? `${target}${basename(file, extname(file))}` : target
      const slash = path.lastIndexOf('/')
      uploads.push({
        file,
        localPath: resolve(r.source.workspace, file),
        path,
        folder: slash === 0 ? '/' : path.slice(0, slash),
        title: path.slice(slash + 1),
        type,
        bytes,
      })
    }
  }
  checkTheList(r, name, uploads)
  return uploads
}

/** Why a LIBRARY_PATH cannot be one, or undefined. */
function checkLibraryPath(target: string): string | undefined {
  if (target === '') return `no library path after ->. ${LINE_HINT}`
  if (!target.startsWith('/')) {
    return `the library path ${shown(target, 200)} is relative. Expected an absolute library path such as /Releases/Sales/ (a folder) or /Releases/Sales/Overview (an item).`
  }
  const parts = target.slice(1).split('/')
  // The last part is empty for a folder path (`/Releases/`), and only there.
  if (parts.slice(0, -1).some((part) => part.trim() === '') || /^\s+$/.test(parts.at(-1) ?? '')) {
    return `the library path ${shown(target, 200)} has an empty name between two /. Expected a name for every folder.`
  }
  return undefined
}

/** The files a LOCAL names: itself, or a pattern's matches (a pattern must match). */
function localFiles(r: Reader, local: string, name: string): string[] {
  if (!isGlob(local)) return [local]
  const matched = expandGlob(local, r.source.workspace, r.files, MAX_UPLOADS)
  if (matched.length === 0) {
    r.problems.push(
      `${name} pattern '${shown(local, 200)}' matches no file. Expected a pattern such as dist/*.dxp, relative to ${r.source.workspaceName ?? 'the workspace'}.`,
    )
  }
  return matched
}

function typeOf(r: Reader, name: string, file: string): UploadType | undefined {
  const type = UPLOAD_TYPES[extname(file).toLowerCase()]
  if (type === undefined) {
    r.problems.push(
      `Cannot upload ${name} '${shown(file, 200)}': the library takes only ${EXTENSIONS} files (analyses, data files, mods). Expected a file with one of those extensions.`,
    )
  }
  return type
}

/** The size of a regular, non-empty file no larger than the library takes; else a problem. */
function sizeOf(r: Reader, name: string, file: string): number | undefined {
  let why: string
  try {
    if (r.files.size === undefined) throw new FileProblem('its size cannot be read')
    const bytes = r.files.size(resolve(r.source.workspace, file))
    if (bytes > 0 && bytes <= MAX_UPLOAD_BYTES) return bytes
    why = bytes === 0 ? 'it is empty' : 'it is larger than the 2 GiB the library takes'
  } catch (error) {
    why = error instanceof FileProblem ? error.message : 'it cannot be read'
  }
  r.problems.push(
    `Cannot upload ${name} '${shown(file, 200)}': ${why}. Expected a file path relative to ${r.source.workspaceName ?? 'the workspace'}.`,
  )
  return undefined
}

function checkTheList(r: Reader, name: string, uploads: UploadSpec[]): void {
  // Compared without regard to case: the library may, and two files for one item is a mistake
  // either way.
  const first = new Map<string, UploadSpec>()
  for (const upload of uploads) {
    const key = upload.path.toLowerCase()
    const earlier = first.get(key)
    if (earlier === undefined) first.set(key, upload)
    else {
      r.problems.push(
        `Two ${name} files go to the library path ${shown(upload.path, 200)}: '${shown(earlier.file, 200)}' and '${shown(upload.file, 200)}'. Expected one file per library item.`,
      )
    }
    const extension = extname(upload.title).toLowerCase()
    if (extension !== '' && UPLOAD_TYPES[extension] !== undefined) {
      r.warnings.push(
        `${name}: the item ${shown(upload.path, 200)} is titled with its extension; library titles have none. Write ${shown(upload.path.slice(0, -extension.length), 200)} to title it ${shown(upload.title.slice(0, -extension.length), 200)}.`,
      )
    }
  }
  if (uploads.length > MAX_UPLOADS) {
    r.problems.push(`${uploads.length} uploads given. Expected at most ${MAX_UPLOADS} in one step.`)
  }
}
