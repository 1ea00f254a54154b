import { authorizedCall, retryContextOf, tokenFor, type CallProgress } from './authorized-call.js'
import { SpotfireError } from './errors.js'
import type { HttpResponse, Transport } from './http.js'
import { httpError, isJsonAnswer, isTransient, notApiError, statusLine } from './responses.js'
import { backoffDelay, MIN_PAUSE_MS, retry, type Backoff } from './retry.js'
import {
  isZeroJobId,
  parseJobStatus,
  readJobAnswer,
  sameJobId,
  statusName,
  ZERO_JOB_ID,
  type JobStatus,
} from './status.js'
import { shown } from './text.js'
import { EXECUTE_SCOPE, type CallContext, type TokenProvider } from './token.js'
import { inputWords, type Clock, type Logger, type Vocabulary } from './types.js'

/** What to start: a library job by path or id, or job XML. */
export type StartRequest =
  | { kind: 'library-path'; path: string }
  | { kind: 'library-id'; id: string }
  | { kind: 'xml'; xml: string }

/**
 * How a start ended. A non-zero job id always means a started job, whatever status or HTTP code
 * came with it; its statusCode is '' when the answer named none.
 */
export type StartResult =
  | { kind: 'started'; status: JobStatus }
  /** The server answered without creating a job (not found, not parsed): nothing runs. */
  | { kind: 'refused'; status: JobStatus }
  | { kind: 'failed'; error: SpotfireError; mayHaveStarted: boolean }

export interface StartHooks {
  /** Right before the start request goes out: from here on a job may exist. */
  onSending?(): void
  /**
   * The server did not accept the job (Busy, 429, 503 with Retry-After, nothing sent): it will be
   * sent again.
   */
  onNotAccepted?(): void
}

export interface ClientOptions {
  serverUrl: string
  transport: Transport
  tokens: TokenProvider
  clock: Clock
  logger: Logger
  random?: () => number
  /** How messages name settings; the action's input names by default. */
  words?: Vocabulary
  /** How long one request may take (the transport's own limit), for calls bound by answerBy. */
  requestTimeoutMs?: number
}

/** The media type the API takes job XML in: exactly this, no charset (a strict server answers 415). */
export const JOB_XML_CONTENT_TYPE = 'application/xml'

/** Busy servers and throttling proxies get more and more room between starts. */
const START_BACKOFF: Backoff = { baseMs: 2000, maxMs: 60_000 }

/**
 * Aborting is safe to repeat (the server answers a finished job's status unchanged): transient
 * failures are retried until the caller's deadline.
 */
const abortPolicy = {
  isRetryable: isTransient,
  maxAttempts: Number.MAX_SAFE_INTEGER,
  baseMs: 1000,
  maxMs: 10_000,
}

/** The four calls of the Automation Services REST API. */
export class SpotfireClient {
  private readonly base: string
  private readonly words: Vocabulary

  constructor(private readonly options: ClientOptions) {
    this.base = `${options.serverUrl}/spotfire/api/rest/as`
    this.words = options.words ?? inputWords
  }

  /**
   * Starts a job. Sent again only when the server cannot have accepted it (nothing was sent, 429,
   * 503 with Retry-After, Busy without a job id), with a growing pause, until the deadline or the
   * signal. The signal stops the pauses, never a start already sent: its answer names the job to
   * abort.
   */
  async start(
    job: StartRequest,
    context: CallContext,
    hooks: StartHooks = {},
  ): Promise<StartResult> {
    const request = startRequestOf(job)
    const random = this.options.random ?? Math.random
    for (let attempt = 0; ; attempt++) {
      const sent = await this.sendStart(request, context, hooks)
      if (sent.kind !== 'retry') return sent
      hooks.onNotAccepted?.()
      const { clock } = this.options
      const stopped = (): boolean => context.signal?.aborted === true
      // A pause that would pass the deadline is cut short: one more try just before it, rather
      // than giving up early (the floor between tries holds, and leaves the try its time).
      const left = context.deadline - clock.now()
      if (stopped() || left < 2 * MIN_PAUSE_MS) {
        return { kind: 'failed', error: sent.error, mayHaveStarted: false }
      }
      const delayMs = Math.min(
        backoffDelay(attempt, START_BACKOFF, random, sent.error.details.retryAfterMs),
        left - MIN_PAUSE_MS,
      )
      this.options.logger.info(
        `Starting the job: ${sent.error.message}. Trying again in ${Math.ceil(delayMs / 100) / 10} s.`,
      )
      await clock.sleep(delayMs, context.signal)
      if (stopped()) {
        return { kind: 'failed', error: sent.error, mayHaveStarted: false }
      }
    }
  }

  /** One status check: the job's status, or a SpotfireError for the caller's loop to weigh. */
  async status(jobId: string, context: CallContext): Promise<JobStatus> {
    const response = await this.call('GET', `/job/status/${encodeURIComponent(jobId)}`, context)
    return this.jobAnswer(response, jobId)
  }

  /** Aborts a job; the answer is its status (Canceled, or the status it had already ended in). */
  async abort(jobId: string, reason: string, context: CallContext): Promise<JobStatus> {
    const path = `/job/abort/${encodeURIComponent(jobId)}?${new URLSearchParams({ reason }).toString()}`
    return retry(
      async () => {
        // No try may outlast the deadline: an abort is what the step is still waiting for.
        const left = Math.max(1, context.deadline - this.options.clock.now())
        const timeoutMs = Math.min(context.timeoutMs ?? left, left)
        return this.jobAnswer(await this.call('POST', path, { ...context, timeoutMs }), jobId)
      },
      { ...abortPolicy, label: `Aborting job ${jobId}` },
      retryContextOf(this.options, context),
    )
  }

  /** Gets a token, for a dry run: proves the credentials and the scope. */
  async checkCredentials(context: CallContext): Promise<void> {
    await tokenFor(this.options, context)
  }

  /**
   * An authorized call that starts nothing, for a dry run: the status of the zero job id. Any JSON
   * answer of the API's proves that it answers with this token's authority: a status, its
   * not-found (404), or a 400 from a server that checks job ids. 401, 403 and answers that are not
   * the API's JSON throw. Says what the API answered.
   */
  async probe(context: CallContext): Promise<string> {
    const response = await this.call('GET', `/job/status/${ZERO_JOB_ID}`, context)
    if (response.status === 200) {
      const status = parseJobStatus(response.body)
      if (status === undefined) throw notApiError(response, 'a job status')
      return `status of the zero job id: ${statusName(status.statusCode)}`
    }
    if ((response.status === 400 || response.status === 404) && isJsonAnswer(response)) {
      return `${statusLine(response.status)} in the API's JSON for the zero job id`
    }
    if (!isJsonAnswer(response)) throw notApiError(response, 'the API’s JSON')
    throw httpError(response, this.options.clock.now(), undefined, this.words)
  }

  private async sendStart(
    request: { path: string; content?: { body: string; contentType: string } },
    context: CallContext,
    hooks: StartHooks,
  ): Promise<StartResult | { kind: 'retry'; error: SpotfireError }> {
    // The token may be fetched under the cancel signal; the start itself is not.
    const unstoppable: CallContext = {
      deadline: context.deadline,
      ...(context.timeoutMs === undefined ? {} : { timeoutMs: context.timeoutMs }),
      ...(context.answerBy === undefined ? {} : { answerBy: context.answerBy }),
    }
    const progress: CallProgress = { phase: 'token' }
    let response: HttpResponse
    try {
      response = await this.call('POST', request.path, unstoppable, request.content, {
        progress,
        beforeSend: () => hooks.onSending?.(),
        tokenSignal: context.signal,
      })
    } catch (error) {
      if (!(error instanceof SpotfireError)) throw error
      // A token that could not be had: no start went out (after a 401, none was accepted).
      if (progress.phase === 'token') return { kind: 'failed', error, mayHaveStarted: false }
      if (error.kind === 'not-sent') return { kind: 'retry', error }
      return { kind: 'failed', error, mayHaveStarted: mayHaveStarted(error) }
    }
    // A job id is a job the server knows, whatever the HTTP code: followed or aborted, never
    // started twice.
    const named = readJobAnswer(response.body)
    if (named !== undefined && !isZeroJobId(named.jobId)) {
      if (response.status !== 200) {
        this.options.logger.info(
          `The start was answered ${statusLine(response.status)}, naming job ${named.jobId}: following that job.`,
        )
      }
      return { kind: 'started', status: named }
    }
    if (response.status >= 200 && response.status < 300) {
      const status = parseJobStatus(response.body)
      if (status === undefined) {
        const error = notApiError(response, 'the job status the API answers')
        return { kind: 'failed', error, mayHaveStarted: true }
      }
      if (status.statusCode === 'Busy') {
        return {
          kind: 'retry',
          error: new SpotfireError('the job service is busy and did not accept the job', 'http', {
            status: 503,
          }),
        }
      }
      return { kind: 'refused', status }
    }
    const error = this.startError(response, request.content?.contentType)
    if (notProcessed(error)) return { kind: 'retry', error }
    return { kind: 'failed', error, mayHaveStarted: mayHaveStarted(error) }
  }

  private startError(response: HttpResponse, contentType: string | undefined): SpotfireError {
    const now = this.options.clock.wallNow()
    if (response.status === 415) {
      return httpError(
        response,
        now,
        `the server does not take the job as it was sent (Content-Type ${contentType ?? 'none'})`,
        this.words,
      )
    }
    if (response.status === 404 && !isJsonAnswer(response)) {
      return new SpotfireError(
        `${notApiError(response, 'the API').message}. Is the REST API enabled on the server (config-web-service-api)? Is ${this.words.name('server-url')} the address Spotfire is served at?`,
        'http',
        { status: 404 },
      )
    }
    return httpError(response, now, undefined, this.words)
  }

  /**
   * A job call's answer as a status of the job asked about, under the id the action holds: servers
   * answer an unknown job with 404 JSON or 200 Missing (the zero id may come with it). An answer
   * about another job is not the API's answer to this request.
   */
  private jobAnswer(response: HttpResponse, jobId: string): JobStatus {
    if (response.status === 200) {
      const status = parseJobStatus(response.body)
      if (status === undefined) throw notApiError(response, 'a job status')
      const noJob = isZeroJobId(status.jobId) && status.statusCode === 'Missing'
      if (!sameJobId(status.jobId, jobId) && !noJob) {
        throw new SpotfireError(
          `${statusLine(200)} about job ${shown(status.jobId, 200)}, not job ${jobId}: not the API's answer to this request`,
          'not-api',
          { status: 200 },
        )
      }
      this.options.logger.debug(
        `Job ${jobId}: the server answered ${statusName(status.statusCode)}`,
      )
      return { ...status, jobId }
    }
    if (response.status === 404) {
      // Only the API's own not-found says so; a proxy's or a container's page says nothing of the job.
      if (!isJsonAnswer(response)) throw notApiError(response, 'the API’s JSON')
      return {
        jobId,
        statusCode: 'Missing',
        message: `The server does not know job ${jobId} (${statusLine(404)}).`,
      }
    }
    throw httpError(response, this.options.clock.wallNow(), undefined, this.words)
  }

  /** One call with a valid token; a 401 gets one new token and one more try (it was not accepted). */
  private async call(
    method: 'GET' | 'POST',
    path: string,
    context: CallContext,
    content?: { body: string; contentType: string },
    options: {
      progress?: CallProgress
      beforeSend?: () => void
      tokenSignal?: AbortSignal | undefined
    } = {},
  ): Promise<HttpResponse> {
    const response = await authorizedCall(
      this.options,
      { method, url: `${this.base}${path}`, ...(content === undefined ? {} : { content }) },
      context,
      options.progress,
      options,
    )
    if (response.status === 403) {
      throw httpError(
        response,
        this.options.clock.wallNow(),
        `the API client may not run Automation Services jobs; register it with scope ${EXECUTE_SCOPE}`,
        this.words,
      )
    }
    return response
  }
}

function startRequestOf(job: StartRequest): {
  path: string
  content?: { body: string; contentType: string }
} {
  switch (job.kind) {
    case 'xml':
      return {
        path: '/job/start-content',
        content: { body: job.xml, contentType: JOB_XML_CONTENT_TYPE },
      }
    case 'library-path':
      return { path: `/job/start-library?${new URLSearchParams({ path: job.path }).toString()}` }
    case 'library-id':
      return { path: `/job/start-library?${new URLSearchParams({ id: job.id }).toString()}` }
  }
}

/**
 * An answer that proves the start was not processed: 429, or 503 with Retry-After (a load balancer
 * with no healthy backend). A 503 without it may come from a proxy whose backend took the start
 * before the connection broke (Envoy's "upstream connect error or disconnect/reset before
 * headers").
 */
function notProcessed(error: SpotfireError): boolean {
  const status = error.details.status
  return status === 429 || (status === 503 && error.details.retryAfterMs !== undefined)
}

/** A failed start after which the server may still have created the job. */
function mayHaveStarted(error: SpotfireError): boolean {
  if (error.kind === 'no-answer' || error.kind === 'not-api') return true
  const status = error.details.status ?? 0
  return error.kind === 'http' && (status === 408 || status >= 500)
}
