import { describe, expect, it } from '@jest/globals'
import { Secrets } from '../../src/shared/secrets.js'
import { basicCredentials } from '../../src/spotfire/token.js'

const SECRET = '5f0c2a9e8b7d4c1a3e6f9b2d7c4a1e8f'
const CLIENT_ID = '0123abcd.oauth-clients.spotfire.tibco.com'

const with_ = (...values: string[]): Secrets => {
  const secrets = new Secrets()
  for (const value of values) secrets.add(value)
  return secrets
}

describe('Secrets.redact', () => {
  it('leaves text alone while there is nothing to hide', () => {
    expect(new Secrets().redact(`text with ${SECRET}`)).toBe(`text with ${SECRET}`)
  })

  it('hides every occurrence of a secret', () => {
    expect(with_(SECRET).redact(`a ${SECRET} b ${SECRET}${SECRET} c`)).toBe('a *** b *** c')
  })

  it('hides a secret inside a longer word, and at either end of the text', () => {
    expect(with_('hunter22').redact('hunter22xhunter22')).toBe('***x***')
  })

  it('hides the URL-encoded form, as a server echoing a query or a form would send it back', () => {
    const secret = "p@ss word/+&=!'()~*"
    const secrets = with_(secret)
    const uriEncoded = encodeURIComponent(secret)
    expect(secrets.redact(`?secret=${uriEncoded}&x=1`)).toBe('?secret=***&x=1')
    expect(uriEncoded).not.toBe(secret)
  })

  it('hides the form-encoded secret of a client_secret_post body', () => {
    // BUG fixed: only encodeURIComponent's form was hidden; a form body writes a space as + and
    // encodes !'()~, so a token endpoint echoing the body showed the secret.
    const secret = "p@ss word!'()~"
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: secret,
    }).toString()
    const redacted = with_(secret).redact(`HTTP 400 Bad Request: ${body}`)
    expect(redacted).toBe(
      `HTTP 400 Bad Request: grant_type=client_credentials&client_id=${encodeURIComponent(CLIENT_ID)}&client_secret=***`,
    )
  })

  it('hides the Basic credential made of the client id and secret', () => {
    const secrets = new Secrets()
    secrets.addClient(CLIENT_ID, SECRET)
    // Spotfire's ids and secrets are unchanged by form-encoding: the credential is plain base64.
    const credential = Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')
    expect(secrets.redact(`echoed: Authorization: Basic ${credential}`)).toBe(
      'echoed: Authorization: Basic ***',
    )
    expect(secrets.redact(`secret=${SECRET}`)).toBe('secret=***')
  })

  it('hides the Basic credential of an id and secret that form-encoding changes', () => {
    const secrets = new Secrets()
    secrets.addClient('my client', 'my secret')
    const credential = Buffer.from('my+client:my+secret').toString('base64')
    expect(basicCredentials('my client', 'my secret')).toBe(`Basic ${credential}`)
    expect(secrets.redact(`Basic ${credential}`)).toBe('Basic ***')
  })

  it('leaves the client id visible: it is not a secret', () => {
    const secrets = new Secrets()
    secrets.addClient(CLIENT_ID, SECRET)
    expect(secrets.redact(`client ${CLIENT_ID}`)).toBe(`client ${CLIENT_ID}`)
  })

  it('adds nothing for a client without a secret', () => {
    const secrets = new Secrets()
    secrets.addClient(CLIENT_ID, '')
    const credential = Buffer.from(`${CLIENT_ID}:`).toString('base64')
    expect(secrets.redact(`${CLIENT_ID} ${credential}`)).toBe(`${CLIENT_ID} ${credential}`)
  })

  it.each([
    ['the longer added first', ['token-abcdefgh-1234', 'abcdefgh']],
    ['the shorter added first', ['abcdefgh', 'token-abcdefgh-1234']],
  ])('hides a value that holds another whole, %s', (_order, values) => {
    const redacted = with_(...values).redact('x token-abcdefgh-1234 y abcdefgh z')
    expect(redacted).toBe('x *** y *** z')
  })

  it('hides both of two values that overlap in part', () => {
    // BUG fixed: replacing one value after the other left the end of the second one visible.
    for (const order of [
      ['abcdef12', 'ef12ghij'],
      ['ef12ghij', 'abcdef12'],
    ]) {
      const redacted = with_(...order).redact('[abcdef12ghij]')
      expect(redacted).toBe('[***]')
    }
  })

  it('hides a value whose occurrences overlap each other', () => {
    expect(with_('abab').redact('xabababy')).toBe('x***y')
  })

  it.each(['', 'a', 'ab', 'abc'])('ignores the short value %j', (value) => {
    const text = 'a cab abc: abbreviations stay readable'
    expect(with_(value).redact(text)).toBe(text)
  })

  it('hides a value of four characters', () => {
    expect(with_('abcd').redact('xabcdx')).toBe('x***x')
  })

  it('hides no more than the secrets', () => {
    const secrets = with_(SECRET)
    const text = `Job 7d5cf4e0 failed: token ${SECRET.slice(0, 10)}…`
    expect(secrets.redact(text)).toBe(text)
  })

  it('keeps up with a large text', () => {
    const secrets = with_(SECRET, 'aaaa')
    const text = `${'a'.repeat(2_000_000)}${SECRET}${'b'.repeat(2_000_000)}`
    expect(secrets.redact(text)).toBe(`***${'b'.repeat(2_000_000)}`)
  })

  describe('in escaped forms, as an error page or a JSON answer echoes it', () => {
    // BUG fixed: a token server's error page that echoed the secret HTML-escaped printed it whole.
    const secret = 's3cr&t<"x">\'/ é😀'
    const secrets = with_(secret)
    const code = (c: string): number => c.codePointAt(0) ?? 0
    const chars = Array.from(secret)
    const each = (form: (c: string) => string): string => chars.map(form).join('')
    /** Every UTF-16 unit but letters and digits as \\uXXXX. */
    const unitsAsJson = (text: string, hex: (digits: string) => string): string =>
      text.replace(/[^a-z0-9]/g, (u) => `\\u${hex(u.charCodeAt(0).toString(16).padStart(4, '0'))}`)

    it.each<[string, string]>([
      ['HTML named entities', 's3cr&amp;t&lt;&quot;x&quot;&gt;&apos;/ é😀'],
      ['HTML with &#39; for the quote', 's3cr&amp;t&lt;&quot;x&quot;&gt;&#39;/ é😀'],
      ['HTML decimal references, every character', each((c) => `&#${code(c)};`)],
      ['HTML hex references, lower case', each((c) => `&#x${code(c).toString(16)};`)],
      [
        'HTML hex references, upper case, zero-padded',
        each((c) => `&#X00${code(c).toString(16).toUpperCase()};`),
      ],
      ['percent-encoding, upper case', encodeURIComponent(secret)],
      [
        'percent-encoding, lower case',
        encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      ],
      [
        'percent-encoding of every byte',
        each((c) => [...Buffer.from(c)].map((b) => `%${b.toString(16)}`).join('')),
      ],
      ['form encoding, + for space', new URLSearchParams({ v: secret }).toString().slice(2)],
      [
        'JSON \\u escapes, lower case, a surrogate pair for the emoji',
        unitsAsJson(secret, (hex) => hex),
      ],
      ['JSON \\u escapes, upper case', unitsAsJson(secret, (hex) => hex.toUpperCase())],
      [
        'JSON as a browser-safe encoder writes it',
        JSON.stringify(secret)
          .replace(/[<>&'/]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
          .slice(1, -1),
      ],
      ['JSON with an escaped solidus', JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/')],
      ['mixed in one text', "s3cr&amp;t%3C\\u0022x&#34;&gt;'%2F+é😀"],
    ])('hides the secret written in %s', (_form, written) => {
      expect(written).not.toBe(secret)
      expect(secrets.redact(`<p>Invalid client secret '${written}'.</p>`)).toBe(
        "<p>Invalid client secret '***'.</p>",
      )
    })

    it("hides an HTML-escaped secret in a token endpoint's error page", () => {
      const page = `<html><body><h1>400</h1><p>client_secret=a&amp;b&lt;c&gt;d&quot;e</p></body></html>`
      expect(with_('a&b<c>d"e').redact(page)).toBe(
        '<html><body><h1>400</h1><p>client_secret=***</p></body></html>',
      )
    })

    it('hides no more than the secret around its escaped form', () => {
      expect(with_('a&b<c>d').redact('x&amp;a&amp;b&lt;c&gt;d&amp;y')).toBe('x&amp;***&amp;y')
    })

    it('keeps up with a large text holding escapes that are not the secret', () => {
      const text = `${'&amp;%41\\u0041'.repeat(100_000)}${encodeURIComponent(secret)}`
      expect(secrets.redact(text)).toBe(`${'&amp;%41\\u0041'.repeat(100_000)}***`)
    })
  })
})
