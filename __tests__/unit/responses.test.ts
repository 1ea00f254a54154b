import { describe, expect, it } from '@jest/globals'
import { type FailureKind, SpotfireError } from '../../src/spotfire/errors.js'
import type { HttpResponse } from '../../src/spotfire/http.js'
import {
  bodySnippet,
  describeNonApiBody,
  httpError,
  isJsonAnswer,
  isTransient,
  notApiError,
  statusLine,
} from '../../src/spotfire/responses.js'
import { T0 } from './fake-clock.js'
import { json, text } from './fake-transport.js'
import { JOB_ID } from './fixtures.js'

const plain = (status: number, body: string, type?: string): HttpResponse => ({
  status,
  headers: type === undefined ? {} : { 'content-type': type },
  body,
})

describe('bodySnippet', () => {
  it('turns an HTML page into its text, without scripts and styles', () => {
    const page = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title><style>body { color: red }</style>
<script type="text/javascript">var secret = 1;</script></head>
<body><h1>Bad   Gateway</h1>
<p>The proxy server received an invalid response.</p></body></html>`
    expect(bodySnippet(page)).toBe(
      '502 Bad Gateway Bad Gateway The proxy server received an invalid response.',
    )
  })

  it('drops scripts and styles whatever the case of their tags', () => {
    expect(bodySnippet('<SCRIPT>alert(1)</SCRIPT><Style>p{}</Style>Down')).toBe('Down')
  })

  it('keeps plain text and JSON as they are, with white space collapsed', () => {
    expect(bodySnippet('{"error": "x"}\n\n  more')).toBe('{"error": "x"} more')
  })

  it('cuts long text to the limit and marks the cut', () => {
    expect(bodySnippet('a'.repeat(500))).toBe(`${'a'.repeat(200)}…`)
    expect(bodySnippet('abcdef', 3)).toBe('abc…')
  })

  it('does not mark text that fits', () => {
    expect(bodySnippet('a'.repeat(200))).toBe('a'.repeat(200))
  })

  it('answers an empty body with an empty text', () => {
    expect(bodySnippet(' <p> </p> ')).toBe('')
    expect(bodySnippet('')).toBe('')
  })

  it('keeps a hostile body on one line, controls made visible', () => {
    const snippet = bodySnippet('oops\r::error::forged\u0007\u202e')
    expect(snippet).toBe('oops ::error::forged\\u0007\\u202e')
    expect(snippet).not.toMatch(/[\r\n]/)
  })

  it('reads no more than the start of a huge body', () => {
    const snippet = bodySnippet('x '.repeat(5_000_000), 50)
    expect(snippet).toBe(`${'x '.repeat(25)}…`)
  })

  it('never splits a character made of two UTF-16 units', () => {
    expect(bodySnippet('ab😀cd', 3)).toBe('ab…')
  })
})

describe('statusLine', () => {
  it.each([
    [400, 'HTTP 400 Bad Request'],
    [401, 'HTTP 401 Unauthorized'],
    [403, 'HTTP 403 Forbidden'],
    [404, 'HTTP 404 Not Found'],
    [415, 'HTTP 415 Unsupported Media Type'],
    [429, 'HTTP 429 Too Many Requests'],
    [503, 'HTTP 503 Service Unavailable'],
    [504, 'HTTP 504 Gateway Timeout'],
    [418, 'HTTP 418'],
    [299, 'HTTP 299'],
  ])('names %d as %j', (status, line) => {
    expect(statusLine(status)).toBe(line)
  })
})

describe('isJsonAnswer', () => {
  it('takes a JSON object or array with a JSON content type', () => {
    expect(isJsonAnswer(json(200, { JobId: JOB_ID }))).toBe(true)
    expect(isJsonAnswer(plain(400, '[1]', 'application/problem+json; charset=utf-8'))).toBe(true)
    expect(isJsonAnswer(plain(200, '{}', 'Application/JSON'))).toBe(true)
  })

  it.each([
    ['an HTML page', text(404, '<html></html>')],
    ['JSON sent as text/plain', plain(200, '{"JobId":"x"}', 'text/plain')],
    ['no content type', plain(200, '{"JobId":"x"}')],
    ['a JSON string', plain(200, '"Finished"', 'application/json')],
    ['JSON null', plain(200, 'null', 'application/json')],
    ['a JSON number', plain(200, '42', 'application/json')],
    ['broken JSON', plain(200, '{"JobId":', 'application/json')],
    ['an empty body', plain(200, '', 'application/json')],
  ])('refuses %s', (_what, response) => {
    expect(isJsonAnswer(response)).toBe(false)
  })
})

describe('describeNonApiBody', () => {
  it.each([
    ['an HTML page', plain(404, '<p>x</p>', 'text/html; charset=utf-8')],
    ['an HTML page', plain(404, '  <!DOCTYPE html><html></html>', 'text/plain')],
    ['an HTML page', plain(404, '<HTML><body>x</body></HTML>')],
    ['an empty answer', plain(502, '  \n', 'text/plain')],
    ['JSON that is not a job status', plain(200, '{"status":"ok"}', 'application/json')],
    ['not JSON', plain(200, 'Service restarting', 'text/plain')],
  ])('calls it %s', (what, response) => {
    expect(describeNonApiBody(response)).toBe(what)
  })
})

describe('httpError', () => {
  it('carries the status and names it, with the body', () => {
    const error = httpError(text(503, '<h1>Down for maintenance</h1>'), T0)
    expect(error).toBeInstanceOf(SpotfireError)
    expect(error.kind).toBe('http')
    expect(error.details.status).toBe(503)
    expect(error.details.retryAfterMs).toBeUndefined()
    expect(error.message).toBe('HTTP 503 Service Unavailable: Down for maintenance')
  })

  it('adds the hint after the body', () => {
    expect(httpError(text(403, 'Forbidden'), T0, 'check the scope').message).toBe(
      'HTTP 403 Forbidden: Forbidden: check the scope',
    )
  })

  it('leaves out an empty body and an unknown reason phrase', () => {
    expect(httpError(text(418, ''), T0).message).toBe('HTTP 418')
  })

  it('carries Retry-After in seconds', () => {
    expect(httpError(text(429, '', { 'retry-after': '12' }), T0).details).toEqual({
      status: 429,
      retryAfterMs: 12_000,
    })
  })

  it('carries Retry-After as an HTTP date, counted from now', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')
    const response = text(503, '', { 'retry-after': 'Wed, 21 Oct 2015 07:29:00 GMT' })
    expect(httpError(response, now).details.retryAfterMs).toBe(60_000)
  })

  it('reads the first of repeated Retry-After headers', () => {
    const response = text(503, '', { 'retry-after': ['5', '50'] as unknown as string })
    expect(httpError(response, T0).details.retryAfterMs).toBe(5000)
  })

  it('ignores a Retry-After it cannot read', () => {
    const response = text(503, '', { 'retry-after': 'soon' })
    expect(httpError(response, T0).details).toEqual({ status: 503 })
  })

  it('explains a redirect and names where it went, without its query', () => {
    const response = text(302, '<a href="x">moved</a>', {
      location: 'https://sso.example.com/login?token=abc123&next=%2F#frag',
    })
    const error = httpError(response, T0)
    expect(error.message).toContain('HTTP 302')
    expect(error.message).toContain('a redirect to https://sso.example.com/login')
    expect(error.message).toContain('set server-url')
    expect(error.message).not.toContain('abc123')
    expect(error.message).not.toContain('moved')
  })

  it('leaves out the user name and password of a redirect target', () => {
    const response = text(301, '', { location: 'https://user:pa55word@other.example.com/spotfire' })
    const error = httpError(response, T0)
    expect(error.message).toContain('https://other.example.com/spotfire')
    expect(error.message).not.toContain('pa55word')
  })

  it('does not echo a redirect target it cannot read', () => {
    const response = text(302, '', { location: '::not a url:: ##[error]x' })
    const error = httpError(response, T0)
    expect(error.message).toContain('a redirect to another address')
    expect(error.message).not.toContain('##[')
  })

  it('keeps a hostile body on one line', () => {
    const error = httpError(text(500, 'boom\n::add-mask::x\r\n##[error]y'), T0)
    expect(error.message).not.toMatch(/[\r\n]/)
  })
})

describe('notApiError', () => {
  it('says what came instead of the API answer, with its text', () => {
    const error = notApiError(text(404, '<h1>Not Found</h1>'), 'a job status')
    expect(error.kind).toBe('not-api')
    expect(error.details.status).toBe(404)
    expect(error.message).toBe('HTTP 404 Not Found with an HTML page, not a job status (Not Found)')
  })

  it('leaves out the parenthesis for an empty answer', () => {
    expect(notApiError(plain(200, '', 'text/plain'), 'a job status').message).toBe(
      'HTTP 200 with an empty answer, not a job status',
    )
  })

  it('cuts a long body short', () => {
    const message = notApiError(plain(200, 'z'.repeat(1000), 'text/plain'), 'a token').message
    expect(message).toBe(`HTTP 200 with not JSON, not a token (${'z'.repeat(120)}…)`)
  })
})

describe('isTransient', () => {
  const http = (status: number): SpotfireError => new SpotfireError('x', 'http', { status })
  const of = (kind: FailureKind): SpotfireError => new SpotfireError('x', kind)

  it.each([408, 429, 500, 502, 503, 504])('retries HTTP %d', (status) => {
    expect(isTransient(http(status))).toBe(true)
  })

  it.each([400, 401, 403, 404, 405, 415, 501, 505])('does not retry HTTP %d', (status) => {
    expect(isTransient(http(status))).toBe(false)
  })

  it.each<[FailureKind, boolean]>([
    ['not-sent', true],
    ['no-answer', true],
    ['not-api', true],
    ['token', true],
    ['tls', false],
    ['proxy', false],
    ['credentials', false],
    ['stopped', false],
    ['http', false],
  ])('takes a %s failure without a status as transient: %s', (kind, expected) => {
    expect(isTransient(of(kind))).toBe(expected)
  })

  it('fails fast on ENOTFOUND (a typo in server-url) but retries EAI_AGAIN', () => {
    expect(isTransient(new SpotfireError('x', 'not-sent', { code: 'ENOTFOUND' }))).toBe(false)
    expect(isTransient(new SpotfireError('x', 'not-sent', { code: 'EAI_AGAIN' }))).toBe(true)
    expect(isTransient(new SpotfireError('x', 'not-sent', { code: 'ECONNREFUSED' }))).toBe(true)
  })
})
