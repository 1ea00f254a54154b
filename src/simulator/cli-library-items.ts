// The command line's --library-item: what the Library REST API v2 holds when the simulator starts.
import { extname } from 'node:path'
import { CliUsageError } from './cli-specs.js'
import { FILE_TYPES, FOLDER_TYPE } from './library-store.js'
import type { LibraryContentSeed } from './types.js'

export const LIBRARY_ITEM_FORM = '[TYPE:]PATH[=FILE], e.g. /Sales/Weekly=reports/weekly.dxp'

const TYPES: Readonly<Record<string, string>> = {
  dxp: 'spotfire.dxp',
  sbdf: 'spotfire.sbdf',
  mod: 'spotfire.mod',
  folder: FOLDER_TYPE,
}

/** One --library-item: a folder, or a file whose bytes come from `file` (none: empty). */
export interface CliLibraryItem {
  path: string
  type: string
  file?: string
}

/**
 * `[TYPE:]PATH[=FILE]`. PATH is a library path (no extension): it starts with /, ends at the first
 * =, and names a folder when it ends with /. FILE gives the content, and the type by its
 * extension (.dxp, .sbdf, .mod); TYPE (dxp, sbdf, mod or folder) gives it otherwise, or overrides it.
 */
export function parseLibraryItem(value: string): CliLibraryItem {
  let rest = value
  let named: string | undefined
  if (!rest.startsWith('/')) {
    const colon = rest.indexOf(':')
    const prefix = colon < 0 ? rest : rest.slice(0, colon)
    named = TYPES[prefix.toLowerCase()]
    if (colon < 0 || named === undefined) {
      throw new CliUsageError(
        `Option --library-item must be ${LIBRARY_ITEM_FORM}, with PATH starting with / and TYPE one of ${Object.keys(TYPES).join(', ')}, not '${value}'.`,
      )
    }
    rest = rest.slice(colon + 1)
  }
  const eq = rest.indexOf('=')
  const rawPath = eq < 0 ? rest : rest.slice(0, eq)
  const file = eq < 0 ? undefined : rest.slice(eq + 1)
  if (!rawPath.startsWith('/')) {
    throw new CliUsageError(`Option --library-item needs a PATH starting with /, not '${rawPath}'.`)
  }
  const folder = named === FOLDER_TYPE || (named === undefined && rawPath.endsWith('/'))
  const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath
  if (path === '/')
    throw new CliUsageError('Option --library-item: the root folder / is always there.')
  if (folder) {
    if (file !== undefined) {
      throw new CliUsageError(`Option --library-item: a folder has no FILE (in '${value}').`)
    }
    return { path, type: FOLDER_TYPE }
  }
  if (file === '')
    throw new CliUsageError(`Option --library-item needs a FILE after = (in '${value}').`)
  const type = named ?? (file === undefined ? undefined : FILE_TYPES[extname(file).toLowerCase()])
  if (type === undefined) {
    throw new CliUsageError(
      file === undefined
        ? `Option --library-item: ${path} needs a FILE (.dxp, .sbdf or .mod) or a TYPE (dxp:${path}), or a / at its end for a folder.`
        : `Option --library-item: the type of ${file} is not known by its extension; end it with .dxp, .sbdf or .mod, or put a TYPE first (dxp:${path}=${file}).`,
    )
  }
  return { path, type, ...(file === undefined ? {} : { file }) }
}

/** Every --library-item, each path and type once. */
export function parseLibraryItems(specs: readonly string[]): CliLibraryItem[] {
  const items: CliLibraryItem[] = []
  for (const spec of specs) {
    const item = parseLibraryItem(spec)
    if (items.some((other) => other.path === item.path && other.type === item.type)) {
      throw new CliUsageError(`Option --library-item: ${item.path} (${item.type}) is given twice.`)
    }
    items.push(item)
  }
  return items
}

/** The items with their files read. */
export function libraryContent(
  items: readonly CliLibraryItem[],
  readBytes: (path: string) => Uint8Array,
): LibraryContentSeed[] {
  return items.map((item) => ({
    path: item.path,
    type: item.type,
    ...(item.file === undefined ? {} : { content: readBytes(item.file) }),
  }))
}

/** For the banner. */
export function describeLibraryItem(item: CliLibraryItem): string {
  if (item.type === FOLDER_TYPE) return `  ${item.path}/  folder`
  return `  ${item.path}  ${item.type}${item.file === undefined ? ' (empty)' : ` from ${item.file}`}`
}
