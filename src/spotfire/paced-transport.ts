import { SpotfireError } from './errors.js'
import type { HttpRequest, HttpResponse, Transport } from './http.js'
import { parseRetryAfter } from './retry.js'
import type { Clock } from './types.js'

/**
 * While the server's answers fail, requests leave at most one a second, whoever sends them: the
 * checks of every job, the aborts, the starts and the tokens together. Per-request backoff alone
 * lets many jobs add up to a storm (64 jobs made more than a thousand requests a minute).
 */
export const TROUBLE_SPACING_MS = 1000

/** A Retry-After longer than this is taken as this: the deadlines rule beyond it. */
const MAX_HOLD_MS = 5 * 60_000

/** A request waiting for its turn. */
interface Waiter {
  /** Its turn must come before this (monotonic ms), or it would outlast its own time. */
  latest: number
  release(): void
  refuse(): void
}

/**
 * Every request of a session through one gate, in the order they come: a 429 or 503 with
 * Retry-After holds every request (checks, aborts, starts, tokens) until then, and while answers
 * fail, requests leave a second apart. The first good answer lets every waiting request go. A
 * request whose turn would come after its own timeout is not sent, and takes no turn: it fails at
 * once as `not-sent`, which every caller may safely try again (a start included), later.
 */
export function pacedTransport(transport: Transport, clock: Clock): Transport {
  /** No request leaves before this (monotonic ms). */
  let holdUntil = 0
  let troubled = false
  let lastSentAt = -Infinity
  const queue: Waiter[] = []
  let wake: AbortController | undefined
  let wakeAt = Infinity

  /** Lets go every waiter whose turn has come, refuses those whose turn comes too late. */
  const pump = (): void => {
    const now = clock.now()
    let turn = Math.max(now, holdUntil, troubled ? lastSentAt + TROUBLE_SPACING_MS : now)
    let next = Infinity
    for (const waiter of [...queue]) {
      if (turn >= waiter.latest) {
        queue.splice(queue.indexOf(waiter), 1)
        waiter.refuse()
      } else if (turn <= now) {
        queue.splice(queue.indexOf(waiter), 1)
        lastSentAt = now
        if (troubled) turn = now + TROUBLE_SPACING_MS
        waiter.release()
      } else {
        next = Math.min(next, turn)
        if (troubled) turn += TROUBLE_SPACING_MS
      }
    }
    wakeUpAt(next)
  }

  const wakeUpAt = (at: number): void => {
    if (at === wakeAt) return
    wake?.abort()
    wake = undefined
    wakeAt = at
    if (at === Infinity) return
    const controller = new AbortController()
    wake = controller
    void clock.sleep(at - clock.now(), controller.signal).then(() => {
      if (controller.signal.aborted) return
      wake = undefined
      wakeAt = Infinity
      pump()
    })
  }

  const record = (failed: boolean, retryAfterMs?: number): void => {
    troubled = failed
    if (retryAfterMs !== undefined) {
      holdUntil = Math.max(holdUntil, clock.now() + Math.min(retryAfterMs, MAX_HOLD_MS))
    }
    if (queue.length > 0) pump()
  }

  /** Resolves when the request may leave; throws when it may not, or its signal fires. */
  const turnFor = (request: HttpRequest): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const { signal } = request
      const onAbort = (): void => {
        const at = queue.indexOf(waiter)
        if (at === -1) return
        queue.splice(at, 1)
        reject(new SpotfireError('stopped waiting for the answer', 'stopped'))
        pump()
      }
      const waiter: Waiter = {
        // It must leave with half its time at least: a start given a few milliseconds would time
        // out on an answer that was on its way, and be reported as one that may have started.
        latest: request.timeoutMs === undefined ? Infinity : clock.now() + request.timeoutMs / 2,
        release: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
        refuse: () => {
          signal?.removeEventListener('abort', onAbort)
          reject(
            new SpotfireError(
              'not sent: the server asked for room (Retry-After), or is failing, and the request would wait past its time',
              'not-sent',
              { code: 'PACED' },
            ),
          )
        },
      }
      if (signal?.aborted === true) {
        reject(new SpotfireError('stopped waiting for the answer', 'stopped'))
        return
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      queue.push(waiter)
      pump()
    })

  return {
    async request(request: HttpRequest): Promise<HttpResponse> {
      const queuedAt = clock.now()
      await turnFor(request)
      const waitedMs = clock.now() - queuedAt
      const { timeoutMs } = request
      const left = timeoutMs === undefined ? {} : { timeoutMs: Math.max(1, timeoutMs - waitedMs) }
      try {
        const response = await transport.request({ ...request, ...left })
        const failed = response.status >= 500 || response.status === 429
        const header: unknown = response.headers['retry-after']
        const retryAfter =
          failed && typeof header === 'string'
            ? parseRetryAfter(header, clock.wallNow())
            : undefined
        record(failed, retryAfter)
        return response
      } catch (error) {
        if (error instanceof SpotfireError && error.kind !== 'stopped') record(true)
        throw error
      }
    },
    dispose() {
      wakeUpAt(Infinity)
      transport.dispose()
    },
  }
}
