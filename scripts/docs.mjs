// Writes the README's Inputs and Outputs tables from action.yml, between the markers
// <!-- inputs:start -->/<!-- inputs:end --> and <!-- outputs:start -->/<!-- outputs:end -->.
// Nothing outside the markers changes.
//
//   node scripts/docs.mjs           rewrite README.md (npm run docs)
//   node scripts/docs.mjs --check   exit 1, writing nothing, when README.md is out of date
//                                   (npm run docs:check)
//
// The tables come out exactly as Prettier formats them, so `prettier --check .` stays quiet.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parse } from 'yaml'

export const OUT_OF_DATE_MESSAGE = 'README.md is out of date with action.yml: run npm run docs'

/** Escapes what a GitHub-flavoured Markdown table cell cannot hold: `|` and line breaks. */
export function escapeCell(text) {
  return text.trim().replace(/\s+/g, ' ').replace(/\|/g, '\\|')
}

/** `text` as inline code, with a longer backtick fence when the text itself holds backticks. */
export function inlineCode(text) {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longestRun + 1)
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${text}${pad}${fence}`
}

/** A Markdown table with every column padded to its widest cell, as Prettier prints it. */
export function markdownTable(header, rows) {
  const widths = header.map((title, column) =>
    Math.max(3, width(title), ...rows.map((row) => width(row[column] ?? ''))),
  )
  const line = (cells) =>
    `| ${cells.map((cell, column) => cell + ' '.repeat(widths[column] - width(cell))).join(' | ')} |`
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** Display width in monospace columns; East Asian wide characters take two. */
function width(text) {
  let columns = 0
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0
    if (/\p{Mn}|\p{Me}|\p{Cf}/u.test(char)) continue
    columns += isWide(code) ? 2 : 1
  }
  return columns
}

function isWide(code) {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  )
}

/** The `inputs` and `outputs` mappings of action.yml's text, checked for shape. */
export function readAction(actionYmlText) {
  const action = parse(actionYmlText)
  if (action === null || typeof action !== 'object' || Array.isArray(action)) {
    throw new Error('action.yml is not a YAML mapping.')
  }
  return { inputs: mapping(action, 'inputs'), outputs: mapping(action, 'outputs') }
}

function mapping(action, key) {
  const value = action[key] ?? {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`action.yml: ${key} must be a mapping of names to definitions.`)
  }
  for (const [name, definition] of Object.entries(value)) {
    if (definition !== null && (typeof definition !== 'object' || Array.isArray(definition))) {
      throw new Error(`action.yml: ${key}.${name} must be a mapping (description, ...).`)
    }
  }
  return value
}

function description(definition) {
  const text = definition?.description
  return text === undefined || text === null ? '' : escapeCell(String(text))
}

/** The Inputs table: input, required, default, description. */
export function renderInputsTable(inputs) {
  const entries = Object.entries(inputs)
  if (entries.length === 0) return '_This action has no inputs._'
  return markdownTable(
    ['input', 'required', 'default', 'description'],
    entries.map(([name, definition]) => {
      const required = definition?.required === true || definition?.required === 'true'
      const fallback = definition?.default
      let shownDefault = ''
      if (fallback !== undefined && fallback !== null) {
        const text = String(fallback)
        shownDefault = text === '' ? '_empty_' : inlineCode(escapeCell(text))
      }
      return [
        inlineCode(escapeCell(name)),
        required ? 'yes' : 'no',
        shownDefault,
        description(definition),
      ]
    }),
  )
}

/** The Outputs table: output, description. */
export function renderOutputsTable(outputs) {
  const entries = Object.entries(outputs)
  if (entries.length === 0) return '_This action has no outputs._'
  return markdownTable(
    ['output', 'description'],
    entries.map(([name, definition]) => [inlineCode(escapeCell(name)), description(definition)]),
  )
}

/** The usage block: a step with every input, its description as comments and its default. */
export function renderUsage(inputs, uses = 'your-org/spotfire-automation-services-action@v1') {
  const lines = ['```yaml', `- uses: ${uses}`, '  with:']
  for (const [name, definition] of Object.entries(inputs)) {
    const text = String(definition?.description ?? '')
      .replace(/\s+/g, ' ')
      .trim()
    for (const line of wrap(text, 92)) lines.push(`    # ${line}`)
    const required = definition?.required === true || definition?.required === 'true'
    const fallback = definition?.default
    if (required) lines.push('    # Required.')
    else if (fallback !== undefined && fallback !== null)
      lines.push(`    # Default: ${String(fallback) === '' ? '(empty)' : String(fallback)}`)
    lines.push(`    ${name}: ''`, '')
  }
  lines.pop()
  lines.push('```')
  return lines.join('\n')
}

function wrap(text, width) {
  const lines = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line === '' ? word : `${line} ${word}`
    }
  }
  if (line !== '') lines.push(line)
  return lines
}

/** Puts `content` between `<!-- name:start -->` and `<!-- name:end -->`, touching nothing else. */
export function replaceBetweenMarkers(text, name, content) {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  for (const marker of [start, end]) {
    const first = text.indexOf(marker)
    if (first === -1) {
      throw new Error(
        `README.md has no ${marker} marker: add ${start} and ${end} on their own lines.`,
      )
    }
    if (text.indexOf(marker, first + marker.length) !== -1) {
      throw new Error(`README.md has ${marker} more than once: keep exactly one.`)
    }
  }
  const startAt = text.indexOf(start)
  const endAt = text.indexOf(end)
  if (endAt < startAt) {
    throw new Error(`README.md has ${end} before ${start}.`)
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const body = content.split('\n').join(eol)
  return `${text.slice(0, startAt + start.length)}${eol}${eol}${body}${eol}${eol}${text.slice(endAt)}`
}

/** README.md's text with the Inputs and Outputs tables generated from action.yml's text. */
export function renderTables(actionYmlText, readmeText) {
  const { inputs, outputs } = readAction(actionYmlText)
  const withUsage = replaceBetweenMarkers(readmeText, 'usage', renderUsage(inputs))
  const withInputs = replaceBetweenMarkers(withUsage, 'inputs', renderInputsTable(inputs))
  return replaceBetweenMarkers(withInputs, 'outputs', renderOutputsTable(outputs))
}

function main(args) {
  const unknown = args.filter((arg) => arg !== '--check')
  if (unknown.length > 0) {
    console.error(`Unknown argument ${unknown[0]}. Usage: node scripts/docs.mjs [--check]`)
    return 2
  }
  const root = join(dirname(fileURLToPath(import.meta.url)), '..')
  const readmePath = join(root, 'README.md')
  const readme = readFileSync(readmePath, 'utf8')
  let generated
  try {
    generated = renderTables(readFileSync(join(root, 'action.yml'), 'utf8'), readme)
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    return 1
  }
  if (args.includes('--check')) {
    if (generated !== readme) {
      console.error(OUT_OF_DATE_MESSAGE)
      return 1
    }
    console.log('README.md is up to date with action.yml.')
    return 0
  }
  if (generated === readme) {
    console.log('README.md is already up to date with action.yml.')
  } else {
    writeFileSync(readmePath, generated)
    console.log('README.md: Inputs and Outputs tables written from action.yml.')
  }
  return 0
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2))
}
