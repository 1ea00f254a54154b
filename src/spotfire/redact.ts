/**
 * Finding a value in text that may carry it escaped: a server echoes a secret back in an HTML
 * error page (`&amp;`, `&#38;`, `&#x26;`), in a URL or a form (`%26`, `%2f` or `%2F`, `+` for a
 * space), or in JSON (`\u0026`, `\/`). Escapers differ in which characters they escape, so each
 * character of the value may come in any of its forms, independently of the others.
 */

/** HTML's names for ASCII characters. */
const NAMED: Record<string, string> = {
  amp: '&',
  AMP: '&',
  lt: '<',
  LT: '<',
  gt: '>',
  GT: '>',
  quot: '"',
  QUOT: '"',
  apos: "'",
  excl: '!',
  num: '#',
  dollar: '$',
  percnt: '%',
  lpar: '(',
  rpar: ')',
  ast: '*',
  midast: '*',
  plus: '+',
  comma: ',',
  period: '.',
  sol: '/',
  colon: ':',
  semi: ';',
  equals: '=',
  quest: '?',
  commat: '@',
  lsqb: '[',
  lbrack: '[',
  bsol: '\\',
  rsqb: ']',
  rbrack: ']',
  Hat: '^',
  lowbar: '_',
  UnderBar: '_',
  grave: '`',
  DiacriticalGrave: '`',
  lcub: '{',
  lbrace: '{',
  verbar: '|',
  vert: '|',
  VerticalLine: '|',
  rcub: '}',
  rbrace: '}',
  Tab: '\t',
  NewLine: '\n',
}
/** The names HTML also reads without their `;`. Sticky: each is tried at one place. */
const LEGACY = /&(amp|AMP|lt|LT|gt|GT|quot|QUOT)/y
const ENTITY = /&([A-Za-z]{2,16});/y
const NUMERIC = /&#(?:([0-9]{1,8})|[xX]([0-9a-fA-F]{1,8}));?/y
const JSON_UNIT = /\\u([0-9a-fA-F]{4})/y
const PERCENT_BYTE = /%([0-9a-fA-F]{2})/y
const JSON_SHORT: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
}

/** The sticky `pattern`'s match at `at`, or null. */
function execAt(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at
  return pattern.exec(text)
}

/** One character read at some place in the text: what it is, and where its form ends. */
interface Read {
  char: string
  end: number
}

/** A code point, or undefined for a number that is none. */
function fromCode(code: number): string | undefined {
  return code <= 0x10ffff ? String.fromCodePoint(code) : undefined
}

/** `%XX` bytes from `at` that make one UTF-8 character. */
function percentAt(text: string, at: number): Read | undefined {
  const byteAt = (i: number): number | undefined => {
    const digits = execAt(PERCENT_BYTE, text, i)?.[1]
    return digits === undefined ? undefined : parseInt(digits, 16)
  }
  const first = byteAt(at)
  if (first === undefined) return undefined
  const length = first < 0x80 ? 1 : first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 0
  const bytes: number[] = []
  for (let i = 0; i < length; i++) {
    const byte = byteAt(at + 3 * i)
    if (byte === undefined) return undefined
    bytes.push(byte)
  }
  const char = Buffer.from(bytes).toString('utf8')
  return length === 0 || char.includes('\ufffd') ? undefined : { char, end: at + 3 * length }
}

/** `\uXXXX` from `at`, a surrogate pair as one character. */
function jsonUnitAt(text: string, at: number): Read | undefined {
  const high = execAt(JSON_UNIT, text, at)?.[1]
  if (high === undefined) return undefined
  const low = execAt(JSON_UNIT, text, at + 6)?.[1]
  const pair = low === undefined ? '' : String.fromCharCode(parseInt(high, 16), parseInt(low, 16))
  if (/^[\ud800-\udbff][\udc00-\udfff]$/.test(pair)) return { char: pair, end: at + 12 }
  return { char: String.fromCharCode(parseInt(high, 16)), end: at + 6 }
}

/** Every character the text may be read as at `at`: itself, or the escape that starts there. */
function readsAt(text: string, at: number): Read[] {
  const code = text.codePointAt(at) ?? 0
  const char = String.fromCodePoint(code)
  const reads: Read[] = [{ char, end: at + char.length }]
  if (char === '+') reads.push({ char: ' ', end: at + 1 })
  else if (char === '%') {
    const read = percentAt(text, at)
    if (read !== undefined) reads.push(read)
  } else if (char === '\\') {
    const short = JSON_SHORT[text.charAt(at + 1)]
    if (short !== undefined) reads.push({ char: short, end: at + 2 })
    const read = jsonUnitAt(text, at)
    if (read !== undefined) reads.push(read)
  } else if (char === '&') {
    const numeric = execAt(NUMERIC, text, at)
    const number = numeric?.[1] ?? numeric?.[2]
    const decoded =
      number === undefined ? undefined : fromCode(parseInt(number, numeric?.[1] ? 10 : 16))
    if (numeric !== null && decoded !== undefined) {
      reads.push({ char: decoded, end: at + numeric[0].length })
    }
    const named = execAt(ENTITY, text, at) ?? execAt(LEGACY, text, at)
    const name = named?.[1]
    const meaning = name === undefined ? undefined : NAMED[name]
    if (named !== null && meaning !== undefined) {
      reads.push({ char: meaning, end: at + named[0].length })
    }
  }
  return reads
}

/** Characters an escape starts with: where a value written with escapes may begin. */
const ESCAPE_STARTS = new Set(['&', '%', '\\', '+'])

/** Where `chars`, written plainly or escaped, ends when it starts at `at`; -1 where it does not. */
function matchEnd(text: string, at: number, chars: readonly string[]): number {
  let ends = [at]
  for (const wanted of chars) {
    const next: number[] = []
    for (const from of ends) {
      if (text.startsWith(wanted, from)) next.push(from + wanted.length)
      if (!ESCAPE_STARTS.has(text.charAt(from))) continue
      for (const read of readsAt(text, from)) if (read.char === wanted) next.push(read.end)
    }
    if (next.length === 0) return -1
    // Few ways lead on; keeping each place once keeps the work linear.
    ends = next.length === 1 ? next : [...new Set(next)]
  }
  return Math.max(...ends)
}

/** A value to find in text, written plainly or with any of its characters escaped. */
export class EscapedValue {
  private readonly chars: readonly string[]

  constructor(readonly value: string) {
    // Code points: a character escaped as a surrogate pair is one character.
    this.chars = Array.from(value)
  }

  /**
   * Marks in `hidden` every place of `text` that holds the value, made on the first one found (a
   * long answer without any costs no copy of its length); returns it, or what it was given.
   */
  markIn(text: string, hidden: Uint8Array | undefined): Uint8Array | undefined {
    const { value } = this
    if (value === '') return hidden
    // The first place at or after `at` where an escape may start.
    let escape = -1
    for (let at = 0; at < text.length; at++) {
      if (escape < at) escape = nextEscape(text, at)
      // Up to the first escape the value is written plainly: what comes before it must match.
      const plain = Math.min(escape - at, value.length)
      if (plain > 0 && text.charCodeAt(at) !== value.charCodeAt(0)) continue
      if (!text.startsWith(plain === value.length ? value : value.slice(0, plain), at)) continue
      const end = plain === value.length ? at + plain : matchEnd(text, at, this.chars)
      if (end < 0) continue
      hidden ??= new Uint8Array(text.length)
      hidden.fill(1, at, end)
    }
    return hidden
  }
}

const ESCAPE_START = /[&%\\+]/g

/** The first place at or after `from` where an escape may start; the text's length for none. */
function nextEscape(text: string, from: number): number {
  ESCAPE_START.lastIndex = from
  return ESCAPE_START.exec(text)?.index ?? text.length
}

/**
 * Every stretch of text that any value covers becomes one `***`: a value inside another, values
 * that overlap in part and repeats of one value are hidden whole, whatever order they came in.
 */
export function hideAll(text: string, values: Iterable<EscapedValue>): string {
  if (text === '') return text
  let hidden: Uint8Array | undefined
  for (const value of values) hidden = value.markIn(text, hidden)
  if (hidden === undefined) return text
  const parts: string[] = []
  let start = 0
  for (let i = 0; i <= text.length; i++) {
    const isHidden = i < text.length && hidden[i] === 1
    const wasHidden = i > 0 && hidden[i - 1] === 1
    if (isHidden === wasHidden && i < text.length) continue
    if (i > start) parts.push(wasHidden ? '***' : text.slice(start, i))
    start = i
  }
  return parts.join('')
}
