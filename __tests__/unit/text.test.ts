import { describe, expect, it } from '@jest/globals'
import { cut, lines, oneLine, shown } from '../../src/spotfire/text.js'

/** Whether the text is valid UTF-16: encodeURIComponent throws on a lone surrogate. */
const wellFormed = (text: string): boolean => {
  try {
    encodeURIComponent(text)
    return true
  } catch {
    return false
  }
}

describe('oneLine', () => {
  it.each([
    ['a\nb', 'a ⏎ b'],
    ['a\r\nb', 'a ⏎ b'],
    ['a\rb', 'a ⏎ b'],
    ['a\u0085b', 'a ⏎ b'],
    ['a\u2028b\u2029c', 'a ⏎ b ⏎ c'],
    ['a\n\nb', 'a ⏎  ⏎ b'],
  ])('marks each line break of %j', (text, expected) => {
    expect(oneLine(text)).toBe(expected)
  })

  it.each([
    ['\u0000', '\\u0000'],
    ['\u0007', '\\u0007'],
    ['\u000b', '\\u000b'],
    ['\u000c', '\\u000c'],
    ['\u001b[31m', '\\u001b[31m'],
    ['\u007f', '\\u007f'],
    ['\u009b', '\\u009b'],
    ['\u202e', '\\u202e'],
    ['\u202a\u202b\u202c\u202d', '\\u202a\\u202b\\u202c\\u202d'],
    ['\u2066\u2067\u2068\u2069', '\\u2066\\u2067\\u2068\\u2069'],
  ])('shows the control %j as an escape', (text, expected) => {
    expect(oneLine(text)).toBe(expected)
  })

  it('keeps tabs, ordinary text and other scripts as they are', () => {
    const text = "Task 1 'Export' failed:\tNo analysis loaded. Größe 数据 😀 ‘quotes’ «»"
    expect(oneLine(text)).toBe(text)
  })

  it('leaves nothing that a terminal or the runner would read as a new line', () => {
    const all = Array.from({ length: 0x100 }, (_, i) => String.fromCharCode(i)).join('')
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    const breaksAndControls = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/
    expect(oneLine(`${all}\u2028\u2029`)).not.toMatch(breaksAndControls)
  })
})

describe('lines', () => {
  it('keeps line breaks, as \\n whatever their kind', () => {
    expect(lines('a\r\nb\rc\nd\u0085e\u2028f\u2029g')).toBe('a\nb\nc\nd\ne\nf\ng')
  })

  it('shows controls as escapes, as oneLine does', () => {
    expect(lines('a\u0000b\u001b[0m\u202e')).toBe('a\\u0000b\\u001b[0m\\u202e')
  })

  it('keeps blank lines and indentation', () => {
    expect(lines('a\n\n    b\n')).toBe('a\n\n    b\n')
  })
})

describe('cut', () => {
  it('leaves text within the limit alone', () => {
    expect(cut('abc', 3)).toBe('abc')
    expect(cut('', 0)).toBe('')
  })

  it('keeps the first characters and says how many were cut', () => {
    expect(cut('abcdef', 2)).toBe('ab… [4 characters cut]')
    expect(cut('x'.repeat(5_000_000), 10)).toBe(`${'x'.repeat(10)}… [4999990 characters cut]`)
  })

  it('cuts everything at a limit of 0, and still says so', () => {
    expect(cut('abc', 0)).toBe('… [3 characters cut]')
  })

  it('never splits a character made of two UTF-16 units', () => {
    // BUG fixed: the cut kept half of a surrogate pair, which turns into U+FFFD in the output
    // files and the summary.
    const text = '😀😀😀'
    for (let max = 0; max < text.length; max++) {
      const kept = cut(text, max)
      expect(wellFormed(kept)).toBe(true)
      expect(kept).toMatch(/… \[\d+ characters cut\]$/)
    }
    expect(cut(text, 3)).toBe('😀… [4 characters cut]')
  })
})

describe('shown', () => {
  it('cuts, then makes one line', () => {
    expect(shown('a\nb', 500)).toBe('a ⏎ b')
    expect(shown('line one\nline two', 4)).toBe('line… [13 characters cut]')
  })

  it('cuts at 500 characters by default', () => {
    expect(shown('y'.repeat(600))).toBe(`${'y'.repeat(500)}… [100 characters cut]`)
  })

  it('keeps injected lines on the one line', () => {
    expect(shown('ok\n::error::forged\r\n##[error]forged')).toBe(
      'ok ⏎ ::error::forged ⏎ ##[error]forged',
    )
  })
})
