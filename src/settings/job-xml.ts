import { SyntaxValidator } from 'fast-xml-validator'
import { closest } from '../shared/suggest.js'

export const JOB_NAMESPACE = 'urn:tibco:spotfire.dxp.automation'

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export type Variables = ReadonlyMap<string, string>

/**
 * Parses `NAME=value` lines. Blank lines and lines starting with `#` are skipped. `input` is how
 * the variables input is named in messages.
 */
export function parseVariables(
  text: string,
  input = 'variables',
): { variables: Map<string, string>; errors: string[] } {
  const variables = new Map<string, string>()
  const errors: string[] = []
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#')) return
    const eq = trimmed.indexOf('=')
    const name = eq < 0 ? trimmed : trimmed.slice(0, eq).trim()
    if (eq < 0 || !NAME.test(name)) {
      // The line may hold a secret value: say where, not what.
      errors.push(
        `Invalid ${input} line ${index + 1}. Expected NAME=value, where NAME is letters, digits and _ (not starting with a digit).`,
      )
    } else if (variables.has(name)) {
      errors.push(`Variable '${name}' is defined twice in ${input}.`)
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

/** A stretch of job XML: CDATA content, or anything else. */
interface Stretch {
  start: number
  end: number
  cdata: boolean
}

const CDATA_OPEN = '<![CDATA['
const CDATA_CLOSE = ']]>'

/** The XML cut where CDATA content starts and ends; `<![CDATA[` in a comment is comment text. */
function stretches(xml: string): Stretch[] {
  const result: Stretch[] = []
  let from = 0
  let at = 0
  while (at < xml.length) {
    const open = xml.indexOf('<!', at)
    if (open < 0) break
    if (xml.startsWith('<!--', open)) {
      const close = xml.indexOf('-->', open + 4)
      at = close < 0 ? xml.length : close + 3
    } else if (xml.startsWith(CDATA_OPEN, open)) {
      const start = open + CDATA_OPEN.length
      const close = xml.indexOf(CDATA_CLOSE, start)
      const end = close < 0 ? xml.length : close
      result.push({ start: from, end: start, cdata: false }, { start, end, cdata: true })
      from = at = end
    } else at = open + 2
  }
  result.push({ start: from, end: xml.length, cdata: false })
  return result
}

/**
 * Replaces every `${NAME}` with the value: XML-escaped, or inside CDATA verbatim, the section split
 * where the text would hold `]]>` (`]]]]><![CDATA[>`), so that the server reads the value itself.
 * `$${` stands for a literal `${`. A reference to an undefined variable, or a `${` that is not a
 * reference, is an error; errors name variables and places, never other text of the job (it may
 * be any file).
 */
export function substituteVariables(
  xml: string,
  variables: Variables,
  input = 'variables',
): { xml: string; errors: string[]; undefinedNames: string[] } {
  const undefinedNames = new Set<string>()
  const used = new Set<string>()
  let malformedAt: number | undefined
  const substitute = ({ start, end, cdata }: Stretch): string => {
    const text = xml
      .slice(start, end)
      .replace(/\$(\$?)\{([^}\n]*)\}?/g, (match, escape: string, name: string, offset: number) => {
        if (escape === '$') return match.slice(1)
        if (!match.endsWith('}') || !NAME.test(name)) {
          malformedAt ??= start + offset
          return match
        }
        used.add(name)
        const value = variables.get(name)
        if (value === undefined) {
          undefinedNames.add(name)
          return match
        }
        return cdata ? value : escapeXml(value)
      })
    // The job's own CDATA holds no ]]>: any there now came with a value, or where one met the text.
    return cdata ? text.replaceAll(CDATA_CLOSE, `]]${CDATA_CLOSE}${CDATA_OPEN}>`) : text
  }
  const result = stretches(xml).map(substitute).join('')
  const errors: string[] = []
  if (undefinedNames.size > 0) {
    const names = [...undefinedNames].map((n) => `'${n}'`).join(', ')
    // A defined name the job does not use, close to one it uses, is most likely a typo in the
    // variables: the job's name is the one to write there.
    const unused = [...variables.keys()].filter((name) => !used.has(name))
    const typos = [...undefinedNames].flatMap((name) => {
      const near = closest(name, unused)
      return near === undefined ? [] : [` ${input} defines '${near}': did you mean '${name}'?`]
    })
    errors.push(
      `The job uses ${undefinedNames.size === 1 ? 'variable' : 'variables'} ${names} but ${input} does not define ${undefinedNames.size === 1 ? 'it' : 'them'}.${typos.join('')} Add NAME=value lines to ${input}, or write $\${ for a literal \${.`,
    )
  }
  if (malformedAt !== undefined) {
    errors.push(
      `The job has a \${ that is not a variable reference at ${position(xml, malformedAt)}. Expected \${NAME} with NAME of letters, digits and _, or $\${ for a literal \${.`,
    )
  }
  return { xml: result, errors, undefinedNames: [...undefinedNames] }
}

/** `line 3, column 7` of a 0-based offset. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - before.lastIndexOf('\n')
  return `line ${line}, column ${column}`
}

/** What each of the validator's error codes means, in words that quote nothing from the job. */
const XML_PROBLEMS: Record<string, string> = {
  InvalidTag: 'a tag is malformed, or closed where it was not opened',
  InvalidAttr: 'an attribute is malformed',
  UnquotedAttributeValue: 'an attribute value is not in quotes',
  InvalidChar: 'a character is not allowed there (write & as &amp; and < as &lt; in text)',
  InvalidXml: 'the document is not one well-formed element',
  InvalidDocType: 'the DOCTYPE is malformed',
  IllegalCharacter: 'a control character is not allowed in XML',
}

/** Returns undefined when `xml` is a well-formed Automation Services job, else what is wrong. */
export function checkJobXml(xml: string): string | undefined {
  if (xml.trim() === '') return 'The job XML is empty.'
  const problem = wellFormedProblem(xml)
  if (problem !== undefined) return problem
  const root = rootElement(xml)
  if (root === undefined) return 'The job XML has no root element.'
  const colon = root.name.indexOf(':')
  const prefix = colon < 0 ? undefined : root.name.slice(0, colon)
  const local = root.name.slice(colon + 1)
  const namespace = root.attributes.get(prefix === undefined ? 'xmlns' : `xmlns:${prefix}`)
  if (local !== 'Job' || namespace !== JOB_NAMESPACE) {
    return `The job XML's root element is not <as:Job xmlns:as="${JOB_NAMESPACE}">.`
  }
  return undefined
}

/** One root element, else what is wrong; places are the text's own lines and columns. */
function wellFormedProblem(xml: string): string | undefined {
  // The validator accepts several root elements unless told not to.
  const options = { multipleRoots: false }
  // It counts lines and columns from the end of the XML declaration: check the declaration on
  // its own, then shift the places it finds after it.
  const declaration = /^\uFEFF?(<\?xml[\s\S]*?\?>)/.exec(xml)?.[1]
  let shift = { lines: 0, columns: 0 }
  if (declaration !== undefined) {
    try {
      SyntaxValidator.validate(`${declaration}<r/>`, options)
      const before = declaration.split(/\r?\n/)
      shift = { lines: before.length - 1, columns: (before.at(-1) ?? '').length }
    } catch {
      // The declaration itself is wrong: its places are already the text's own.
    }
  }
  try {
    SyntaxValidator.validate(xml, options)
    return undefined
  } catch (error) {
    const { line, col, code } = error as { line?: number; col?: number; code?: string }
    const where =
      line === undefined
        ? ''
        : col === undefined
          ? ` (line ${line + shift.lines})`
          : ` (line ${line + shift.lines}, column ${line === 1 ? col + shift.columns : col})`
    return `The job XML is not well-formed${where}: ${XML_PROBLEMS[code ?? ''] ?? 'it cannot be read as XML'}.`
  }
}

/**
 * The root element's name and attributes, read from well-formed XML without building a tree, so
 * that no depth of nesting can make it fail.
 */
function rootElement(xml: string): { name: string; attributes: Map<string, string> } | undefined {
  let i = 0
  for (;;) {
    const next = xml.indexOf('<', i)
    if (next < 0) return undefined
    let end: number
    if (xml.startsWith('<?', next)) end = after(xml, '?>', next)
    else if (xml.startsWith('<!--', next)) end = after(xml, '-->', next)
    else if (xml.startsWith('<!', next)) {
      // A DOCTYPE, with or without an internal subset (which may end in `] >`).
      const subset = xml.indexOf('[', next)
      const close = xml.indexOf('>', next)
      if (subset >= 0 && subset < close) {
        const subsetEnd = /\][ \t\r\n]*>/g
        subsetEnd.lastIndex = subset
        const match = subsetEnd.exec(xml)
        end = match === null ? -1 : match.index + match[0].length
      } else end = after(xml, '>', next)
    } else {
      // Attribute values may hold a `>`.
      const tag = /^<([^\s/>]+)((?:[^>"']|"[^"]*"|'[^']*')*)>/.exec(xml.slice(next, next + 100_000))
      if (tag?.[1] === undefined) return undefined
      const attributes = new Map<string, string>()
      for (const [, name, , double, single] of (tag[2] ?? '').matchAll(
        /([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g,
      )) {
        if (name !== undefined) attributes.set(name, double ?? single ?? '')
      }
      return { name: tag[1], attributes }
    }
    if (end < 0) return undefined
    i = end
  }
}

/** The offset just after `token` at or after `from`, or -1. */
function after(xml: string, token: string, from: number): number {
  const at = xml.indexOf(token, from)
  return at < 0 ? -1 : at + token.length
}
