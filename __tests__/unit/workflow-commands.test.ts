import { describe, expect, it } from '@jest/globals'
import { defuse } from '../../src/shared/workflow-commands.js'

/**
 * The GitHub runner's reading of an output line, after actions/runner: ProcessInvoker reads lines
 * with TextReader.ReadLine (ends a line at \r\n, \r or \n); ActionCommand.TryParseV2 trims leading
 * white space (String.TrimStart, Char.IsWhiteSpace), wants `::` at the start and a second `::`, and
 * takes the command name from index 2; ActionCommand.TryParse (legacy) finds the first `##[`
 * anywhere, then `]`, and takes the name from after the 3 characters of `##[`. The command must be
 * a registered one. StartsWith and IndexOf(string) there compare by culture: under ICU, characters
 * without weight (a zero-width space) are skipped, so the model can play that too.
 */
const REGISTERED = new Set([
  'add-mask',
  'add-matcher',
  'remove-matcher',
  'debug',
  'notice',
  'warning',
  'error',
  'group',
  'endgroup',
  'echo',
  'set-output',
  'set-env',
  'add-path',
  'save-state',
  'stop-commands',
])

/** .NET's Char.IsWhiteSpace: JavaScript's \s has U+FEFF instead of U+0085. */
const DOTNET_LEADING_WHITE_SPACE =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/

/** Characters ICU gives no weight: a culture-sensitive search steps over them. */
// eslint-disable-next-line no-control-regex -- NUL is one of them
const WEIGHTLESS = /[\u0000\u00ad\u200b-\u200d\u2060\ufeff]/

type Comparison = 'ordinal' | 'icu'

function matchesAt(text: string, at: number, needle: string, comparison: Comparison): boolean {
  let i = at
  for (const wanted of needle) {
    while (comparison === 'icu' && i < text.length && WEIGHTLESS.test(text.charAt(i))) i++
    if (text.charAt(i) !== wanted) return false
    i++
  }
  return true
}

function indexOf(text: string, needle: string, from: number, comparison: Comparison): number {
  for (let i = from; i < text.length; i++) {
    if (matchesAt(text, i, needle, comparison)) return i
  }
  return -1
}

function commandName(info: string): string | undefined {
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  return REGISTERED.has(name) ? name : undefined
}

function parseV2(line: string, comparison: Comparison): string | undefined {
  const message = line.replace(DOTNET_LEADING_WHITE_SPACE, '')
  if (message === '' || !matchesAt(message, 0, '::', comparison)) return undefined
  const end = indexOf(message, '::', 2, comparison)
  return end < 0 ? undefined : commandName(message.slice(2, end))
}

function parseLegacy(line: string, comparison: Comparison): string | undefined {
  const prefix = indexOf(line, '##[', 0, comparison)
  if (prefix < 0) return undefined
  const bracket = line.indexOf(']', prefix)
  return bracket < 0 ? undefined : commandName(line.slice(prefix + 3, bracket))
}

/**
 * Azure Pipelines' agent (Command.TryParse): finds `##vso[` anywhere in a line of stdout or stderr,
 * then `]`; the command info starts 6 characters after where the prefix was found and is
 * `area.event` and properties; the area must be one the agent knows (task, artifact, build, ...:
 * any word, here). TeamCity's parser (Java: an ordinal search) finds `##teamcity[` anywhere and
 * takes the message name after it, a word up to a space or `]`. Both are played without regard to
 * case too.
 */
function parsePrefixed(
  line: string,
  prefix: string,
  comparison: Comparison,
  accepts: (info: string) => boolean,
): boolean {
  // .NET's OrdinalIgnoreCase compares upper cases (ſ is S); a fold that changes the length (ß is
  // SS) is done character by character, to keep the indexes of the line.
  const upper = line.toUpperCase()
  const folded =
    upper.length === line.length
      ? upper
      : line.replace(/[\s\S]/g, (c) => (c.toUpperCase().length === 1 ? c.toUpperCase() : c))
  for (const [text, wanted] of [
    [line, prefix],
    [folded, prefix.toUpperCase()],
  ] as const) {
    const at = indexOf(text, wanted, 0, comparison)
    if (at < 0) continue
    const bracket = line.indexOf(']', at)
    if (bracket >= 0 && accepts(line.slice(at + prefix.length, bracket))) return true
  }
  return false
}

const azureCommand = (info: string): boolean =>
  /^[a-z]+$/i.test((info.split(' ')[0] ?? '').split('.').filter((part) => part !== '')[0] ?? '')
const teamCityMessage = (info: string): boolean => /^[a-z][\w.-]*(?: |$)/i.test(info)

/** Every command a CI runner would run from this output, under either kind of comparison. */
function commandsIn(text: string): string[] {
  return text.split(/\r\n|\r|\n/).flatMap((line) =>
    (['ordinal', 'icu'] as const).flatMap((comparison) => {
      const found: string[] = []
      const name = parseV2(line, comparison) ?? parseLegacy(line, comparison)
      if (name !== undefined) found.push(`${comparison}: ${name}`)
      if (parsePrefixed(line, '##vso[', comparison, azureCommand)) found.push(`${comparison}: vso`)
      const java = comparison === 'ordinal'
      if (java && parsePrefixed(line, '##teamcity[', comparison, teamCityMessage)) {
        found.push(`${comparison}: teamcity`)
      }
      return found.map((what) => `${what} in ${JSON.stringify(line)}`)
    }),
  )
}

/** What a reader sees: zero-width spaces are not. */
const seen = (text: string): string => text.replace(/\u200b/g, '')

const ATTACKS: readonly string[] = [
  '::add-mask::secret',
  '::error file=a.ts,line=1::forged annotation',
  '::stop-commands::token',
  '::set-output name=status::Finished',
  '   ::warning::indented with spaces',
  '\t::group::indented with a tab',
  '\u00a0::error::after a no-break space',
  '\u3000\u2003::error::after wide spaces',
  '\u000b\u000c::error::after a vertical tab and a form feed',
  '\u0085::error::after NEL, which .NET trims and JavaScript does not',
  '##[error]legacy at the start',
  'Task 1 failed with: ##[add-mask]secret in the middle',
  'two ##[warning]of ##[error]them',
  '##[set-output name=x;]y',
  'first line\r::error::after a bare carriage return',
  'first line\r##[error]after a bare carriage return',
  'a\n::error::b\r\n  ::group::c\r##[endgroup]',
  'Job failed: ##vso[task.prependpath]/tmp/evil',
  '##vso[task.setvariable variable=PATH]/tmp/evil',
  '##VSO[task.prependpath]/tmp/evil in capitals',
  '##Vso[artifact.upload]x and ##vso[build.addbuildtag]y',
  "##teamcity[setParameter name='env.PATH' value='/tmp/evil']",
  "text before ##TeamCity[buildStatus text='forged']",
  '##v\u017fo[task.prependpath]/tmp/evil with a long s, which is S in upper case',
  'first line\r##vso[task.complete result=Succeeded;]after a bare carriage return',
]

const BENIGN: readonly string[] = [
  'Job 7d5cf4e0-9106-4884-8fba-cc3065428382: InProgress -> Finished after 1m35.5s',
  'a::b in the middle of a line',
  ': : spaced colons',
  '# [not legacy]',
  '#[one hash]',
  '#vso[one hash]',
  'vso[task.x] and teamcity[x] without hashes',
  'C:\\temp\\jobs\\a.xml',
  'https://spotfire.example.com:8443/spotfire',
  '',
  '   ',
]

describe('defuse', () => {
  it('starts from lines the runner does read as commands (the model can say so)', () => {
    for (const attack of ATTACKS) expect(commandsIn(attack)).not.toEqual([])
    // The culture-sensitive comparison steps over a zero-width space, as ICU does.
    expect(matchesAt(':\u200b:', 0, '::', 'icu')).toBe(true)
    expect(matchesAt(':\u200b:', 0, '::', 'ordinal')).toBe(false)
  })

  it.each(ATTACKS.map((attack) => [JSON.stringify(attack), attack]))(
    'leaves no command in %s',
    (_name, attack) => {
      expect(commandsIn(defuse(attack))).toEqual([])
    },
  )

  it.each(ATTACKS.map((attack) => [JSON.stringify(attack), attack]))(
    'keeps %s looking the same, line breaks where they were',
    (_name, attack) => {
      const defused = defuse(attack)
      expect(defused).not.toBe(attack)
      expect(seen(defused)).toBe(attack)
    },
  )

  it.each(BENIGN.map((line) => [JSON.stringify(line), line]))('leaves %s unchanged', (_n, line) => {
    expect(defuse(line)).toBe(line)
  })

  it('changes only the lines that need it', () => {
    const text = ['Starting library job', '::error::x', 'still running', '##[error]y'].join('\n')
    expect(defuse(text).split('\n')).toEqual([
      'Starting library job',
      ':\u200b:error::x',
      'still running',
      '##\u200b[error]y',
    ])
  })

  it('keeps \\r\\n, \\r and \\n line breaks as they are', () => {
    const text = '::a::1\r\n::b::2\r::c::3\n::d::4\n'
    const defused = defuse(text)
    expect(defused.match(/\r\n|\r|\n/g)).toEqual(text.match(/\r\n|\r|\n/g))
    expect(defused.split(/\r\n|\r|\n/).every((line) => !line.startsWith('::'))).toBe(true)
  })

  it('leaves no command in any line built of the characters that matter', () => {
    // A deterministic generator: the same 20,000 lines every run.
    let seed = 42
    const random = (n: number): number => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) % n
    }
    const pieces = [
      ...[':', '::', '#', '##', '[', '##[', ']', 'error', 'add-mask x', 'text'],
      ...[' ', '\t', '\u0085', '\u00a0', '\u3000', '\u200b', '\r', '\n', '\r\n'],
      ...['::error::', '::add-mask::', '##[error]', '##[group]'],
      ...['vso', 'VSO', 'teamcity', 'TeamCity', '##vso[', '##VsO[', '##teamcity[', 'task.x'],
      ...['##vso[task.prependpath]', '##teamcity[message ', '.'],
    ]
    for (let n = 0; n < 20_000; n++) {
      const length = 1 + random(8)
      let text = ''
      for (let i = 0; i < length; i++) text += pieces[random(pieces.length)] ?? ''
      const defused = defuse(text)
      expect(commandsIn(defused)).toEqual([])
      expect(seen(defused)).toBe(seen(text))
    }
  })
})
