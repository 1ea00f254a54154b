import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { errorMessage } from '../spotfire/errors.js'

/**
 * Writes the JUnit report, making its folder; says why it could not, for a warning. A report that
 * cannot be written never changes how the step ended.
 */
export function writeJunitFile(path: string, xml: string): string | undefined {
  try {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, xml)
    return undefined
  } catch (error) {
    return `Could not write the JUnit report to ${path}: ${errorMessage(error)}`
  }
}
