import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, expect, it } from '@jest/globals'
import { createTransport } from '../../src/spotfire/http.js'

/** A library upload's chunk goes out as bytes: exactly those, with their own length. */

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

it('sends a Uint8Array body byte for byte, with Content-Length its byte length', async () => {
  const received: { length: string | undefined; bytes: Buffer }[] = []
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const parts: Buffer[] = []
    request.on('data', (part: Buffer) => parts.push(part))
    request.on('end', () => {
      received.push({ length: request.headers['content-length'], bytes: Buffer.concat(parts) })
      response.writeHead(200, { 'Content-Type': 'application/json' })
      response.end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(
    () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve()
        }),
      ),
  )
  const transport = createTransport({ requestTimeoutMs: 5000, userAgent: 'test' })
  closers.push(() => {
    transport.dispose()
    return Promise.resolve()
  })
  // Not valid UTF-8: sent as text, these bytes would change and grow.
  const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x41])
  const { port } = server.address() as AddressInfo
  await transport.request({
    method: 'POST',
    url: `http://127.0.0.1:${port}/upload`,
    headers: { 'Content-Type': 'application/octet-stream' },
    body: bytes,
  })
  expect(received).toEqual([{ length: '7', bytes: Buffer.from(bytes) }])
})
