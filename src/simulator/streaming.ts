import type { ServerResponse } from 'node:http'
import type { SimResponse } from './http.js'

/** The part of a ServerResponse the body writers use, so they can be tried on any stream. */
export interface BodySink {
  readonly destroyed: boolean
  write(chunk: Buffer): boolean
  end(): void
  once(event: 'drain' | 'close', listener: () => void): unknown
  off(event: 'drain' | 'close', listener: () => void): unknown
}

/** Timers the simulator stops on close(). */
export type Timers = Set<NodeJS.Timeout>

/**
 * Headers (with the real Content-Length) at once, then one body byte per `intervalMs`. Stops when
 * the client hangs up; close() stops it through `timers`.
 */
export function trickle(
  response: ServerResponse,
  answer: SimResponse,
  intervalMs: number,
  timers: Timers,
): void {
  // A client gone before the answer would leave the first timer waiting on nobody.
  if (response.destroyed) return
  const body = Buffer.from(answer.body, 'utf8')
  response.writeHead(answer.status, { ...answer.headers, 'Content-Length': body.length })
  response.flushHeaders()
  let sent = 0
  let timer: NodeJS.Timeout | undefined
  const stop = (): void => {
    if (timer === undefined) return
    clearTimeout(timer)
    timers.delete(timer)
    timer = undefined
  }
  const schedule = (): void => {
    timer = setTimeout(next, intervalMs)
    timers.add(timer)
  }
  function next(): void {
    stop()
    if (response.destroyed) return
    response.write(body.subarray(sent, ++sent))
    if (sent < body.length) {
      schedule()
    } else {
      response.off('close', stop)
      response.end()
    }
  }
  if (body.length === 0) {
    response.end()
    return
  }
  response.once('close', stop)
  schedule()
}

/** Node's default stream buffer: big enough to be quick, small enough to never matter. */
export const OVERSIZE_CHUNK_BYTES = 64 * 1024
const SPACES = Buffer.alloc(OVERSIZE_CHUNK_BYTES, ' ')
const CLOSING_BRACE = 0x7d

/**
 * 200 JSON of exactly `bytes`: the answer with whitespace before its closing brace, so it stays
 * the same JSON value (appended when the body is not an object; an answer already longer than
 * `bytes` goes out as it is). The padding is written chunk by chunk as the client takes it, so
 * even a 50 MB answer costs one 64 KiB buffer.
 */
export function oversize(response: ServerResponse, answer: SimResponse, bytes: number): void {
  if (response.destroyed) return
  const body = Buffer.from(answer.body, 'utf8')
  const padding = Math.max(0, bytes - body.length)
  const cut = body.at(-1) === CLOSING_BRACE ? body.length - 1 : body.length
  response.writeHead(200, {
    ...answer.headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length + padding,
  })
  pump(response, paddedChunks(body.subarray(0, cut), padding, body.subarray(cut)))
}

function* paddedChunks(head: Buffer, padding: number, tail: Buffer): Generator<Buffer> {
  yield* pieces(head)
  for (let left = padding; left > 0; left -= OVERSIZE_CHUNK_BYTES) {
    yield SPACES.subarray(0, Math.min(left, OVERSIZE_CHUNK_BYTES))
  }
  yield* pieces(tail)
}

function* pieces(buffer: Buffer): Generator<Buffer> {
  for (let at = 0; at < buffer.length; at += OVERSIZE_CHUNK_BYTES) {
    yield buffer.subarray(at, at + OVERSIZE_CHUNK_BYTES)
  }
}

/** Writes while the sink takes more, waits for 'drain' when it is full, ends after the last. */
export function pump(sink: BodySink, chunks: Iterator<Buffer>): void {
  const forget = (): void => {
    sink.off('drain', write)
  }
  function write(): void {
    while (!sink.destroyed) {
      const next = chunks.next()
      if (next.done === true) {
        sink.off('close', forget)
        sink.end()
        return
      }
      if (!sink.write(next.value)) {
        sink.once('drain', write)
        return
      }
    }
  }
  // A client that hangs up never drains: drop the listener rather than wait on it.
  sink.once('close', forget)
  write()
}
