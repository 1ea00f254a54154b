import type { Clock } from '../clock.js'
import { ZERO_JOB_ID } from '../constants.js'
import type { Logger } from '../logger.js'
import { retry, type RetryPolicy } from '../retry.js'
import type { JobSource } from '../settings.js'
import { SpotfireError } from './errors.js'
import type { HttpResponse, Transport } from './http.js'
import { httpError, isTransient } from './responses.js'
import { type JobStatus, parseJobStatus } from './status.js'
import type { CallContext, TokenProvider } from './token.js'

export interface ClientOptions {
  serverUrl: string
  transport: Transport
  tokens: TokenProvider
  clock: Clock
  logger: Logger
  random?: () => number
  /**
   * Longest pause between retries of a status check: the poll interval, so that a failing server
   * is never asked more often than a healthy one, nor the job checked less often. Default 30 s.
   */
  statusRetryMaxDelayMs?: number
}

/**
 * Safe to repeat: asking a status, aborting (the server answers a finished job's status unchanged).
 * Transient failures (a token refresh's among them) are retried until the caller's deadline: a
 * running job is worth waiting for through a proxy restart, and `timeout` bounds it.
 */
const idempotentPolicy = {
  isRetryable: (error: SpotfireError) => isTransient(error) || error.kind === 'token',
  maxAttempts: Number.MAX_SAFE_INTEGER,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
}

/**
 * Starting a job is not idempotent: retry only when the server cannot have accepted it
 * (nothing was sent, 429, 503, or a Busy answer), for as long as the deadline allows.
 */
const startPolicy = {
  label: 'Starting the job',
  isRetryable: (error: SpotfireError) =>
    error.kind === 'not-sent' ||
    (error.kind === 'http' && [429, 503].includes(error.details.status ?? 0)),
  maxAttempts: Number.MAX_SAFE_INTEGER,
  baseDelayMs: 2000,
  maxDelayMs: 60_000,
}

/** The four calls of the Automation Services REST API. */
export class SpotfireClient {
  private readonly base: string

  constructor(private readonly options: ClientOptions) {
    this.base = `${options.serverUrl}/spotfire/api/rest/as`
  }

  /**
   * Starts the job. Answers with the zero job id (not found, not parsed) are returned as they are;
   * an answer that may hide an accepted job throws an error that says so.
   */
  async start(job: JobSource, context: CallContext): Promise<JobStatus> {
    const request =
      job.kind === 'xml'
        ? {
            path: '/job/start-content',
            content: { body: job.xml, contentType: 'application/xml; charset=utf-8' },
          }
        : {
            path: `/job/start-library?${new URLSearchParams(job.kind === 'library-path' ? { path: job.path } : { id: job.id }).toString()}`,
          }
    try {
      return await this.retrying(startPolicy, context, async () => {
        // The token may be fetched under the cancel signal; the start itself is not: once sent, its
        // answer is waited for even when the run is cancelled, because it names the job to abort.
        await this.token(context)
        const unstoppable: CallContext = {
          deadline: context.deadline,
          ...(context.timeoutMs === undefined ? {} : { timeoutMs: context.timeoutMs }),
        }
        const status = await this.call('POST', request.path, unstoppable, request.content)
        if (status.statusCode === 'Busy') {
          throw new SpotfireError('the job service is busy and did not accept the job', 'http', {
            status: 503,
          })
        }
        return status
      })
    } catch (error) {
      if (error instanceof SpotfireError && mayHaveStarted(error)) {
        throw error.withContext(
          'The start request may have reached the server, so it was not sent again; the job may be running. Check the Automation Services jobs on the server before you run this again. The start failed with',
        )
      }
      throw error
    }
  }

  async status(jobId: string, context: CallContext): Promise<JobStatus> {
    const maxDelayMs = this.options.statusRetryMaxDelayMs ?? idempotentPolicy.maxDelayMs
    const policy = {
      ...idempotentPolicy,
      label: `Checking job ${jobId}`,
      baseDelayMs: Math.min(idempotentPolicy.baseDelayMs, maxDelayMs),
      maxDelayMs,
    }
    return this.retrying(policy, context, () =>
      this.knownJob(jobId, this.call('GET', `/job/status/${encodeURIComponent(jobId)}`, context)),
    )
  }

  async abort(jobId: string, reason: string, context: CallContext): Promise<JobStatus> {
    const path = `/job/abort/${encodeURIComponent(jobId)}?${new URLSearchParams({ reason }).toString()}`
    return this.retrying({ ...idempotentPolicy, label: `Aborting job ${jobId}` }, context, () =>
      this.knownJob(jobId, this.call('POST', path, context)),
    )
  }

  /** Servers answer an unknown job with 404 or with 200 Missing; make both Missing. */
  private async knownJob(jobId: string, answer: Promise<JobStatus>): Promise<JobStatus> {
    try {
      return await answer
    } catch (error) {
      if (error instanceof SpotfireError && error.kind === 'http' && error.details.status === 404) {
        return {
          jobId,
          statusCode: 'Missing',
          message: `The server does not know job ${jobId} (${error.message}).`,
        }
      }
      throw error
    }
  }

  private retrying<T>(
    policy: RetryPolicy,
    context: CallContext,
    operation: () => Promise<T>,
  ): Promise<T> {
    return retry(operation, policy, {
      clock: this.options.clock,
      deadline: context.deadline,
      ...(context.signal === undefined ? {} : { signal: context.signal }),
      ...(this.options.random === undefined ? {} : { random: this.options.random }),
      onRetry: (message) => {
        this.options.logger.info(message)
      },
    })
  }

  /** One call with a valid token; a 401 gets one new token and one more try (it was not accepted). */
  private async call(
    method: 'GET' | 'POST',
    path: string,
    context: CallContext,
    content?: { body: string; contentType: string },
  ): Promise<JobStatus> {
    let response = await this.send(method, path, context, content)
    if (response.status === 401) {
      this.options.logger.debug('The server refused the token (401); getting a new one')
      this.options.tokens.invalidate()
      response = await this.send(method, path, context, content)
      if (response.status === 401) {
        throw httpError(
          response,
          this.options.clock.now(),
          'the server refused a fresh access token',
        )
      }
    }
    if (response.status === 403) {
      throw httpError(
        response,
        this.options.clock.now(),
        'the API client may not run Automation Services jobs; register it with scope api.rest.automation-services-job.execute',
      )
    }
    if (response.status !== 200) throw httpError(response, this.options.clock.now())
    const status = parseJobStatus(response.body)
    if (status === undefined) {
      throw new SpotfireError('the server answered 200 without a job status in JSON', 'bad-body')
    }
    this.options.logger.debug(
      `${method} ${path.split('?')[0] ?? ''}: ${status.statusCode} ${status.jobId}`,
    )
    return status
  }

  /**
   * A token for the next call. A transient failure (already retried by the provider) becomes kind
   * 'token', which says nothing about the job call; refusals (credentials, 4xx) stay as they are.
   */
  private async token(context: CallContext): Promise<string> {
    try {
      return await this.options.tokens.get(context)
    } catch (error) {
      if (error instanceof SpotfireError && isTransient(error)) {
        throw new SpotfireError(`getting a token failed: ${error.message}`, 'token', error.details)
      }
      throw error
    }
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    context: CallContext,
    content?: { body: string; contentType: string },
  ): Promise<HttpResponse> {
    const token = await this.token(context)
    return this.options.transport.request({
      method,
      url: `${this.base}${path}`,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        ...(content === undefined ? {} : { 'Content-Type': content.contentType }),
      },
      ...(content === undefined ? {} : { body: content.body }),
      ...(context.signal === undefined ? {} : { signal: context.signal }),
      ...(context.timeoutMs === undefined ? {} : { timeoutMs: context.timeoutMs }),
    })
  }
}

/** A failed start after which the server may still have created the job. */
function mayHaveStarted(error: SpotfireError): boolean {
  if (error.kind === 'no-answer' || error.kind === 'bad-body') return true
  const status = error.details.status ?? 0
  return error.kind === 'http' && (status === 408 || (status >= 500 && status !== 503))
}

export function isZeroJobId(jobId: string): boolean {
  return jobId === ZERO_JOB_ID
}
