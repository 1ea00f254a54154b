import * as http from 'node:http'
import * as https from 'node:https'
import * as tls from 'node:tls'
import { getProxyUrl, HttpClient } from '@actions/http-client'
import { SpotfireError } from './errors.js'
import { oneLine } from './text.js'
import { EscapedValue, hideAll } from './redact.js'
import { inputWords, type Logger, type Vocabulary } from './types.js'
import { answerLane, FREE_ANSWER_BYTES, type LaneReader } from './answer-lane.js'

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

export interface HttpRequest {
  method: 'GET' | 'POST'
  url: string
  headers: http.OutgoingHttpHeaders
  /** Text is sent as UTF-8; bytes (a library upload's chunk) as they are. */
  body?: string | Uint8Array
  /** Stops waiting for the answer (the request itself may still reach the server). */
  signal?: AbortSignal
  /** Overrides the transport's request timeout, e.g. for a quick abort while the runner is stopping. */
  timeoutMs?: number
  /** Values sent that must not come back: a server that echoes the request gets them as ***. */
  sensitive?: string[]
}

export interface Transport {
  request(request: HttpRequest): Promise<HttpResponse>
  dispose(): void
}

export interface TransportOptions {
  requestTimeoutMs: number
  /** Extra trusted CA certificates (PEM), added to the default ones. */
  caCertificates?: string
  userAgent: string
  logger?: Logger
  /** How messages name settings; the action's input names by default. */
  words?: Vocabulary
}

/**
 * No answer of the API comes near this (a job's status is a few hundred bytes, even a long failure
 * message stays far under); a bigger one is not read further and counts as not the API's.
 */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])
const HANDSHAKE = /^(EPROTO|ERR_SSL_)/
const CERTIFICATE = /^(CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_TLS_|HOSTNAME_MISMATCH)/

/**
 * HTTP with Node's own client, on the agents @actions/http-client picks (so that HTTPS_PROXY,
 * HTTP_PROXY and NO_PROXY work as on every runner), with: no retries (the callers decide; a start
 * must never be re-sent blindly), no redirects (the Authorization header must never follow one),
 * a hard limit on time and on the size of an answer, and extra CAs on the agent.
 */
export function createTransport(options: TransportOptions): Transport {
  const agents = new HttpClient(options.userAgent, [], { keepAlive: true })
  const prepared = new Set<string>()
  /** Origins that have answered: a reset from one that never has may be a scheme mistake. */
  const answered = new Set<string>()
  const agentFor = (url: URL): http.Agent => {
    const agent = agents.getAgent(url.href) as http.Agent & { options?: Record<string, unknown> }
    if (!prepared.has(url.origin)) {
      prepared.add(url.origin)
      if (options.caCertificates !== undefined) {
        // On the agent, so that it holds through a proxy tunnel too; the system CAs stay trusted.
        agent.options = {
          ...agent.options,
          ca: [...defaultCaCertificates(), options.caCertificates],
        }
      }
      const proxy = proxyOf(url)
      options.logger?.debug(
        proxy === undefined
          ? `Requests to ${url.origin} go directly (no proxy applies)`
          : `Requests to ${url.origin} go through the proxy ${proxy} (HTTPS_PROXY/HTTP_PROXY; NO_PROXY lists hosts that bypass it)`,
      )
    }
    return agent
  }
  return {
    request(request) {
      const url = new URL(request.url)
      return send(request, url, agentFor(url), {
        timeoutMs: request.timeoutMs ?? options.requestTimeoutMs,
        userAgent: options.userAgent,
      }).then(
        (response) => {
          answered.add(url.origin)
          return response
        },
        (error: unknown) => {
          throw toSpotfireError(error, request, url, {
            caGiven: options.caCertificates !== undefined,
            neverAnswered: !answered.has(url.origin),
            words: options.words ?? inputWords,
          })
        },
      )
    },
    dispose() {
      agents.dispose()
    },
  }
}

function send(
  request: HttpRequest,
  url: URL,
  agent: http.Agent,
  limits: { timeoutMs: number; userAgent: string },
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const body = request.body ?? ''
    const client = url.protocol === 'https:' ? https : http
    const outgoing = client.request(url, {
      method: request.method,
      agent,
      headers: {
        ...request.headers,
        'User-Agent': limits.userAgent,
        'Content-Length': Buffer.byteLength(body),
      },
    })
    let settled = false
    let held = 0
    let answer: http.IncomingMessage | undefined
    const reader: LaneReader = {
      pause: () => answer?.pause(),
      resume: () => answer?.resume(),
    }
    const finish = (): void => {
      settled = true
      clearTimeout(timer)
      request.signal?.removeEventListener('abort', onAbort)
      answerLane.hold(-held)
      answerLane.leave(reader)
    }
    const fail = (error: Error): void => {
      if (settled) return
      finish()
      outgoing.destroy()
      reject(error)
    }
    const timer = setTimeout(() => {
      fail(new StopError('timeout'))
    }, limits.timeoutMs)
    const onAbort = (): void => {
      fail(new StopError('stopped'))
    }
    // First, so that destroying the request, as fail() does, never raises an unheard error.
    outgoing.on('error', fail)
    if (request.signal?.aborted === true) {
      onAbort()
      return
    }
    request.signal?.addEventListener('abort', onAbort, { once: true })
    outgoing.on('response', (incoming) => {
      answer = incoming
      const declared = Number(incoming.headers['content-length'] ?? NaN)
      if (declared > MAX_ANSWER_BYTES) {
        fail(new TooLargeError(incoming.statusCode ?? 0))
        return
      }
      // One buffer, grown as needed: the chunks read die young instead of being kept to the end.
      let bytes = Buffer.alloc(0)
      let size = 0
      incoming.on('data', (chunk: Buffer) => {
        if (settled) return
        if (size + chunk.length > MAX_ANSWER_BYTES) {
          fail(new TooLargeError(incoming.statusCode ?? 0))
          return
        }
        const needed = size + chunk.length
        if (needed > bytes.length) {
          const room = roomFor(needed, bytes.length, declared, answerLane.holds(reader))
          const grown = Buffer.allocUnsafe(room)
          bytes.copy(grown, 0, 0, size)
          answerLane.hold(grown.length - bytes.length)
          held = grown.length
          bytes = grown
        }
        chunk.copy(bytes, size)
        size += chunk.length
        // Waiting for the lane counts against the timeout: no holder keeps it while stalled.
        if (size > FREE_ANSWER_BYTES && !answerLane.take(reader)) incoming.pause()
      })
      incoming.on('error', fail)
      incoming.on('close', () => {
        if (!incoming.complete) fail(new Error('the connection closed in the middle of the answer'))
      })
      incoming.on('end', () => {
        if (settled) return
        finish()
        resolve({
          status: incoming.statusCode ?? 0,
          headers: incoming.headers,
          body: scrub(bytes.toString('utf8', 0, size), request),
        })
      })
    })
    outgoing.end(body)
  })
}

/**
 * Room for an answer that needs `needed` bytes: twice what it had, but never past what it declared
 * (when honest so far) nor past the most that is read; all that is declared at once for the one
 * answer that holds the lane, so that it is never copied again.
 */
export function roomFor(needed: number, had: number, declared: number, holdsLane: boolean): number {
  const honest = declared >= needed
  if (holdsLane && honest) return declared
  return Math.min(honest ? declared : MAX_ANSWER_BYTES, Math.max(2 * had, needed))
}

/**
 * The body without the credentials the request carried, plain or escaped: a server that echoes a
 * request (an error page that shows the headers, HTML-escaped) must not hand them to a log. Done
 * before anything cuts the body, so that no piece of a credential is left either.
 */
function scrub(body: string, request: HttpRequest): string {
  const authorization = request.headers.Authorization ?? request.headers.authorization
  const credential =
    typeof authorization === 'string' ? authorization.replace(/^\S+\s+/, '') : undefined
  const values = [credential, ...(request.sensitive ?? [])].flatMap((value) =>
    value !== undefined && value.length >= 8 ? [new EscapedValue(value)] : [],
  )
  return hideAll(body, values)
}

/** The proxy a request to `url` goes through, without any credentials in it; undefined for none. */
export function proxyOf(url: URL): string | undefined {
  const proxy = getProxyUrl(url.href)
  if (proxy === '') return undefined
  try {
    const parsed = new URL(proxy)
    return `${parsed.protocol}//${parsed.host}`
  } catch {
    return 'the configured proxy'
  }
}

function defaultCaCertificates(): readonly string[] {
  // Node 22.15+ and 24 include NODE_EXTRA_CA_CERTS and --use-system-ca here; older ones only the bundle.
  const withGetter = tls as { getCACertificates?: (type: string) => string[] }
  return withGetter.getCACertificates?.('default') ?? tls.rootCertificates
}

class StopError extends Error {
  constructor(readonly why: 'timeout' | 'stopped') {
    super(why)
  }
}

class TooLargeError extends Error {
  constructor(readonly status: number) {
    super(`the answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`)
  }
}

type ErrorWithCert = NodeJS.ErrnoException & { cert?: { subjectaltname?: string }; host?: string }

function toSpotfireError(
  error: unknown,
  request: HttpRequest,
  url: URL,
  {
    caGiven,
    neverAnswered,
    words,
  }: { caGiven: boolean; neverAnswered: boolean; words: Vocabulary },
): SpotfireError {
  const where = `${request.method} ${url.origin}`
  const proxy = proxyOf(url)
  const via = proxy === undefined ? '' : ` via the proxy ${proxy}`
  if (error instanceof StopError) {
    return error.why === 'stopped'
      ? new SpotfireError('stopped waiting for the answer', 'stopped')
      : new SpotfireError(`no answer from ${where}${via} in time`, 'no-answer', { code: 'TIMEOUT' })
  }
  if (error instanceof TooLargeError) {
    return new SpotfireError(
      `HTTP ${error.status} with ${error.message}, not an answer of the API; it was not read further`,
      'not-api',
      { status: error.status },
    )
  }
  const failure = error as ErrorWithCert
  const code = failure.code ?? ''
  const text = oneLine(failure.message)
  const tunnel = /tunneling socket could not be established, (?:statusCode=(\d+)|cause=(.*))/.exec(
    text,
  )
  if (tunnel !== null && proxy !== undefined) {
    const status = Number(tunnel[1] ?? 0)
    if (status === 403 || status === 407) {
      return new SpotfireError(
        `the proxy ${proxy} refused to connect to ${url.host} (HTTP ${status} to CONNECT). ${status === 407 ? 'It wants credentials: put them in the proxy URL.' : 'Ask for the server to be allowed, or list it in NO_PROXY if it is reachable directly.'}`,
        'proxy',
        { status, code: 'PROXY' },
      )
    }
    return new SpotfireError(
      `the proxy ${proxy} could not connect to ${url.host} (${status === 0 ? (tunnel[2] ?? 'no reason given') : `HTTP ${status} to CONNECT`})`,
      'not-sent',
      { code: 'PROXY' },
    )
  }
  if (NOT_SENT.has(code)) {
    const target = proxy === undefined ? where : `the proxy ${proxy} (for ${where})`
    return new SpotfireError(`cannot connect to ${target} (${code})`, 'not-sent', { code })
  }
  if (code === 'ECONNRESET' && /before secure TLS connection/i.test(text)) {
    // No TLS session, so no request went out: safe to send again.
    return new SpotfireError(
      `the TLS connection to ${url.host}${via} was closed before it was set up (${code})`,
      'not-sent',
      { code },
    )
  }
  if (HANDSHAKE.test(code)) {
    return new SpotfireError(
      `no TLS at this address (${code}): is it http://, or another port? ${url.origin} did not answer the TLS handshake`,
      'tls',
      { code },
    )
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    const names = oneLine(failure.cert?.subjectaltname ?? 'other names')
    return new SpotfireError(
      `the server's TLS certificate does not name ${url.hostname} (it names ${names}). Use a host name the certificate names in ${words.name('server-url')}.`,
      'tls',
      { code },
    )
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new SpotfireError(
      `the server's TLS certificate is not valid now (${code}): the server's administrator must renew it`,
      'tls',
      { code },
    )
  }
  if (CERTIFICATE.test(code)) {
    return new SpotfireError(
      caGiven
        ? `the server's TLS certificate is not signed by a CA in ${words.name('ca-certificate')} nor by a system CA (${code}). Check that ${words.name('ca-certificate')} holds the CA that issued the server's certificate (or the certificate itself, if it is self-signed).`
        : `the server's TLS certificate is not trusted (${code}: ${text}). If the server uses a self-signed or private CA certificate, pass it in ${words.name('ca-certificate')}.`,
      'tls',
      { code },
    )
  }
  if (code === 'ECONNRESET' && url.protocol === 'http:' && neverAnswered) {
    // A port that speaks only TLS closes a plain HTTP request without a word.
    return new SpotfireError(
      `connection to ${where}${via} was reset before this server ever answered (${code}): is it https://? Check the scheme in ${words.name('server-url')}`,
      'no-answer',
      { code },
    )
  }
  return new SpotfireError(`connection to ${where}${via} failed (${code || text})`, 'no-answer', {
    code,
  })
}
