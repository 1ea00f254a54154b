import { describe, expect, it } from '@jest/globals'
import { nodeFileSystem, type FileSystem } from '../../../src/settings/files.js'
import { Reader } from '../../../src/settings/reader.js'
import type { SettingsSource } from '../../../src/settings/index.js'
import { memoryFs, STACK } from './helpers.js'

const DEFAULTS = { wait: 'true', timeout: '30m', 'max-parallel': '4' }

function reader(
  inputs: Record<string, string>,
  extra: Partial<Omit<SettingsSource, 'input'>> = {},
): Reader {
  return new Reader({ input: (name) => inputs[name] ?? '', workspace: '/ws', ...extra }, DEFAULTS)
}

describe('Reader: plain values', () => {
  it('trims an input and falls back to its default when empty or blank', () => {
    const r = reader({ wait: '  false \n', timeout: ' \t\n ' })
    expect(r.get('wait')).toBe('false')
    expect(r.get('timeout')).toBe('30m')
    expect(r.get('max-parallel')).toBe('4')
    expect(r.get('scope')).toBe('')
    expect(r.problems).toEqual([])
  })

  it('gives the raw input untrimmed, without defaults', () => {
    const r = reader({ 'job-xml': '\n  <a/>  \n' })
    expect(r.raw('job-xml')).toBe('\n  <a/>  \n')
    expect(r.raw('timeout')).toBe('')
  })

  it('reports a missing required input, by the describe hook when given', () => {
    const plain = reader({ 'client-id': ' id ' })
    expect(plain.required('client-id')).toBe('id')
    expect(plain.required('client-secret')).toBe('')
    expect(plain.problems).toEqual(['Input client-secret is required.'])

    const cli = reader({}, { describe: (name) => `--${name} (or SPOTFIRE_X)` })
    cli.required('client-secret')
    expect(cli.problems).toEqual(['--client-secret (or SPOTFIRE_X) is required.'])
  })

  it('splits lines on \\n and \\r\\n, trims them, and skips blank and # lines', () => {
    const r = reader({
      'library-path': '  /A  \r\n\n# a comment\n   # indented\n\t\n/B # not a comment\n',
    })
    expect(r.lines('library-path')).toEqual(['/A', '/B # not a comment'])
    expect(r.lines('library-id')).toEqual([])
  })

  it('names inputs by the name hook, or as they are', () => {
    expect(reader({}).name('timeout')).toBe('timeout')
    expect(reader({}, { name: (n) => `--${n}` }).name('timeout')).toBe('--timeout')
  })

  it('reads files through nodeFileSystem unless given another', () => {
    expect(reader({}).files).toBe(nodeFileSystem)
    const fs = memoryFs({})
    expect(reader({}, { files: fs }).files).toBe(fs)
  })
})

describe('Reader: typed values', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['False', false],
    [' false ', false],
    ['', true],
  ])('reads the boolean %j as %j', (text, value) => {
    const r = reader({ wait: text })
    expect(r.boolean('wait')).toBe(value)
    expect(r.problems).toEqual([])
  })

  it.each([['yes'], ['1'], ['on'], ['truee']])('reports the boolean %j and reads false', (text) => {
    const r = reader({ wait: text })
    expect(r.boolean('wait')).toBe(false)
    expect(r.problems).toEqual([`Invalid wait '${text}'. Expected true or false.`])
  })

  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['', 1_800_000],
    ['576h', 576 * 3_600_000],
  ])('reads the duration %j as %d ms', (text, ms) => {
    const r = reader({ timeout: text })
    expect(r.duration('timeout')).toBe(ms)
    expect(r.problems).toEqual([])
  })

  it.each([['soon'], ['0'], ['0s'], ['-5s'], ['1.5s'], ['1d']])(
    'reports the duration %j',
    (text) => {
      const r = reader({ timeout: text })
      r.duration('timeout')
      expect(r.problems).toEqual([
        `Invalid timeout '${text}'. Expected a duration such as 90s, 15m or 1h30m.`,
      ])
    },
  )

  it('reports a duration longer than a timer can wait (about 24 days)', () => {
    const r = reader({ timeout: '600h' })
    r.duration('timeout')
    expect(r.problems).toEqual(["Invalid timeout '600h'. Expected at most 24 days."])
  })

  it('cuts a long value and keeps it on one line when reporting it', () => {
    const r = reader({ timeout: `x\n::error::${'y'.repeat(100)}` })
    r.duration('timeout')
    expect(r.problems).toHaveLength(1)
    expect(r.problems[0]).not.toContain('\n')
    expect(r.problems[0]).toContain('characters cut')
    expect(r.problems[0]?.length).toBeLessThan(200)
  })

  it.each([
    ['1', 1],
    ['64', 64],
    ['007', 7],
    ['', 4],
  ])('reads the whole number %j as %d', (text, value) => {
    const r = reader({ 'max-parallel': text })
    expect(r.integer('max-parallel', 1, 64)).toBe(value)
    expect(r.problems).toEqual([])
  })

  it.each([['0'], ['65'], ['-1'], ['+3'], ['2.0'], ['1e1'], ['four'], ['9'.repeat(400)]])(
    'reports the whole number %j and reads the minimum',
    (text) => {
      const r = reader({ 'max-parallel': text })
      expect(r.integer('max-parallel', 1, 64)).toBe(1)
      expect(r.problems).toEqual([
        expect.stringMatching(
          /^Invalid max-parallel '.*'\. Expected a whole number from 1 to 64\.$/,
        ),
      ])
    },
  )
})

describe('Reader.readFile', () => {
  it('reads a path relative to the workspace, or an absolute one', () => {
    const fs = memoryFs({ '/ws/jobs/a.xml': 'A', '/etc/b.xml': 'B' })
    const r = reader({}, { files: fs })
    expect(r.readFile('job-file', 'jobs/../jobs/a.xml', 100)?.toString()).toBe('A')
    expect(r.readFile('job-file', '/etc/b.xml', 100)?.toString()).toBe('B')
    expect(fs.reads).toEqual(['/ws/jobs/a.xml', '/etc/b.xml'])
    expect(r.problems).toEqual([])
  })

  it('records why a file cannot be read, naming the input and the path', () => {
    const r = reader(
      {},
      { files: memoryFs({ '/ws/big.xml': 'x'.repeat(2048) }), name: (n) => `--${n}` },
    )
    expect(r.readFile('job-file', 'missing.xml', 1024)).toBeUndefined()
    expect(r.readFile('job-file', 'big.xml', 1024)).toBeUndefined()
    expect(r.problems).toEqual([
      "Cannot read --job-file 'missing.xml': no such file (ENOENT). Expected a file path relative to the workspace.",
      "Cannot read --job-file 'big.xml': it is larger than 1 KiB. Expected a file path relative to the workspace.",
    ])
  })

  it('turns any other error into plain words, without its message or stack', () => {
    const fs: FileSystem = {
      read() {
        throw new TypeError('internal detail /secret/path')
      },
      list: () => [],
    }
    const r = reader({}, { files: fs })
    expect(r.readFile('ca-certificate', 'ca.pem', 10)).toBeUndefined()
    expect(r.problems).toEqual([
      "Cannot read ca-certificate 'ca.pem': it cannot be read. Expected a file path relative to the workspace.",
    ])
  })

  it('shows a path with a line break on one line', () => {
    const r = reader({}, { files: memoryFs({}) })
    r.readFile('job-file', 'a\n::error::b.xml', 10)
    expect(r.problems[0]).not.toContain('\n')
  })
})

describe('Reader.guard', () => {
  it('runs the check and records nothing when it passes', () => {
    const r = reader({})
    let ran = false
    r.guard('The jobs', () => {
      ran = true
    })
    expect(ran).toBe(true)
    expect(r.problems).toEqual([])
  })

  it('turns a throwing check into a problem beside the others', () => {
    const r = reader({ wait: 'maybe' })
    r.boolean('wait')
    r.guard('The jobs', () => {
      r.problems.push('a problem the check found first')
      throw new RangeError('Maximum call stack size exceeded')
    })
    r.duration('timeout')
    expect(r.problems).toEqual([
      "Invalid wait 'maybe'. Expected true or false.",
      'a problem the check found first',
      'The jobs: it could not be checked (Maximum call stack size exceeded).',
    ])
  })

  it('takes anything thrown, shown on one line and cut, with no stack', () => {
    const r = reader({})
    r.guard('A', () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw 'a string'
    })
    r.guard('B', () => {
      throw new Error(`line one\n    at fake (stack.js:1:1)\n${'z'.repeat(500)}`)
    })
    expect(r.problems[0]).toBe('A: it could not be checked (a string).')
    expect(r.problems[1]).toMatch(/^B: it could not be checked \(line one ⏎ {5}at fake/)
    expect(r.problems[1]).toContain('characters cut')
    expect(r.problems[1]).not.toMatch(STACK)
  })
})
