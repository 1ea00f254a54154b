import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'
import { rootCertificates } from 'node:tls'
import * as tls from 'node:tls'
import { HttpClient } from '@actions/http-client'
import { SpotfireError } from './errors.js'

export interface HttpResponse {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

export interface HttpRequest {
  method: 'GET' | 'POST'
  url: string
  headers: OutgoingHttpHeaders
  body?: string
  /** Stops waiting for the answer (the request itself may still reach the server). */
  signal?: AbortSignal
  /** Overrides the transport's request timeout, e.g. for a quick abort while the runner is stopping. */
  timeoutMs?: number
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
}

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])
const TLS_CODES = /^(CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/

/**
 * HTTP over @actions/http-client (so that proxy variables work as on every runner), with:
 * no automatic retries (the callers decide, a start must never be re-sent blindly),
 * no redirects (the Authorization header must never follow one), and extra CAs on its agent.
 */
export function createTransport(options: TransportOptions): Transport {
  const client = new HttpClient(options.userAgent, [], {
    allowRedirects: false,
    allowRetries: false,
    // Keep-alive also keeps the proxy agent, so the extra CAs set on it below stay in force.
    keepAlive: true,
    socketTimeout: options.requestTimeoutMs,
  })
  const trusted = new WeakSet<object>()
  const trust = (url: string): void => {
    if (options.caCertificates === undefined) return
    const agent = client.getAgent(url) as { options?: Record<string, unknown> }
    if (trusted.has(agent)) return
    agent.options = { ...agent.options, ca: [...defaultCaCertificates(), options.caCertificates] }
    trusted.add(agent)
  }
  return {
    async request(request) {
      trust(request.url)
      const timeoutMs = request.timeoutMs ?? options.requestTimeoutMs
      const exchange = (async () => {
        const response = await client.request(
          request.method,
          request.url,
          request.body ?? '',
          request.headers,
        )
        const body = await response.readBody()
        return { status: response.message.statusCode ?? 0, headers: response.message.headers, body }
      })()
      try {
        return await settle(exchange, timeoutMs, request.signal)
      } catch (error) {
        throw toSpotfireError(error, request)
      }
    },
    dispose() {
      client.dispose()
    },
  }
}

function defaultCaCertificates(): readonly string[] {
  // Node 22.15+ and 24 include NODE_EXTRA_CA_CERTS and --use-system-ca here; older ones only the bundle.
  const withGetter = tls as { getCACertificates?: (type: string) => string[] }
  return withGetter.getCACertificates?.('default') ?? rootCertificates
}

/** The answer, or a rejection when the whole exchange outlasts `timeoutMs` or `signal` fires. */
function settle<T>(exchange: Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      finish()
      reject(new Error('Request timeout'))
    }, timeoutMs)
    const onAbort = (): void => {
      finish()
      reject(new StoppedError())
    }
    const finish = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
    if (signal?.aborted === true) {
      onAbort()
      return
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    exchange.then(
      (value) => {
        finish()
        resolve(value)
      },
      (error: unknown) => {
        finish()
        reject(error instanceof Error ? error : new Error(String(error)))
      },
    )
  })
}

class StoppedError extends Error {}

function toSpotfireError(error: unknown, request: HttpRequest): SpotfireError {
  const where = `${request.method} ${new URL(request.url).origin}`
  if (error instanceof StoppedError)
    return new SpotfireError('stopped waiting for the answer', 'stopped')
  const code = (error as NodeJS.ErrnoException).code ?? ''
  const text = error instanceof Error ? error.message : String(error)
  if (NOT_SENT.has(code)) {
    return new SpotfireError(`cannot connect to ${where} (${code})`, 'not-sent', { code })
  }
  if (TLS_CODES.test(code)) {
    return new SpotfireError(
      `the server's TLS certificate is not trusted (${code}: ${text}). If the server uses a self-signed or private CA certificate, pass it in the ca-certificate input.`,
      'tls',
      { code },
    )
  }
  if (/timeout/i.test(text))
    return new SpotfireError(`no answer from ${where} in time`, 'no-answer', { code: 'TIMEOUT' })
  return new SpotfireError(`connection to ${where} failed (${code || text})`, 'no-answer', { code })
}
