import { Inputs } from '../shared/constants.js'
import type { Settings, UploadSpec } from '../settings/index.js'
import { SpotfireError } from '../spotfire/errors.js'
import { shown } from '../spotfire/text.js'
import type { CallContext } from '../spotfire/token.js'
import type { Vocabulary } from '../spotfire/types.js'
import type { LibraryItem, LibraryPort } from './library-port.js'
import { formatSize } from './progress.js'

/** What an upload would do: make a new item, replace one, or stop at one in the way. */
export type PlanAction = 'create' | 'replace' | 'conflict'

export interface PlannedUpload {
  upload: UploadSpec
  action: PlanAction
  /** The item at the path, for `replace` and `conflict`. */
  existing?: LibraryItem
}

/** A folder the uploads go into, or one above it: its id when it exists, none when it is to be made. */
export interface PlannedFolder {
  path: string
  id?: string
}

export interface UploadPlan {
  uploads: PlannedUpload[]
  /** Every folder the uploads need, each after the one it is in. */
  folders: PlannedFolder[]
}

/** A look-up failed: the plan is unknown from `index` (the upload that needed it) on. */
export interface PlanFailure {
  index: number
  /** The library path looked up. */
  path: string
  error: SpotfireError
}

export type PlanOutcome = { ok: true; plan: UploadPlan } | ({ ok: false } & PlanFailure)

/**
 * Looks up every folder and every target, changing nothing: what each upload would do, decided
 * before any byte moves. Folders are looked up from the root down, and nothing below a missing
 * folder is looked up: it cannot be there.
 */
export async function planUploads(
  settings: Pick<Settings, 'uploads' | 'libraryOverwrite'>,
  library: LibraryPort,
  context: CallContext,
): Promise<PlanOutcome> {
  const { uploads } = settings
  const needs = foldersNeeded(uploads)
  const folders = new Map<string, PlannedFolder>()
  for (const [path, index] of needs) {
    const parent = path === '/' ? undefined : folders.get(parentOf(path))
    if (parent !== undefined && parent.id === undefined) {
      folders.set(path, { path })
      continue
    }
    try {
      const found = await library.find(path, 'spotfire.folder', context)
      if (found === undefined && path === '/') {
        throw new SpotfireError('the library has no root folder /', 'http', { status: 404 })
      }
      folders.set(path, found === undefined ? { path } : { path, id: found.id })
    } catch (error) {
      if (!(error instanceof SpotfireError)) throw error
      return { ok: false, index, path, error }
    }
  }
  const planned: PlannedUpload[] = []
  for (const [index, upload] of uploads.entries()) {
    if (folders.get(upload.folder)?.id === undefined) {
      planned.push({ upload, action: 'create' })
      continue
    }
    let existing: LibraryItem | undefined
    try {
      existing = await library.find(upload.path, upload.type, context)
    } catch (error) {
      if (!(error instanceof SpotfireError)) throw error
      return { ok: false, index, path: upload.path, error }
    }
    if (existing === undefined) planned.push({ upload, action: 'create' })
    else {
      planned.push({ upload, action: settings.libraryOverwrite ? 'replace' : 'conflict', existing })
    }
  }
  return { ok: true, plan: { uploads: planned, folders: [...folders.values()] } }
}

/** One sentence per folder to make and per upload, for the dry run and the log. */
export function describePlan(plan: UploadPlan, words: Vocabulary): string[] {
  const lines = plan.folders
    .filter((folder) => folder.id === undefined)
    .map((folder) => `would create the folder ${shown(folder.path, 300)}`)
  for (const { upload, action, existing } of plan.uploads) {
    const what = `${shown(upload.path, 300)} (${upload.type}, ${formatSize(upload.bytes)} from ${shown(upload.file, 200)})`
    if (action === 'create') lines.push(`would create ${what}`)
    else if (action === 'replace') {
      lines.push(`would replace ${what}, keeping its id ${shown(existing?.id ?? '', 80)}`)
    } else lines.push(conflictProblem(upload, existing, words))
  }
  return lines
}

/** An item in the way: names it, and the setting that would replace it. */
export function conflictProblem(
  upload: UploadSpec,
  existing: LibraryItem | undefined,
  words: Vocabulary,
): string {
  const id = existing === undefined ? '' : ` (id ${shown(existing.id, 80)})`
  return `${shown(upload.path, 300)} exists in the library${id}, and ${words.setting(Inputs.LibraryOverwrite, 'false')}. Set ${words.setting(Inputs.LibraryOverwrite, 'true')} to replace it (it keeps its id).`
}

/**
 * Every folder the uploads go into and each one above it, root included, parents first; each with
 * the first upload that needs it.
 */
function foldersNeeded(uploads: readonly UploadSpec[]): Map<string, number> {
  const needs = new Map<string, number>()
  for (const [index, upload] of uploads.entries()) {
    const parts = upload.folder.split('/').filter((part) => part !== '')
    for (let depth = 0; depth <= parts.length; depth++) {
      const path = `/${parts.slice(0, depth).join('/')}`
      if (!needs.has(path)) needs.set(path, index)
    }
  }
  // Parents first: a path's parent is shorter, so sorting by depth is enough.
  return new Map([...needs].sort(([a], [b]) => depthOf(a) - depthOf(b)))
}

function depthOf(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash <= 0 ? '/' : path.slice(0, slash)
}
