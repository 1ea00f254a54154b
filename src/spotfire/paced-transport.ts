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

/**
 * Every request of a session through one gate: a 429 or 503 with Retry-After holds every request
 * (checks, aborts, starts, tokens) until then, and while answers fail, requests are spaced a
 * second apart. A request whose turn would come after its own timeout is not sent: it fails as
 * `not-sent`, which every caller may safely try again (a start included), later.
 */
export function pacedTransport(transport: Transport, clock: Clock): Transport {
  /** No request leaves before this (monotonic ms). */
  let holdUntil = 0
  /** The next free turn while the server is in trouble. */
  let nextTurn = 0
  let troubled = false
  const record = (failed: boolean, retryAfterMs?: number): void => {
    troubled = failed
    if (retryAfterMs !== undefined) {
      holdUntil = Math.max(holdUntil, clock.now() + Math.min(retryAfterMs, MAX_HOLD_MS))
    }
  }
  return {
    async request(request: HttpRequest): Promise<HttpResponse> {
      const now = clock.now()
      const turn = Math.max(now, holdUntil, troubled ? nextTurn : 0)
      if (troubled) nextTurn = turn + TROUBLE_SPACING_MS
      const waitMs = turn - now
      const timeoutMs = request.timeoutMs
      if (waitMs > 0) {
        if (timeoutMs !== undefined && waitMs >= timeoutMs) {
          throw new SpotfireError(
            'not sent: the server asked for room (Retry-After), or is failing, and the request would wait past its time',
            'not-sent',
            { code: 'PACED' },
          )
        }
        await clock.sleep(waitMs, request.signal)
        if (request.signal?.aborted === true) {
          throw new SpotfireError('stopped waiting for the answer', 'stopped')
        }
      }
      const left = timeoutMs === undefined ? {} : { timeoutMs: Math.max(1, timeoutMs - waitMs) }
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
      transport.dispose()
    },
  }
}
