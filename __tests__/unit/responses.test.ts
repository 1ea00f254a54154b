import { describe, expect, it } from '@jest/globals'
import { type FailureKind, SpotfireError } from '../../src/spotfire/errors.js'
import { bodySnippet, httpError, isTransient } from '../../src/spotfire/responses.js'
import { T0 } from './fake-clock.js'
import { text } from './fake-transport.js'

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

  it('keeps plain text and JSON as they are, with white space collapsed', () => {
    expect(bodySnippet('{"error": "x"}\n\n  more')).toBe('{"error": "x"} more')
  })

  it('cuts long text to the limit and marks the cut', () => {
    const snippet = bodySnippet('a'.repeat(500))
    expect(snippet).toBe(`${'a'.repeat(200)}…`)
    expect(bodySnippet('abcdef', 3)).toBe('abc…')
  })

  it('does not mark text that fits', () => {
    expect(bodySnippet('a'.repeat(200))).toBe('a'.repeat(200))
  })

  it('answers an empty body with an empty text', () => {
    expect(bodySnippet(' <p> </p> ')).toBe('')
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
})

describe('isTransient', () => {
  const http = (status: number): SpotfireError => new SpotfireError('x', 'http', { status })
  const of = (kind: FailureKind): SpotfireError => new SpotfireError('x', kind)

  it.each([408, 429, 500, 502, 503, 504])('retries HTTP %d', (status) => {
    expect(isTransient(http(status))).toBe(true)
  })

  it.each([400, 401, 403, 404, 405, 415, 501])('does not retry HTTP %d', (status) => {
    expect(isTransient(http(status))).toBe(false)
  })

  it.each<[FailureKind, boolean]>([
    ['not-sent', true],
    ['no-answer', true],
    ['bad-body', true],
    ['tls', false],
    ['token', false],
    ['credentials', false],
    ['stopped', false],
    ['http', false],
  ])('classifies a %s failure without a status as transient: %s', (kind, expected) => {
    expect(isTransient(of(kind))).toBe(expected)
  })
})

describe('isTransient: host names that do not resolve', () => {
  it('fails fast on ENOTFOUND (a typo in server-url) but retries EAI_AGAIN', () => {
    expect(isTransient(new SpotfireError('x', 'not-sent', { code: 'ENOTFOUND' }))).toBe(false)
    expect(isTransient(new SpotfireError('x', 'not-sent', { code: 'EAI_AGAIN' }))).toBe(true)
  })
})
