import { readFileSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { format } from 'prettier'
import { parse } from 'yaml'
import {
  escapeCell,
  inlineCode,
  OUT_OF_DATE_MESSAGE,
  readAction,
  renderTables,
  renderUsage,
} from '../../scripts/docs.mjs'

const ACTION = `
name: Test action
description: For the docs generator.
inputs:
  server-url:
    description: Where the server is.
    required: true
  wait:
    description: true to wait.
    default: 'true'
  mode:
    description: a | b, or c
    default: a|b
  folded:
    description: >
      First line
      and a second one.
  quoted-required:
    description: Required as a string.
    required: 'true'
  empty-default:
    description: An empty default.
    default: ''
outputs:
  status:
    description: The status.
  message:
    description: The message | verbatim.
runs:
  using: node24
  main: dist/index.js
`

const README = `# Title

Intro text — kept exactly, trailing spaces too.${'  '}

## Inputs

<!-- inputs:start -->
stale content
<!-- inputs:end -->

Between the tables.

## Outputs

<!-- outputs:start -->
<!-- outputs:end -->

## Usage

<!-- usage:start -->
untouched usage
<!-- usage:end -->
`

/** The README with whatever is between each start/end marker pair removed. */
function outsideMarkers(text: string): string {
  return text.replace(/(<!-- (\w+):start -->)[\s\S]*?(<!-- \2:end -->)/g, '$1$3')
}

function between(text: string, name: string): string {
  const match = new RegExp(`<!-- ${name}:start -->([\\s\\S]*?)<!-- ${name}:end -->`).exec(text)
  if (match?.[1] === undefined) throw new Error(`no ${name} section`)
  return match[1]
}

function row(table: string, name: string): string {
  const line = table.split('\n').find((l) => l.startsWith(`| \`${name}\` `))
  if (line === undefined) throw new Error(`no row for ${name} in:\n${table}`)
  return line
}

describe('renderTables', () => {
  const out = renderTables(ACTION, README)
  const inputs = between(out, 'inputs')
  const outputs = between(out, 'outputs')

  it('lists every input and output of action.yml, in order', () => {
    const names = (table: string) =>
      table
        .split('\n')
        .slice(2)
        .map((line) => /^\| `([^`]+)`/.exec(line)?.[1])
        .filter((name) => name !== undefined)
    expect(names(inputs)).toEqual([
      'server-url',
      'wait',
      'mode',
      'folded',
      'quoted-required',
      'empty-default',
    ])
    expect(names(outputs)).toEqual(['status', 'message'])
    expect(inputs).toContain('| input ')
    expect(inputs).toMatch(/\| required +\| default +\| description +\|/)
    expect(outputs).toMatch(/\| output +\| description +\|/)
  })

  it('shows required as yes/no and code-formats the defaults', () => {
    expect(row(inputs, 'server-url')).toMatch(/^\| `server-url` +\| yes +\| +\| Where the server/)
    expect(row(inputs, 'quoted-required')).toMatch(/\| yes +\|/)
    expect(row(inputs, 'wait')).toMatch(/\| no +\| `true` +\| true to wait\. +\|$/)
    expect(row(inputs, 'empty-default')).toMatch(/\| no +\| _empty_ +\|/)
  })

  it('escapes | in descriptions and defaults', () => {
    expect(row(inputs, 'mode')).toMatch(/\| `a\\\|b` +\| a \\\| b, or c +\|$/)
    expect(row(outputs, 'message')).toContain('The message \\| verbatim.')
    // Every row still has exactly its columns once escaped pipes are set aside.
    for (const line of inputs.trim().split('\n')) {
      expect(line.replace(/\\\|/g, '').split('|')).toHaveLength(6)
    }
  })

  it('puts a multi-line description on one line', () => {
    expect(row(inputs, 'folded')).toMatch(/\| First line and a second one\. +\|$/)
  })

  it('changes the table when a default changes', () => {
    const changed = renderTables(ACTION.replace("default: 'true'", 'default: never'), README)
    expect(changed).not.toBe(out)
    expect(row(between(changed, 'inputs'), 'wait')).toMatch(/\| `never` +\|/)
    expect(outsideMarkers(changed)).toBe(outsideMarkers(out))
  })

  it('leaves every byte outside the markers alone', () => {
    expect(outsideMarkers(out)).toBe(outsideMarkers(README))
    expect(out).toContain('kept exactly, trailing spaces too.  \n')
    expect(between(out, 'usage')).toContain("    server-url: ''")
    expect(out).not.toContain('untouched usage')
    expect(out).not.toContain('stale content')
  })

  it('is idempotent', () => {
    expect(renderTables(ACTION, out)).toBe(out)
  })

  it('keeps CRLF line endings', () => {
    const crlf = README.replace(/\n/g, '\r\n')
    const result = renderTables(ACTION, crlf)
    expect(result.replace(/\r\n/g, '')).not.toContain('\n')
    expect(result.replace(/\r\n/g, '\n')).toBe(out)
  })

  it('writes tables Prettier leaves as they are', async () => {
    const options = { parser: 'markdown', semi: false, singleQuote: true, printWidth: 100 }
    const bare =
      '<!-- usage:start -->\n<!-- usage:end -->\n\n<!-- inputs:start -->\n<!-- inputs:end -->\n\n<!-- outputs:start -->\n<!-- outputs:end -->\n'
    const tables = renderTables(
      ACTION.replace('Where the server is.', 'Where the 服务器 is.'),
      bare,
    )
    expect(await format(tables, options)).toBe(tables)
  })

  it.each([
    ['inputs:start', README.replace('<!-- inputs:start -->\n', '')],
    ['inputs:end', README.replace('<!-- inputs:end -->\n', '')],
    ['outputs:start', README.replace('<!-- outputs:start -->\n', '')],
    ['outputs:end', README.replace('<!-- outputs:end -->\n', '')],
  ])('says which marker is missing (%s)', (marker, readme) => {
    expect(() => renderTables(ACTION, readme)).toThrow(`README.md has no <!-- ${marker} --> marker`)
  })

  it('refuses a duplicated marker and an end before the start', () => {
    expect(() => renderTables(ACTION, `${README}\n<!-- outputs:end -->\n`)).toThrow(
      'README.md has <!-- outputs:end --> more than once',
    )
    const swapped = README.replace('<!-- inputs:start -->', '<!-- TMP -->')
      .replace('<!-- inputs:end -->', '<!-- inputs:start -->')
      .replace('<!-- TMP -->', '<!-- inputs:end -->')
    expect(() => renderTables(ACTION, swapped)).toThrow(
      'README.md has <!-- inputs:end --> before <!-- inputs:start -->',
    )
  })

  it('refuses an action.yml that is not a mapping', () => {
    expect(() => renderTables('- just a list', README)).toThrow('action.yml is not a YAML mapping')
    expect(() => renderTables('inputs: [a, b]', README)).toThrow('inputs must be a mapping')
  })
})

describe('cell helpers', () => {
  it('escapeCell collapses whitespace and escapes pipes', () => {
    expect(escapeCell('  a |\n  b\t|c  ')).toBe('a \\| b \\|c')
  })

  it('inlineCode fences text that holds backticks', () => {
    expect(inlineCode('plain')).toBe('`plain`')
    expect(inlineCode('a`b')).toBe('``a`b``')
    expect(inlineCode('`x')).toBe('`` `x ``')
  })
})

describe('the repository README', () => {
  const actionText = readFileSync('action.yml', 'utf8')
  const readme = readFileSync('README.md', 'utf8')

  it('documents every input and output of action.yml', () => {
    const action = parse(actionText) as {
      inputs: Record<string, unknown>
      outputs: Record<string, unknown>
    }
    const { inputs, outputs } = readAction(actionText)
    expect(Object.keys(inputs)).toEqual(Object.keys(action.inputs))
    for (const name of Object.keys(action.inputs)) {
      expect(between(readme, 'inputs')).toContain(`| \`${name}\` `)
    }
    for (const name of [...Object.keys(action.outputs), ...Object.keys(outputs)]) {
      expect(between(readme, 'outputs')).toContain(`| \`${name}\` `)
    }
  })

  it('is up to date with action.yml', () => {
    const upToDate = renderTables(actionText, readme) === readme
    expect(upToDate ? 'up to date' : OUT_OF_DATE_MESSAGE).toBe('up to date')
  })
})

describe('renderUsage', () => {
  it('lists every input with its description and default or requiredness', () => {
    const usage = renderUsage({
      alpha: { description: 'The first.', required: true },
      beta: { description: 'The second.', default: '15s' },
    })
    expect(usage).toBe(
      [
        '```yaml',
        '- uses: your-org/spotfire-automation-services-action@v1',
        '  with:',
        '    # The first.',
        '    # Required.',
        "    alpha: ''",
        '',
        '    # The second.',
        '    # Default: 15s',
        "    beta: ''",
        '```',
      ].join('\n'),
    )
  })
})
