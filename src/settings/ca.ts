import { X509Certificate } from 'node:crypto'
import { counted } from '../shared/plural.js'

/**
 * PEM text, or the path of a PEM file (read by `readFile`), as the certificates to trust; undefined
 * when none are given or after a problem.
 */
export function parseCaCertificates(
  text: string,
  name: string,
  readFile: (path: string) => string | undefined,
  problems: string[],
): string | undefined {
  if (text === '') return undefined
  const pem = text.includes('-----BEGIN') ? text : readFile(text)
  if (pem === undefined) return undefined
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  const invalid = blocks.filter((block) => {
    try {
      new X509Certificate(block)
      return false
    } catch {
      return true
    }
  })
  if (blocks.length === 0 || invalid.length > 0) {
    problems.push(
      `Invalid ${name}: ${blocks.length === 0 ? 'no certificate found' : `${counted(invalid.length, 'certificate')} cannot be parsed`}. Expected PEM text (-----BEGIN CERTIFICATE----- ...) or the path of a PEM file.`,
    )
    return undefined
  }
  return blocks.join('\n')
}
