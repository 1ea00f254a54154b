import { DEFAULT_SCOPE, Inputs, LIBRARY_SCOPES } from '../shared/constants.js'
import { shown } from '../spotfire/text.js'
import { EXECUTE_SCOPE } from '../spotfire/token.js'
import { SOURCE_INPUTS } from './job-sources.js'
import type { Reader } from './reader.js'

/** What each scope lets the step do, for the message when one is missing. */
const FOR: Record<string, string> = {
  [EXECUTE_SCOPE]: 'run jobs',
  [LIBRARY_SCOPES[0]]: 'look items up in the library',
  [LIBRARY_SCOPES[1]]: 'upload to the library',
}

/**
 * The token's scopes. Empty `scope`: what the step needs (the job scope when jobs are given, the
 * library's two when uploads are). A `scope` given that lacks one of those is a problem now, not
 * a 403 after the first uploads.
 */
export function readScope(r: Reader): string {
  const given = (input: string): boolean => r.raw(input).trim() !== ''
  const needed = [
    ...(SOURCE_INPUTS.some(given) ? [EXECUTE_SCOPE] : []),
    ...(given(Inputs.LibraryUpload) ? LIBRARY_SCOPES : []),
  ]
  const explicit = r.get(Inputs.Scope)
  if (explicit === '') return needed.length === 0 ? DEFAULT_SCOPE : needed.join(' ')
  const scopes = explicit.split(/\s+/)
  const missing = needed.filter((scope) => !scopes.includes(scope))
  if (missing.length > 0) {
    r.problems.push(
      `${r.name(Inputs.Scope)} '${shown(explicit, 200)}' lacks ${missing.map((scope) => `${scope} (to ${FOR[scope] ?? 'do its work'})`).join(' and ')}, which this step needs. Expected ${shown(explicit, 200)} ${missing.join(' ')}, or no ${r.name(Inputs.Scope)}: it then asks for what the step needs.`,
    )
  }
  return scopes.join(' ')
}
