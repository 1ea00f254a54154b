import { XMLParser } from 'fast-xml-parser'
import { SyntaxValidator } from 'fast-xml-validator'

export const JOB_NAMESPACE = 'urn:tibco:spotfire.dxp.automation'

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export type Variables = ReadonlyMap<string, string>

/** Parses `NAME=value` lines. Blank lines and lines starting with `#` are skipped. */
export function parseVariables(text: string): { variables: Map<string, string>; errors: string[] } {
  const variables = new Map<string, string>()
  const errors: string[] = []
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#')) return
    const eq = trimmed.indexOf('=')
    const name = eq < 0 ? trimmed : trimmed.slice(0, eq).trim()
    if (eq < 0 || !NAME.test(name)) {
      errors.push(
        `Invalid variables line ${index + 1} '${trimmed}'. Expected NAME=value, where NAME is letters, digits and _ (not starting with a digit).`,
      )
    } else if (variables.has(name)) {
      errors.push(`Variable '${name}' is defined twice in variables.`)
    } else {
      variables.set(name, trimmed.slice(eq + 1).trim())
    }
  })
  return { variables, errors }
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/**
 * Replaces every `${NAME}` with the XML-escaped value; `$${` stands for a literal `${`.
 * A reference to an undefined variable, or a `${` that is not a reference, is an error.
 */
export function substituteVariables(
  xml: string,
  variables: Variables,
): { xml: string; errors: string[] } {
  const undefinedNames = new Set<string>()
  let malformed: string | undefined
  const result = xml.replace(/\$(\$?)\{([^}\n]*)\}?/g, (match, escape: string, name: string) => {
    if (escape === '$') return match.slice(1)
    if (!match.endsWith('}') || !NAME.test(name)) {
      malformed ??= match
      return match
    }
    const value = variables.get(name)
    if (value === undefined) {
      undefinedNames.add(name)
      return match
    }
    return escapeXml(value)
  })
  const errors: string[] = []
  if (undefinedNames.size > 0) {
    const names = [...undefinedNames].map((n) => `'${n}'`).join(', ')
    errors.push(
      `The job uses ${undefinedNames.size === 1 ? 'variable' : 'variables'} ${names} but variables does not define ${undefinedNames.size === 1 ? 'it' : 'them'}. Add NAME=value lines to variables, or write $\${ for a literal \${.`,
    )
  }
  if (malformed !== undefined) {
    errors.push(
      `The job contains '${malformed}', which is not a variable reference. Expected \${NAME} with NAME of letters, digits and _, or $\${ for a literal \${.`,
    )
  }
  return { xml: result, errors }
}

/** Returns undefined when `xml` is a well-formed Automation Services job, else what is wrong. */
export function checkJobXml(xml: string): string | undefined {
  if (xml.trim() === '') return 'The job XML is empty.'
  try {
    SyntaxValidator.validate(xml)
  } catch (error) {
    const { line, col } = error as { line?: number; col?: number }
    const where =
      line === undefined
        ? ''
        : col === undefined
          ? ` (line ${line})`
          : ` (line ${line}, column ${col})`
    return `The job XML is not well-formed${where}: ${error instanceof Error ? error.message : String(error)}`
  }
  const nodes = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    preserveOrder: true,
  }).parse(xml) as Record<string, unknown>[]
  const roots = nodes.filter(
    (node) => !Object.keys(node).some((k) => k.startsWith('?') || k.startsWith('#')),
  )
  const root = roots[0]
  if (roots.length !== 1 || root === undefined) {
    return `The job XML must have exactly one root element; it has ${roots.length}.`
  }
  const tag = Object.keys(root).find((k) => k !== ':@') ?? ''
  const [prefix, local] = tag.includes(':') ? tag.split(':', 2) : [undefined, tag]
  const attributes = (root[':@'] ?? {}) as Record<string, string>
  const namespace = attributes[prefix === undefined ? 'xmlns' : `xmlns:${prefix}`]
  if (local !== 'Job' || namespace !== JOB_NAMESPACE) {
    return `The job XML's root element is <${tag}>; expected <as:Job xmlns:as="${JOB_NAMESPACE}">.`
  }
  return undefined
}
