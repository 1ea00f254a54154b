import type { IncomingHttpHeaders } from 'node:http'
import { SpotfireError } from '../../src/spotfire/errors.js'
import type { HttpRequest, HttpResponse, Transport } from '../../src/spotfire/http.js'

/** What the fake server says to one request: an answer or a thrown error. */
export type Reply = HttpResponse | SpotfireError

/** A scripted step: a reply, or a function of the request that makes one. */
export type Answer = Reply | ((request: HttpRequest) => Reply)

export function json(
  status: number,
  body: unknown,
  headers: IncomingHttpHeaders = {},
): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  }
}

export function text(
  status: number,
  body: string,
  headers: IncomingHttpHeaders = {},
): HttpResponse {
  return { status, headers: { 'content-type': 'text/html', ...headers }, body }
}

export function jobStatus(jobId: string, statusCode: string, message = ''): HttpResponse {
  return json(200, { JobId: jobId, StatusCode: statusCode, Message: message })
}

/** A token endpoint's success; `expiresIn` null leaves expires_in out. */
export function tokenAnswer(token: string, expiresIn: number | null = 3600): HttpResponse {
  return json(200, {
    access_token: token,
    token_type: 'Bearer',
    ...(expiresIn === null ? {} : { expires_in: expiresIn }),
  })
}

export const isTokenRequest = (request: HttpRequest): boolean =>
  new URL(request.url).pathname.endsWith('/spotfire/oauth2/token')

/**
 * A Transport that records every request and plays a scripted list of answers in order.
 * With `autoTokens`, token requests get `token-1`, `token-2`, ... without using the script; once the
 * script has run out, `otherwise` answers. An unscripted request throws a plain Error (which no retry swallows), so the test fails loudly.
 * A request whose signal has fired by the time it is answered throws `stopped`, as the real one does.
 */
export class FakeTransport implements Transport {
  readonly requests: HttpRequest[] = []
  disposed = false
  private readonly script: Answer[]
  private tokensIssued = 0

  constructor(
    script: Answer[] = [],
    private readonly options: {
      autoTokens?: boolean
      tokenExpiresIn?: number
      /** Answers requests once the script has run out. */
      otherwise?: (request: HttpRequest) => Reply
    } = {},
  ) {
    this.script = [...script]
  }

  request(request: HttpRequest): Promise<HttpResponse> {
    this.requests.push(request)
    if (this.options.autoTokens === true && isTokenRequest(request)) {
      this.tokensIssued++
      return Promise.resolve(
        tokenAnswer(`token-${this.tokensIssued}`, this.options.tokenExpiresIn ?? 3600),
      )
    }
    const next = this.script.shift() ?? this.options.otherwise
    if (next === undefined) {
      return Promise.reject(new Error(`FakeTransport: unscripted ${request.method} ${request.url}`))
    }
    const answer = typeof next === 'function' ? next(request) : next
    if (request.signal?.aborted === true) {
      return Promise.reject(new SpotfireError('stopped waiting for the answer', 'stopped'))
    }
    return answer instanceof SpotfireError ? Promise.reject(answer) : Promise.resolve(answer)
  }

  dispose(): void {
    this.disposed = true
  }

  /** Scripted answers not used yet. */
  get remaining(): number {
    return this.script.length
  }

  tokenRequests(): HttpRequest[] {
    return this.requests.filter(isTokenRequest)
  }

  apiRequests(): HttpRequest[] {
    return this.requests.filter((request) => !isTokenRequest(request))
  }

  /** API requests whose path (after /spotfire/api/rest/as) starts with `prefix`, e.g. `/job/status/`. */
  calls(prefix: string): HttpRequest[] {
    return this.apiRequests().filter((request) =>
      new URL(request.url).pathname.replace(/^.*\/spotfire\/api\/rest\/as/, '').startsWith(prefix),
    )
  }
}

/** The form fields of a request body. */
export function formOf(request: HttpRequest | undefined): URLSearchParams {
  return new URLSearchParams(bodyText(request))
}

/** A request body as text, whether it was sent as text or as bytes. */
export function bodyText(request: HttpRequest | undefined): string {
  const body = request?.body ?? ''
  return typeof body === 'string' ? body : Buffer.from(body).toString('utf8')
}

/** A header, whatever its case in the request. */
export function headerOf(request: HttpRequest | undefined, name: string): string | undefined {
  const entry = Object.entries(request?.headers ?? {}).find(
    ([key]) => key.toLowerCase() === name.toLowerCase(),
  )
  const value = entry?.[1]
  return value === undefined ? undefined : String(value)
}
