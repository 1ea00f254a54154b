import { describe, expect, it } from '@jest/globals'
import { SpotfireError } from '../../src/spotfire/errors.js'
import type { HttpRequest, HttpResponse, Transport } from '../../src/spotfire/http.js'
import { pacedTransport, TROUBLE_SPACING_MS } from '../../src/spotfire/paced-transport.js'
import { FakeClock, T0 } from './fake-clock.js'
import { text } from './fake-transport.js'

const URL_ = 'https://spotfire.example.com/spotfire/api/rest/as/job/status/x'

/** A server that answers by the time of the request; it notes when each request reached it. */
function server(
  clock: FakeClock,
  answer: (at: number) => HttpResponse,
): { transport: Transport; sentAt: number[] } {
  const sentAt: number[] = []
  return {
    sentAt,
    transport: {
      request: () => {
        sentAt.push(clock.now() - T0)
        return Promise.resolve(answer(clock.now() - T0))
      },
      dispose: () => undefined,
    },
  }
}

const request = (timeoutMs?: number): HttpRequest => ({
  method: 'GET',
  url: URL_,
  headers: {},
  ...(timeoutMs === undefined ? {} : { timeoutMs }),
})

const failing = (): HttpResponse => text(502, 'Bad Gateway')
const fine = (): HttpResponse => text(200, 'fine')

async function kindOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'answered',
    (error: unknown) => (error instanceof SpotfireError ? error.kind : 'other'),
  )
}

describe('pacedTransport: a failing server gets one request a second', () => {
  it('a request refused for waiting past its time leaves its turn to the next', async () => {
    const clock = new FakeClock()
    const { transport, sentAt } = server(clock, failing)
    const paced = pacedTransport(transport, clock)
    await kindOf(paced.request(request()))
    // The next turn is a second away: a request that may wait only half of it is not sent...
    await expect(kindOf(paced.request(request(500)))).resolves.toBe('not-sent')
    // ...and the one after it gets that turn, not the one behind it.
    await kindOf(paced.request(request()))
    expect(sentAt).toEqual([0, TROUBLE_SPACING_MS])
  })

  it('never sends a request with only a sliver of its time left: half at least, or not at all', async () => {
    const clock = new FakeClock()
    const timeouts: number[] = []
    const inner: Transport = {
      request: (r) => {
        timeouts.push(r.timeoutMs ?? Infinity)
        return Promise.resolve(failing())
      },
      dispose: () => undefined,
    }
    const paced = pacedTransport(inner, clock)
    await kindOf(paced.request(request()))
    // Its turn is a second away: with 1.1 s in all it would have 0.1 s for its answer.
    await expect(kindOf(paced.request(request(1100)))).resolves.toBe('not-sent')
    clock.advance(TROUBLE_SPACING_MS)
    await kindOf(paced.request(request(1100)))
    expect(timeouts.slice(1)).toEqual([1100])
  })

  it('callers that retry quickly with short timeouts still get through, and see the server recover', async () => {
    const clock = new FakeClock()
    // Fails for 5 s, then answers.
    const { transport, sentAt } = server(clock, (at) => (at < 5000 ? failing() : fine()))
    const paced = pacedTransport(transport, clock)
    // Eight aborts, each tried every 300 ms with a 2 s timeout, for 30 s.
    const caller = async (): Promise<boolean> => {
      while (clock.now() - T0 < 30_000) {
        const kind = await kindOf(paced.request(request(2000)))
        if (kind === 'answered' && clock.now() - T0 >= 5000) return true
        await clock.sleep(300)
      }
      return false
    }
    const done = await Promise.all(Array.from({ length: 8 }, caller))
    expect(done).toEqual(Array.from({ length: 8 }, () => true))
    // The first eight go together, before any answer says the server fails; then one a second.
    expect(sentAt.filter((at) => at === 0)).toHaveLength(8)
    expect(sentAt.filter((at) => at > 0 && at < 5000).length).toBeLessThanOrEqual(4)
  })

  it('the first good answer lets every waiting request go', async () => {
    const clock = new FakeClock()
    const { transport, sentAt } = server(clock, (at) => (at === 0 ? failing() : fine()))
    const paced = pacedTransport(transport, clock)
    await kindOf(paced.request(request()))
    const kinds = await Promise.all(
      Array.from({ length: 5 }, () => kindOf(paced.request(request()))),
    )
    expect(kinds).toEqual(Array.from({ length: 5 }, () => 'answered'))
    expect(sentAt).toEqual([0, 1000, 1000, 1000, 1000, 1000])
  })

  it('a request that stops waiting gives its turn back', async () => {
    const clock = new FakeClock()
    const { transport, sentAt } = server(clock, failing)
    const paced = pacedTransport(transport, clock)
    await kindOf(paced.request(request()))
    const stop = new AbortController()
    const stopped = kindOf(paced.request({ ...request(), signal: stop.signal }))
    const next = kindOf(paced.request(request()))
    stop.abort()
    await expect(stopped).resolves.toBe('stopped')
    await next
    expect(sentAt).toEqual([0, 1000])
  })
})

describe('pacedTransport: Retry-After holds every request, within its own time', () => {
  it('holds the requests of others until then', async () => {
    const clock = new FakeClock()
    const { transport, sentAt } = server(clock, (at) =>
      at === 0 ? text(429, 'slow down', { 'retry-after': '8' }) : fine(),
    )
    const paced = pacedTransport(transport, clock)
    await kindOf(paced.request(request()))
    await expect(kindOf(paced.request(request(30_000)))).resolves.toBe('answered')
    expect(sentAt).toEqual([0, 8000])
  })

  it('refuses at once a request that would wait past its time, without waiting', async () => {
    const clock = new FakeClock()
    const { transport, sentAt } = server(clock, () => text(503, 'busy', { 'retry-after': '30' }))
    const paced = pacedTransport(transport, clock)
    await kindOf(paced.request(request()))
    await expect(kindOf(paced.request(request(10_000)))).resolves.toBe('not-sent')
    expect(clock.elapsed()).toBe(0)
    expect(sentAt).toEqual([0])
  })
})
