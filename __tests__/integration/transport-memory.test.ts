import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, expect, it } from '@jest/globals'
import { answerLane, FREE_ANSWER_BYTES } from '../../src/spotfire/answer-lane.js'
import { createTransport } from '../../src/spotfire/http.js'

/**
 * What the process holds of answers being read is bounded by one large answer, not by how many are
 * in flight: 64 jobs whose messages are 8 MiB must not hold 64 answers of 8 MiB at once.
 */

const MiB = 1024 * 1024
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
  // Every way an answer ends gives back what it held.
  expect(answerLane.held()).toBe(0)
})

/**
 * A server whose answers are `size` bytes of JSON, with their length declared (as the API does) or
 * sent in chunks; `stall` answers start and never end.
 */
async function serve(
  size: number,
  stall = new Set<string>(),
  { declared } = { declared: true },
): Promise<string> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const name = request.url ?? ''
    const head = `{"JobId":"${name.slice(1)}","Message":"`
    const body = `${head}${'m'.repeat(size - head.length - 2)}"}`
    response.writeHead(200, {
      'Content-Type': 'application/json',
      ...(declared ? { 'Content-Length': size } : { 'Transfer-Encoding': 'chunked' }),
    })
    if (stall.has(name)) response.write(body.slice(0, FREE_ANSWER_BYTES * 2))
    else response.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          resolve()
        })
      }),
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function transport(requestTimeoutMs = 10_000): ReturnType<typeof createTransport> {
  const created = createTransport({ requestTimeoutMs, userAgent: 'test' })
  closers.push(() => {
    created.dispose()
    return Promise.resolve()
  })
  return created
}

/** Until the one answer in flight has read past its free part, and so holds the lane. */
async function readPastFree(): Promise<void> {
  while (answerLane.held() <= FREE_ANSWER_BYTES) {
    await new Promise((resolve) => setImmediate(resolve))
  }
}

it.each([
  ['declared', true, 1],
  ['sent in chunks', false, 2],
])(
  'reads large answers one at a time, every one to its end (length %s)',
  async (_, declared, room) => {
    const base = await serve(2 * MiB, new Set(), { declared })
    const http = transport()
    answerLane.peak()
    const answers = await Promise.all(
      Array.from({ length: 8 }, (__, i) =>
        http.request({ method: 'GET', url: `${base}/job${String(i)}`, headers: {} }),
      ),
    )
    const peak = answerLane.peak()
    answers.forEach((answer, i) => {
      expect(answer.body.length).toBe(2 * MiB)
      expect(answer.body.startsWith(`{"JobId":"job${String(i)}"`)).toBe(true)
    })
    // One answer whole (in room for twice its size when it was not declared), and the room of what
    // each other one read before it had to wait: a chunk past the free part, in a buffer up to twice
    // that. Read all at once, they held 8 answers whole.
    expect(peak).toBeLessThanOrEqual(room * 2 * MiB + 8 * 2 * (FREE_ANSWER_BYTES + 64 * 1024))
    expect(peak).toBeGreaterThanOrEqual(2 * MiB)
  },
)

it('does not let an answer that stalls hold up the others: it waits behind them', async () => {
  const base = await serve(2 * MiB, new Set(['/stalled']))
  const http = transport(6000)
  const stalled = http.request({ method: 'GET', url: `${base}/stalled`, headers: {} })
  // The stalled answer takes the lane first and then reads nothing more.
  await readPastFree()
  // Their timeout is far below the stalled one's: waiting behind it to the end would fail them.
  const others = Array.from({ length: 3 }, (_, i) =>
    http.request({ method: 'GET', url: `${base}/job${String(i)}`, headers: {}, timeoutMs: 4000 }),
  )
  const answers = await Promise.all(others)
  expect(answers.map((answer) => answer.body.length)).toEqual([2 * MiB, 2 * MiB, 2 * MiB])
  await expect(stalled).rejects.toThrow(/no answer .* in time/)
})

it('lets the next answer read when the one reading is stopped', async () => {
  const base = await serve(2 * MiB, new Set(['/stalled']))
  const http = transport()
  const stop = new AbortController()
  const stalled = http.request({
    method: 'GET',
    url: `${base}/stalled`,
    headers: {},
    signal: stop.signal,
  })
  await readPastFree()
  const other = http.request({ method: 'GET', url: `${base}/job`, headers: {} })
  stop.abort()
  await expect(stalled).rejects.toThrow(/stopped/)
  expect((await other).body.length).toBe(2 * MiB)
})
