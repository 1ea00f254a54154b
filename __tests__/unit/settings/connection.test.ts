import { readFileSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { Inputs } from '../../../src/shared/constants.js'
import { parseCaCertificates } from '../../../src/settings/ca.js'
import { getSettings } from '../../../src/settings/index.js'
import { parseServerUrl } from '../../../src/settings/server-url.js'
import { TEST_CA_PEM } from '../fixtures.js'
import {
  diskSource,
  inputErrorOf,
  BASE,
  memoryFs,
  problemsOf,
  SECRET,
  settingsOf,
  tempTree,
} from './helpers.js'

const LIBRARY = { [Inputs.LibraryPath]: '/Jobs/A' }
const SERVER_CERT = readFileSync(
  new URL('../../fixtures/tls/cert.pem', import.meta.url),
  'utf8',
).trim()

/** parseServerUrl's answer, problems and warnings. */
function url(text: string, name = 'server-url') {
  const problems: string[] = []
  const warnings: string[] = []
  return { url: parseServerUrl(text, name, problems, warnings), problems, warnings }
}

describe('server-url', () => {
  it.each([
    ['https://spotfire.example.com', 'https://spotfire.example.com'],
    ['https://spotfire.example.com/', 'https://spotfire.example.com'],
    ['https://spotfire.example.com/spotfire', 'https://spotfire.example.com'],
    ['https://spotfire.example.com/spotfire/', 'https://spotfire.example.com'],
    ['https://spotfire.example.com:8443/SpotFire//', 'https://spotfire.example.com:8443'],
    ['https://spotfire.example.com:443/', 'https://spotfire.example.com'],
    ['https://example.com/analytics', 'https://example.com/analytics'],
    ['https://example.com/analytics/spotfire/', 'https://example.com/analytics'],
    ['https://example.com/spotfire-test', 'https://example.com/spotfire-test'],
    ['https://example.com/spotfire/spotfire', 'https://example.com/spotfire'],
    ['  https://SPOTFIRE.example.com  ', 'https://spotfire.example.com'],
  ])('normalises %j to %j', (input, expected) => {
    const settings = settingsOf({ [Inputs.ServerUrl]: input, ...LIBRARY })
    expect(settings.serverUrl).toBe(expected)
    expect(settings.warnings).toEqual([])
  })

  it.each([
    ['http://spotfire.internal'],
    ['http://10.0.0.5:8080'],
    ['http://localhost.example.com'],
    ['http://127.example.com'],
    ['http://[::2]'],
  ])('warns that %j is not encrypted, and accepts it', (input) => {
    const settings = settingsOf({ [Inputs.ServerUrl]: input, ...LIBRARY })
    expect(settings.serverUrl).toBe(input)
    expect(settings.warnings).toEqual([
      'server-url uses http://: the client secret and tokens cross the network unencrypted. Use https:// unless the server is on a trusted network.',
    ])
  })

  it.each([
    ['http://localhost:8080', 'http://localhost:8080'],
    ['http://LOCALHOST/spotfire', 'http://localhost'],
    ['http://127.0.0.1:8080/spotfire', 'http://127.0.0.1:8080'],
    ['http://127.4.5.6', 'http://127.4.5.6'],
    ['http://[::1]:8080/', 'http://[::1]:8080'],
  ])('accepts the loopback address %j over http without a warning', (input, expected) => {
    const settings = settingsOf({ [Inputs.ServerUrl]: input, ...LIBRARY })
    expect(settings.serverUrl).toBe(expected)
    expect(settings.warnings).toEqual([])
  })

  it.each([['ftp://spotfire.example.com'], ['file:///etc/passwd'], ['mailto:x']])(
    'rejects the scheme of %j',
    (input) => {
      expect(problemsOf({ [Inputs.ServerUrl]: input, ...LIBRARY })).toEqual([
        `Invalid server-url '${input}': the scheme must be https or http. Expected the server base URL, such as https://spotfire.example.com.`,
      ])
    },
  )

  it.each([['spotfire.example.com'], ['https://'], ['https://spot fire']])(
    'rejects %j, which is not a URL',
    (input) => {
      expect(problemsOf({ [Inputs.ServerUrl]: input, ...LIBRARY })).toEqual([
        `Invalid server-url '${input}'. Expected the server base URL, such as https://spotfire.example.com.`,
      ])
    },
  )

  it.each([
    ['https://spotfire.example.com/?tenant=a'],
    ['https://spotfire.example.com/#top'],
    ['https://user:pw@spotfire.example.com'],
    ['https://user@spotfire.example.com'],
  ])('rejects %j, which has credentials, a query or a fragment, without echoing it', (input) => {
    expect(problemsOf({ [Inputs.ServerUrl]: input, ...LIBRARY })).toEqual([
      'Invalid server-url: it must not contain credentials, a query or a fragment. Expected the server base URL, such as https://spotfire.example.com.',
    ])
  })

  it.each([
    [`https://id:${SECRET}@spotfire.example.com`],
    [`ftp://id:${SECRET}@spotfire.example.com`],
    [`https://id:${SECRET}@spot fire`],
    [`https://id:${SECRET}@spotfire@example.com`],
    [`https://id:p@ss${SECRET}@spot fire`],
    [`https://id:${SECRET}/x@spotfire.example.com`],
    [`https://id:x/${SECRET}@spotfire.example.com`],
    [`id:${SECRET}@spotfire.example.com`],
    [`HTTPS://id:${SECRET}@[bad`],
  ])('never echoes the user:password of %j', (input) => {
    const error = inputErrorOf({ ...BASE, [Inputs.ServerUrl]: input, ...LIBRARY })
    expect(error.problems).toEqual([expect.stringContaining('server-url')])
    expect(error.message).not.toContain(SECRET)
    expect(error.message).not.toContain('id:')
  })

  it('shows a rejected URL on one line, cut to a readable length', () => {
    const { problems } = url(`https://spot fire/\n::error::${'x'.repeat(1000)}`)
    expect(problems).toHaveLength(1)
    expect(problems[0]).not.toContain('\n')
    expect(problems[0]).toContain('characters cut')
    expect(problems[0]?.length).toBeLessThan(400)
  })

  it('names the input as told, and answers empty text with nothing', () => {
    expect(url('ftp://x', '--server-url').problems).toEqual([
      expect.stringMatching(/^Invalid --server-url 'ftp:\/\/x'/),
    ])
    expect(url('http://x', '--server-url').warnings).toEqual([
      expect.stringMatching(/^--server-url uses http:\/\//),
    ])
    expect(url('')).toEqual({ url: '', problems: [], warnings: [] })
  })

  it('reports a missing server-url as required', () => {
    expect(problemsOf({ [Inputs.ServerUrl]: ' ', ...LIBRARY })).toEqual([
      'Input server-url is required.',
    ])
  })
})

describe('ca-certificate', () => {
  it('reads PEM text, with comments and other blocks around it, keeping only certificates', () => {
    const text = `# our CA\n${TEST_CA_PEM}\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n`
    const settings = settingsOf({ ...LIBRARY, [Inputs.CaCertificate]: text })
    expect(settings.caCertificates).toBe(TEST_CA_PEM.trim())
    expect(settings.caCertificates).not.toContain('PRIVATE KEY')
  })

  it('reads several certificates given as text', () => {
    expect(
      settingsOf({ ...LIBRARY, [Inputs.CaCertificate]: `${TEST_CA_PEM}\n${SERVER_CERT}` })
        .caCertificates,
    ).toBe(`${TEST_CA_PEM.trim()}\n${SERVER_CERT}`)
  })

  it('reads a PEM file relative to the workspace through the file system', () => {
    const fs = memoryFs({ '/ws/certs/ca.pem': `${TEST_CA_PEM}${TEST_CA_PEM}` })
    const settings = settingsOf({ ...LIBRARY, [Inputs.CaCertificate]: 'certs/ca.pem' }, fs)
    expect(settings.caCertificates).toBe(`${TEST_CA_PEM.trim()}\n${TEST_CA_PEM.trim()}`)
    expect(fs.reads).toEqual(['/ws/certs/ca.pem'])
  })

  it('reads a PEM file on disk', () => {
    const workspace = tempTree({ 'tls/ca.pem': SERVER_CERT })
    const settings = getSettings(
      diskSource(workspace, { ...LIBRARY, [Inputs.CaCertificate]: 'tls/ca.pem' }),
    )
    expect(settings.caCertificates).toBe(SERVER_CERT)
  })

  it('leaves caCertificates out when none is given', () => {
    expect(settingsOf(LIBRARY)).not.toHaveProperty('caCertificates')
  })

  it('reports a missing or unreadable file', () => {
    const fs = memoryFs({ '/ws/certs/x.pem': TEST_CA_PEM })
    expect(problemsOf({ ...LIBRARY, [Inputs.CaCertificate]: 'certs/none.pem' }, fs)).toEqual([
      "Cannot read ca-certificate 'certs/none.pem': no such file (ENOENT). Expected a file path relative to the workspace.",
    ])
    expect(problemsOf({ ...LIBRARY, [Inputs.CaCertificate]: 'certs' }, fs)).toEqual([
      "Cannot read ca-certificate 'certs': it is not a regular file. Expected a file path relative to the workspace.",
    ])
  })

  it.each([
    [
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
      '1 certificate cannot be parsed',
    ],
    [
      `${TEST_CA_PEM}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----`,
      '1 certificate cannot be parsed',
    ],
    ['-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', 'no certificate found'],
  ])('reports the invalid ca-certificate text %#', (pem, reason) => {
    expect(problemsOf({ ...LIBRARY, [Inputs.CaCertificate]: pem })).toEqual([
      `Invalid ca-certificate: ${reason}. Expected PEM text (-----BEGIN CERTIFICATE----- ...) or the path of a PEM file.`,
    ])
  })

  it('reports a file without certificates', () => {
    expect(
      problemsOf(
        { ...LIBRARY, [Inputs.CaCertificate]: 'ca.txt' },
        memoryFs({ '/ws/ca.txt': 'hi' }),
      ),
    ).toEqual([expect.stringMatching(/^Invalid ca-certificate: no certificate found\./)])
  })

  it('parseCaCertificates reads a path only when the text is not PEM', () => {
    const asked: string[] = []
    const read = (path: string): string | undefined => {
      asked.push(path)
      return path === 'ca.pem' ? TEST_CA_PEM : undefined
    }
    const problems: string[] = []
    expect(parseCaCertificates(TEST_CA_PEM, 'ca', read, problems)).toBe(TEST_CA_PEM.trim())
    expect(parseCaCertificates('ca.pem', 'ca', read, problems)).toBe(TEST_CA_PEM.trim())
    // The reader records its own problem; none is added for the same file.
    expect(parseCaCertificates('none.pem', 'ca', read, problems)).toBeUndefined()
    expect(parseCaCertificates('', 'ca', read, problems)).toBeUndefined()
    expect(asked).toEqual(['ca.pem', 'none.pem'])
    expect(problems).toEqual([])
  })
})
