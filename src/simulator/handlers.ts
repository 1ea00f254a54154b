import type { IncomingMessage } from 'node:http'
import type { FaultPlan, FaultPlanFn } from './faults.js'
import { errorJson, header, json, mediaType, text, type SimResponse } from './http.js'
import { inlineJobLifecycle, parseJobXml } from './inline-job.js'
import { isGuid, ZERO_GUID, type JobAnswer, type JobStore } from './jobs.js'
import { findLibraryItem } from './library.js'
import { handleLibrary, LIBRARY_READ_SCOPE, LIBRARY_WRITE_SCOPE, scopeFor } from './library-api.js'
import type { LibraryStore } from './library-store.js'
import { needsBearer, type RouteMatch } from './routes.js'
import { EXECUTE_SCOPE, type TokenStore } from './tokens.js'
import type { LibraryItem, Lifecycle, SimClient, SimJob } from './types.js'

/** The options a running simulator can change through update(). */
export interface Settings {
  clients: SimClient[]
  tokenLifetimeSeconds: number
  library: readonly LibraryItem[]
  inlineLifecycle: Lifecycle
  unparseableJob: 'http400' | 'notset'
  unknownJob: 'http404' | 'missing'
  xmlContentType: 'lenient' | 'exact'
  publicApi: boolean
  faults: FaultPlan | FaultPlanFn
}

export interface Context {
  settings: Settings
  tokens: TokenStore
  jobs: JobStore
  libraryStore: LibraryStore
  baseUrl: () => string
}

export interface Incoming {
  request: IncomingMessage
  url: URL
  body: string
  /** The body as received: an upload chunk's bytes. */
  bytes: Buffer
  match: RouteMatch
}

export const BUSY_ANSWER: JobAnswer = {
  JobId: ZERO_GUID,
  StatusCode: 'Busy',
  Message: 'The job service is too busy to accept the job. Try again in a while.',
}

export function handle(context: Context, incoming: Incoming): SimResponse {
  const { match, url } = incoming
  if (needsBearer(url.pathname)) {
    const token = context.tokens.check(header(incoming.request, 'authorization'))
    if (!token.ok) return unauthorized(token.reason)
    const scope = match.endpoint === 'unknown' ? undefined : scopeFor(match.endpoint)
    if (scope !== undefined && !token.scopes.includes(scope)) {
      return errorJson(403, `The token lacks scope ${scope}.`, {
        'WWW-Authenticate': `Bearer realm="spotfire", error="insufficient_scope", scope="${scope}"`,
      })
    }
  }
  switch (match.endpoint) {
    case 'unknown':
      return match.allow === undefined
        ? errorJson(404, 'Not Found')
        : errorJson(405, 'Method Not Allowed', { Allow: match.allow })
    case 'token':
      return context.tokens.issue(incoming.request, incoming.body, context.settings)
    case 'metadata':
      return metadata(context)
    case 'start-library':
      return startLibrary(context, url)
    case 'start-content':
      return startContent(context, incoming)
    case 'status':
      return jobCall(context, match.param, (id) => context.jobs.status(id))
    case 'abort': {
      const reason = url.searchParams.get('reason') ?? ''
      return jobCall(context, match.param, (id) => context.jobs.abort(id, reason))
    }
    case 'library-items':
    case 'library-folder':
    case 'upload-begin':
    case 'upload-chunk':
      return handleLibrary(context.libraryStore, {
        endpoint: match.endpoint,
        param: match.param,
        url,
        body: incoming.body,
        bytes: incoming.bytes,
      })
  }
}

function unauthorized(reason: 'missing' | 'invalid' | 'expired'): SimResponse {
  // RFC 6750 §3.1: a request without credentials gets no error code.
  const challenge =
    reason === 'missing'
      ? 'Bearer realm="spotfire"'
      : `Bearer realm="spotfire", error="invalid_token", error_description="The access token is ${reason}."`
  return errorJson(401, 'Unauthorized', { 'WWW-Authenticate': challenge })
}

function metadata(context: Context): SimResponse {
  const methods = new Set(context.settings.clients.map((client) => client.authMethod))
  const authMethods = [
    ...(methods.has('basic') || methods.has('any') ? ['client_secret_basic'] : []),
    ...(methods.has('post') || methods.has('any') ? ['client_secret_post'] : []),
  ]
  const issuer = `${context.baseUrl()}/spotfire`
  return json(200, {
    issuer,
    token_endpoint: `${issuer}/oauth2/token`,
    token_endpoint_auth_methods_supported: authMethods,
    grant_types_supported: ['client_credentials'],
    scopes_supported: [EXECUTE_SCOPE, LIBRARY_READ_SCOPE, LIBRARY_WRITE_SCOPE],
  })
}

function startLibrary(context: Context, url: URL): SimResponse {
  const path = url.searchParams.get('path') || undefined
  const id = url.searchParams.get('id') || undefined
  if (path === undefined && id === undefined) {
    return errorJson(400, 'Give the library item as ?path= or ?id=.')
  }
  const source: SimJob['source'] = {
    kind: 'library',
    ...(path === undefined ? {} : { path }),
    ...(id === undefined ? {} : { id }),
  }
  const item = findLibraryItem(context.settings.library, source)
  if (item === undefined) {
    return json(200, {
      JobId: ZERO_GUID,
      StatusCode: 'Failed',
      Message: 'Job file not found or no access.',
    })
  }
  return json(200, context.jobs.create(source, item.lifecycle))
}

function startContent(context: Context, incoming: Incoming): SimResponse {
  if (context.settings.xmlContentType === 'exact') {
    const sent = header(incoming.request, 'content-type') ?? ''
    if (sent !== 'application/xml') {
      return errorJson(415, `Unsupported content type '${sent}'; send exactly application/xml.`)
    }
  }
  const type = mediaType(incoming.request)
  if (type !== 'application/xml' && type !== 'text/xml') {
    return errorJson(415, `Unsupported content type '${type}'; send application/xml.`)
  }
  const parsed = parseJobXml(incoming.body)
  if (!parsed.ok) {
    return context.settings.unparseableJob === 'http400'
      ? text(400, `The job could not be parsed. ${parsed.reason}`)
      : json(200, {
          JobId: ZERO_GUID,
          StatusCode: 'NotSet',
          Message: `The job could not be parsed. ${parsed.reason}`,
        })
  }
  const lifecycle = inlineJobLifecycle(parsed.tasks, context.settings.inlineLifecycle)
  return json(200, context.jobs.create({ kind: 'content', xml: incoming.body }, lifecycle))
}

function jobCall(
  context: Context,
  rawId: string,
  call: (id: string) => JobAnswer | undefined,
): SimResponse {
  const id = safeDecode(rawId)
  if (id === undefined || !isGuid(id)) return errorJson(400, `Malformed job id '${rawId}'.`)
  const answer = call(id)
  return answer === undefined ? unknownJob(context.settings, id) : json(200, answer)
}

/** How the server answers a status or abort for a job it does not know. */
export function unknownJob(settings: Settings, id: string): SimResponse {
  return settings.unknownJob === 'http404'
    ? errorJson(404, `Job ${id} not found.`)
    : json(200, {
        JobId: id,
        StatusCode: 'Missing',
        Message: 'The job is not known to the server.',
      })
}

/** The job id a status or abort request names, as the server reads it from the path. */
export function requestedJobId(match: RouteMatch): string {
  return match.endpoint === 'unknown' ? '' : (safeDecode(match.param) ?? match.param)
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}
