import { SpotfireError } from '../../src/spotfire/errors.js'
import type { HttpRequest, HttpResponse, Transport } from '../../src/spotfire/http.js'
import type { FakeClock } from './fake-clock.js'

/**
 * A Transport in front of another whose server stops answering the requests `hangs` picks, as a
 * real one would look from here: no answer until the request's timeout (the transport's
 * request-timeout unless the call sets its own), on the fake clock, or until its signal fires.
 */
export class HangingTransport implements Transport {
  /** Each hung request: when it went out and when it was given up on. */
  readonly hung: { url: string; sentAt: number; endedAt?: number }[] = []

  constructor(
    private readonly inner: Transport,
    private readonly clock: FakeClock,
    private readonly requestTimeoutMs: number,
    private readonly hangs: (request: HttpRequest) => boolean,
  ) {}

  async request(request: HttpRequest): Promise<HttpResponse> {
    if (!this.hangs(request)) return this.inner.request(request)
    const entry: { url: string; sentAt: number; endedAt?: number } = {
      url: request.url,
      sentAt: this.clock.now(),
    }
    this.hung.push(entry)
    await this.clock.sleep(request.timeoutMs ?? this.requestTimeoutMs, request.signal)
    entry.endedAt = this.clock.now()
    throw request.signal?.aborted === true
      ? new SpotfireError('stopped waiting for the answer', 'stopped')
      : new SpotfireError('no answer in time', 'no-answer', { code: 'TIMEOUT' })
  }

  dispose(): void {
    this.inner.dispose()
  }
}
