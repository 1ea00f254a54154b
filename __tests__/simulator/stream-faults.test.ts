import { afterEach, describe, expect, it } from '@jest/globals'
import { Writable } from 'node:stream'
import { startSimulator, type FaultPlan, type Simulator } from '../../src/simulator/index.js'
import { OVERSIZE_CHUNK_BYTES, pump } from '../../src/simulator/streaming.js'
import {
  activeTimers,
  getToken,
  JOB_API,
  jobApi,
  jobBody,
  rawRequest,
  requestToken,
  until,
} from './helpers.js'

const QUICK = {
  path: '/Jobs/Quick',
  id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  lifecycle: { phases: [{ status: 'Queued', polls: 1 }], final: { status: 'Finished' } },
}

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

/** A simulator with one started job; its status answers are faulted by `faults`. */
async function withJob(faults: FaultPlan): Promise<{ s: Simulator; token: string; id: string }> {
  sim = await startSimulator({ library: [QUICK], faults })
  const api = await jobApi(sim)
  const id = jobBody(await api.startLibrary('path=/Jobs/Quick')).JobId
  return { s: sim, token: await getToken(sim), id }
}

describe('trickle', () => {
  it('sends the headers at once, then the body one byte at a time', async () => {
    const { s, token, id } = await withJob({ status: { 1: { type: 'trickle', intervalMs: 5 } } })
    const { response } = await rawRequest(s, 'GET', `${JOB_API}/status/${id}`, token)
    expect(response.statusCode).toBe(200)
    const chunks: Buffer[] = []
    for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk)
    const body = Buffer.concat(chunks)
    expect(Number(response.headers['content-length'])).toBe(body.length)
    expect(JSON.parse(body.toString('utf8'))).toEqual({
      JobId: id,
      StatusCode: 'Queued',
      Message: '',
    })
    // Byte by byte, each after its own timer: the reader sees many small pieces.
    expect(chunks[0]?.length).toBe(1)
    expect(chunks.length).toBeGreaterThan(body.length / 4)
    expect(s.jobs[0]?.statusPolls).toBe(1)
    expect(s.requests.at(-1)?.fault).toBe('trickle')
  })

  it('stops when the client hangs up', async () => {
    const { s, token, id } = await withJob({
      status: { 1: { type: 'trickle', intervalMs: 600_000 } },
    })
    const before = activeTimers()
    const { request, response } = await rawRequest(s, 'GET', `${JOB_API}/status/${id}`, token)
    expect(response.headers['content-length']).toBeDefined()
    expect(activeTimers()).toBe(before + 1)
    response.on('error', () => undefined)
    request.destroy()
    await until(() => activeTimers() === before)
  })

  it('is stopped by close()', async () => {
    const { s, token, id } = await withJob({
      status: { 1: { type: 'trickle', intervalMs: 600_000 } },
    })
    const before = activeTimers()
    const { response } = await rawRequest(s, 'GET', `${JOB_API}/status/${id}`, token)
    const aborted = new Promise((resolve) => response.once('close', resolve))
    response.on('error', () => undefined)
    response.resume()
    await s.close()
    sim = undefined
    await aborted
    expect(response.complete).toBe(false)
    expect(activeTimers()).toBe(before)
  })

  it('refuses an interval that is not a duration', async () => {
    await expect(
      startSimulator({ faults: { token: { 1: { type: 'trickle', intervalMs: -1 } } } }),
    ).rejects.toThrow(/trickle fault intervalMs -1/)
  })
})

describe('oversize', () => {
  const BYTES = 3 * 1024 * 1024

  it('pads the real JSON answer to exactly `bytes`, and it still parses', async () => {
    const { s, token, id } = await withJob({ status: { 1: { type: 'oversize', bytes: BYTES } } })
    const { response } = await rawRequest(s, 'GET', `${JOB_API}/status/${id}`, token)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(Number(response.headers['content-length'])).toBe(BYTES)
    // Read as a stream: keep the two ends, check that everything between them is padding.
    const END = 4096
    let received = 0
    let head = Buffer.alloc(0)
    let tail = Buffer.alloc(0)
    let middleIsSpaces = true
    for await (const chunk of response as AsyncIterable<Buffer>) {
      received += chunk.length
      if (head.length < END) {
        const take = Math.min(END - head.length, chunk.length)
        head = Buffer.concat([head, chunk.subarray(0, take)])
        tail = Buffer.concat([tail, chunk.subarray(take)])
      } else {
        tail = Buffer.concat([tail, chunk])
      }
      if (tail.length > END) {
        const spill = tail.subarray(0, tail.length - END)
        if (spill.some((byte) => byte !== 0x20)) middleIsSpaces = false
        tail = Buffer.from(tail.subarray(tail.length - END))
      }
    }
    expect(received).toBe(BYTES)
    expect(middleIsSpaces).toBe(true)
    const json = Buffer.concat([head, tail]).toString('utf8')
    expect(json.trimEnd()).toBe(json)
    expect(JSON.parse(json)).toEqual({ JobId: id, StatusCode: 'Queued', Message: '' })
    expect(s.jobs[0]?.statusPolls).toBe(1)
  })

  it('answers 200 JSON even when the real answer was an error', async () => {
    sim = await startSimulator({ faults: { token: { 1: { type: 'oversize', bytes: 70_000 } } } })
    const answer = await requestToken(sim, { grant_type: 'password' })
    expect(answer.status).toBe(200)
    expect(answer.text).toHaveLength(70_000)
    expect(answer.json).toMatchObject({ error: 'unsupported_grant_type' })
  })

  it('sends an answer already longer than `bytes` as it is', async () => {
    sim = await startSimulator({ faults: { token: { 1: { type: 'oversize', bytes: 10 } } } })
    const answer = await requestToken(sim)
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({ token_type: 'Bearer' })
  })

  it('refuses a size that is not a positive whole number', async () => {
    await expect(
      startSimulator({ faults: { status: { 1: { type: 'oversize', bytes: 0 } } } }),
    ).rejects.toThrow(/oversize/)
    await expect(
      startSimulator({ faults: { status: { 1: { type: 'oversize', bytes: 1.5 } } } }),
    ).rejects.toThrow(/oversize/)
  })
})

describe('pump', () => {
  /** A slow consumer: each chunk is taken a turn of the event loop later. */
  function slowSink(highWaterMark: number): Writable & { taken: number } {
    const sink = Object.assign(
      new Writable({
        highWaterMark,
        write(chunk: Buffer, _encoding, done) {
          sink.taken += chunk.length
          setImmediate(done)
        },
      }),
      { taken: 0 },
    )
    return sink
  }

  function* chunks(count: number, pulled: { n: number }): Generator<Buffer> {
    for (let i = 0; i < count; i++) {
      pulled.n++
      yield Buffer.alloc(OVERSIZE_CHUNK_BYTES, 'x')
    }
  }

  it('waits for drain instead of queueing everything at once', async () => {
    const sink = slowSink(OVERSIZE_CHUNK_BYTES)
    const pulled = { n: 0 }
    const finished = new Promise((resolve) => sink.once('finish', resolve))
    pump(sink, chunks(100, pulled))
    expect(pulled.n).toBe(1)
    expect(sink.writableLength).toBeLessThanOrEqual(OVERSIZE_CHUNK_BYTES)
    await finished
    expect(pulled.n).toBe(100)
    expect(sink.taken).toBe(100 * OVERSIZE_CHUNK_BYTES)
  })

  it('stops pulling chunks once the sink is destroyed', async () => {
    const sink = slowSink(OVERSIZE_CHUNK_BYTES)
    const pulled = { n: 0 }
    const closed = new Promise((resolve) => sink.once('close', resolve))
    pump(sink, chunks(100, pulled))
    await until(() => pulled.n >= 3)
    sink.destroy()
    await closed
    const at = pulled.n
    await new Promise((resolve) => setImmediate(resolve))
    expect(pulled.n).toBe(at)
    expect(at).toBeLessThan(100)
    expect(sink.listenerCount('drain')).toBe(0)
  })
})
