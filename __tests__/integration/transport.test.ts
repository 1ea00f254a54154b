import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, it } from '@jest/globals'
import { SpotfireError } from '../../src/spotfire/errors.js'
import { createTransport, MAX_ANSWER_BYTES, type HttpRequest } from '../../src/spotfire/http.js'
import { startProxy, type TestProxy } from './proxy.js'

/** The transport against real sockets on 127.0.0.1: limits, TLS mistakes, proxies, echoes. */

type Handler = (request: IncomingMessage, response: ServerResponse) => void

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

async function serve(handler: Handler, tls?: { cert: string; key: string }): Promise<string> {
  const sockets = new Set<Socket>()
  const server: Server = tls === undefined ? createServer(handler) : createHttpsServer(tls, handler)
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => {
          resolve()
        })
      }),
  )
  const { port } = server.address() as AddressInfo
  return `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`
}

function transport(options: { caCertificates?: string; requestTimeoutMs?: number } = {}) {
  const t = createTransport({
    requestTimeoutMs: options.requestTimeoutMs ?? 5000,
    userAgent: 'test',
    ...(options.caCertificates === undefined ? {} : { caCertificates: options.caCertificates }),
  })
  closers.push(() => {
    t.dispose()
    return Promise.resolve()
  })
  return t
}

async function failure(promise: Promise<unknown>): Promise<SpotfireError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof SpotfireError))
    throw new Error(`expected a SpotfireError: ${String(error)}`)
  return error
}

const get = (url: string, extra: Partial<HttpRequest> = {}): HttpRequest => ({
  method: 'GET',
  url,
  headers: {},
  ...extra,
})

describe('the size of an answer', () => {
  it('stops reading an answer that declares more than the limit', async () => {
    let written = 0
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'Content-Length': String(50 * 1024 * 1024) })
      const chunk = Buffer.alloc(64 * 1024, 32)
      const pump = (): void => {
        while (written < 50 * 1024 * 1024 && response.write(chunk)) written += chunk.length
      }
      response.on('drain', pump)
      pump()
    })
    const error = await failure(transport().request(get(url)))
    expect(error.kind).toBe('not-api')
    expect(error.message).toContain(`larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`)
  })

  it('stops reading an answer without a length once it passes the limit', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' })
      const chunk = Buffer.alloc(1024 * 1024, 32)
      let sent = 0
      const pump = (): void => {
        while (sent < 40 && response.write(chunk)) sent++
        if (sent >= 40) response.end()
      }
      response.on('drain', pump)
      pump()
    })
    const error = await failure(transport().request(get(url)))
    expect(error.message).toMatch(/larger than \d+ MiB/)
  })

  it('reads an answer just under the limit', async () => {
    const body = `{"pad":"${'x'.repeat(MAX_ANSWER_BYTES - 20)}"}`
    const url = await serve((_request, response) => {
      response.end(body)
    })
    const answer = await transport().request(get(url))
    expect(answer.body.length).toBe(body.length)
  })

  it('takes an answer cut short by the server for a failure, not for the whole answer', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'Content-Length': '100' })
      response.write('{"JobId":')
      setImmediate(() => response.socket?.destroy())
    })
    const error = await failure(transport().request(get(url)))
    expect(error.kind).toBe('no-answer')
  })
})

describe('time', () => {
  const trickle: Handler = (_request, response) => {
    response.writeHead(200, { 'Content-Length': '1000' })
    const timer = setInterval(() => response.write('x'), 20)
    response.on('close', () => {
      clearInterval(timer)
    })
  }

  it('gives up on an answer that trickles in past the request timeout', async () => {
    const url = await serve(trickle)
    const error = await failure(transport({ requestTimeoutMs: 300 }).request(get(url)))
    expect(error).toMatchObject({ kind: 'no-answer', details: { code: 'TIMEOUT' } })
  })

  it('a request whose signal has already fired fails at once, and crashes nothing', async () => {
    const url = await serve((_request, response) => response.end('{}'))
    const unheard: unknown[] = []
    const onUncaught = (error: unknown): void => {
      unheard.push(error)
    }
    process.on('uncaughtException', onUncaught)
    try {
      const error = await failure(transport().request(get(url, { signal: AbortSignal.abort() })))
      expect(error.kind).toBe('stopped')
      // The destroyed request's error comes on the next tick: let it, if it is coming.
      await new Promise((resolve) => setImmediate(resolve))
      expect(unheard).toEqual([])
    } finally {
      process.off('uncaughtException', onUncaught)
    }
  })

  it('stops waiting the moment its signal fires', async () => {
    const url = await serve(trickle)
    const stop = new AbortController()
    const pending = transport().request(get(url, { signal: stop.signal }))
    setTimeout(() => {
      stop.abort()
    }, 50)
    await expect(failure(pending)).resolves.toMatchObject({ kind: 'stopped' })
  })
})

describe('what comes back', () => {
  it('never hands back the credentials the request carried, if a server echoes them', async () => {
    const url = await serve((request, response) => {
      response.writeHead(500, { 'Content-Type': 'text/plain' })
      response.end(`${request.headers.authorization ?? ''}\nbody: secret-in-form-1234`)
    })
    const token = 'a-long-access-token-0123456789'
    const answer = await transport().request(
      get(url, {
        headers: { Authorization: `Bearer ${token}` },
        sensitive: ['secret-in-form-1234'],
      }),
    )
    expect(answer.body).not.toContain(token)
    expect(answer.body).not.toContain('secret-in-form-1234')
    expect(answer.body).toContain('Bearer ***')
  })

  it('never hands back a credential the server echoes escaped: HTML, percent or JSON', async () => {
    // BUG fixed: a token server's error page that echoed the secret HTML-escaped showed it whole.
    const secret = 's3cr&t<x>/+ 9876'
    const html = secret.replace(/[&<>]/g, (c) => `&#${String(c.charCodeAt(0))};`)
    const url = await serve((_request, response) => {
      response.writeHead(400, { 'Content-Type': 'text/html' })
      response.end(
        [
          `<p>Invalid client_secret '${html}'</p>`,
          `<p>${encodeURIComponent(secret).toLowerCase()}</p>`,
          `<script>${JSON.stringify({ s: secret }).replace(/[<>&/]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}</script>`,
        ].join('\n'),
      )
    })
    const answer = await transport().request(get(url, { sensitive: [secret] }))
    expect(answer.body).toBe(
      [`<p>Invalid client_secret '***'</p>`, '<p>***</p>', '<script>{"s":"***"}</script>'].join(
        '\n',
      ),
    )
  })
})

describe('connection failures', () => {
  it('a refused connection is a request that cannot have been sent', async () => {
    const error = await failure(transport().request(get(`http://127.0.0.1:${await freePort()}/`)))
    expect(error).toMatchObject({ kind: 'not-sent', details: { code: 'ECONNREFUSED' } })
  })

  it('a reset on the first request to an http:// URL asks whether it is https://', async () => {
    const url = await serve((request) => {
      request.socket.destroy()
    })
    const error = await failure(transport().request(get(`${url}/`)))
    expect(error).toMatchObject({ kind: 'no-answer', details: { code: 'ECONNRESET' } })
    expect(error.message).toMatch(/is it https:\/\/\?/)
  })

  it('a reset after the server has answered before is not put down to the scheme', async () => {
    let calls = 0
    const url = await serve((request, response) => {
      if (++calls === 1) response.end('{}')
      else request.socket.destroy()
    })
    const t = transport()
    await t.request(get(`${url}/`))
    const error = await failure(t.request(get(`${url}/`)))
    expect(error).toMatchObject({ details: { code: 'ECONNRESET' } })
    expect(error.message).not.toMatch(/https:\/\//)
  })
})

/** A port nothing listens on. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve()
    })
  })
  return port
}

describe('TLS mistakes', () => {
  const pair = (prefix: string): { cert: string; key: string } => ({
    cert: readFileSync(`__tests__/fixtures/tls/${prefix}cert.pem`, 'utf8'),
    key: readFileSync(`__tests__/fixtures/tls/${prefix}key.pem`, 'utf8'),
  })

  it('https:// at a plain-http port: no TLS there, said at once', async () => {
    const url = await serve((_request, response) => response.end('{}'))
    const error = await failure(transport().request(get(url.replace('http:', 'https:'))))
    expect(error.kind).toBe('tls')
    expect(error.message).toContain('no TLS at this address')
    expect(error.message).toContain('http://')
  })

  it('a certificate for another name: use a name the certificate names', async () => {
    const tls = pair('other-name-')
    const url = await serve((_request, response) => response.end('{}'), tls)
    const error = await failure(transport({ caCertificates: tls.cert }).request(get(url)))
    expect(error.kind).toBe('tls')
    expect(error.message).toContain('spotfire.example.com')
    expect(error.message).toContain('host name the certificate names')
  })

  it('an untrusted certificate without ca-certificate points at ca-certificate', async () => {
    const url = await serve((_request, response) => response.end('{}'), pair(''))
    const error = await failure(transport().request(get(url)))
    expect(error.kind).toBe('tls')
    expect(error.message).toContain('pass it in ca-certificate')
  })

  it('an untrusted certificate with a ca-certificate that did not sign it says so', async () => {
    const url = await serve((_request, response) => response.end('{}'), pair(''))
    const other = pair('other-name-').cert
    const error = await failure(transport({ caCertificates: other }).request(get(url)))
    expect(error.kind).toBe('tls')
    expect(error.message).toContain('not signed by a CA in ca-certificate')
  })

  it('trusts the server with its CA, beside the system CAs', async () => {
    const tls = pair('')
    const url = await serve((_request, response) => response.end('{"ok":true}'), tls)
    const answer = await transport({ caCertificates: tls.cert }).request(get(url))
    expect(answer.body).toBe('{"ok":true}')
  })
})

describe('proxies', () => {
  const saved = { ...process.env }
  afterEach(() => {
    for (const name of ['HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) {
      if (saved[name] === undefined) Reflect.deleteProperty(process.env, name)
      else process.env[name] = saved[name]
    }
  })

  async function proxy(options: Parameters<typeof startProxy>[0]): Promise<TestProxy> {
    const p = await startProxy(options)
    closers.push(() => p.close())
    process.env.HTTP_PROXY = p.url
    return p
  }

  it('goes through the proxy, and names it when the proxy refuses to connect', async () => {
    const p = await proxy({ refuse: 403 })
    const error = await failure(transport().request(get('http://spotfire.test:8080/x')))
    expect(p.connects).toEqual(['spotfire.test:8080'])
    expect(error.kind).toBe('proxy')
    expect(error.message).toContain(p.url)
    expect(error.message).toContain('HTTP 403 to CONNECT')
  })

  it('a proxy that asks for credentials (407) says where to put them', async () => {
    await proxy({ refuse: 407 })
    const error = await failure(transport().request(get('http://spotfire.test:8080/x')))
    expect(error.message).toContain('credentials')
  })

  it('NO_PROXY sends a host around the proxy', async () => {
    const url = await serve((_request, response) => response.end('{"direct":true}'))
    const p = await proxy({ refuse: 403 })
    process.env.NO_PROXY = 'spotfire.test'
    const direct = url.replace('127.0.0.1', 'localhost')
    const answer = await transport().request(get(direct))
    expect(answer.body).toBe('{"direct":true}')
    expect(p.connects).toEqual([])
  })

  it('a proxy that cannot be reached is named, and nothing was sent', async () => {
    const free = await freePort()
    process.env.HTTP_PROXY = `http://user:pass@127.0.0.1:${free}`
    const error = await failure(transport().request(get('http://spotfire.test:8080/x')))
    expect(error.kind).toBe('not-sent')
    expect(error.message).toContain(`http://127.0.0.1:${free}`)
    expect(error.message).not.toContain('pass')
  })
})
