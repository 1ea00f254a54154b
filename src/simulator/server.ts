import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import {
  DEFAULT_TRICKLE_INTERVAL_MS,
  faultFor,
  faultProblem,
  validateFaults,
  type Fault,
} from './faults.js'
import {
  BUSY_ANSWER,
  handle,
  requestedJobId,
  unknownJob,
  type Context,
  type Settings,
} from './handlers.js'
import {
  containerNotFound,
  echoText,
  errorJson,
  gatewayNotFound,
  html,
  json,
  NO_UPSTREAM_TEXT,
  readBytes,
  springNotFound,
  text,
  UPSTREAM_RESET_TEXT,
  type SimResponse,
} from './http.js'
import { JobStore } from './jobs.js'
import { DEFAULT_INLINE_LIFECYCLE, SAMPLE_LIBRARY } from './library.js'
import { LIBRARY_READ_SCOPE, LIBRARY_WRITE_SCOPE } from './library-api.js'
import { FOLDER_TYPE, LibraryStore } from './library-store.js'
import { isPublicApiPath, route, type RouteMatch } from './routes.js'
import { oversize, trickle } from './streaming.js'
import { EXECUTE_SCOPE, TokenStore } from './tokens.js'
import type {
  Endpoint,
  RecordedRequest,
  RequestEvent,
  SimClient,
  SimJob,
  Simulator,
  SimulatorOptions,
  SimulatorUpdate,
} from './types.js'

export const DEFAULT_CLIENT: SimClient = {
  id: 'demo-client',
  secret: 'demo-secret',
  authMethod: 'any',
  scopes: [EXECUTE_SCOPE, LIBRARY_READ_SCOPE, LIBRARY_WRITE_SCOPE],
}

/** Request bodies other than upload chunks are small: job XML, JSON, a token form. */
const MAX_BODY_BYTES = 5 * 1024 * 1024
/** An upload chunk may be larger; the library client sends 16 MiB at most. */
const MAX_CHUNK_BYTES = 64 * 1024 * 1024

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? Date.now
  const settings: Settings = {
    clients: options.clients ?? [DEFAULT_CLIENT],
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    library: options.library ?? SAMPLE_LIBRARY,
    inlineLifecycle: options.inlineLifecycle ?? DEFAULT_INLINE_LIFECYCLE,
    unparseableJob: options.unparseableJob ?? 'notset',
    unknownJob: options.unknownJob ?? 'http404',
    xmlContentType: options.xmlContentType ?? 'lenient',
    publicApi: options.publicApi ?? true,
    faults: options.faults ?? {},
  }
  validateSettings(settings)

  let url = ''
  const context: Context = {
    settings,
    tokens: new TokenStore(clock),
    jobs: new JobStore(clock, options.jobSlots === undefined ? {} : { jobSlots: options.jobSlots }),
    libraryStore: new LibraryStore(),
    baseUrl: () => url,
  }
  for (const seed of options.libraryItems ?? []) {
    if (seed.type === FOLDER_TYPE) context.libraryStore.addFolder(seed.path)
    else context.libraryStore.addFile(seed.path, seed.type, seed.content ?? new Uint8Array())
  }
  const requests: RecordedRequest[] = []
  const counts = new Map<Endpoint | 'unknown', number>()
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const parsedUrl = new URL(request.url ?? '/', 'http://simulator')
    const method = request.method ?? ''
    const match = route(method, parsedUrl.pathname)
    const { endpoint } = match
    const chunk = endpoint === 'upload-chunk'
    const bytes = await readBytes(request, chunk ? MAX_CHUNK_BYTES : MAX_BODY_BYTES)
    // A chunk's bytes go to the library store only: recording them would cost a copy of each file.
    const body = bytes === undefined ? undefined : chunk ? '' : bytes.toString('utf8')
    const n = (counts.get(endpoint) ?? 0) + 1
    counts.set(endpoint, n)
    // With the public API off the container answers before the application: no fault plays.
    const apiOff = !settings.publicApi && isPublicApiPath(parsedUrl.pathname)
    const fault =
      endpoint === 'unknown' || apiOff ? undefined : faultFor(settings.faults, endpoint, n)
    requests.push({
      n,
      endpoint,
      method,
      url: request.url ?? '',
      headers: { ...request.headers },
      body: body ?? '',
      ...(bytes === undefined ? {} : { bodyBytes: bytes.length }),
      ...(fault === undefined ? {} : { fault: fault.type }),
    })
    const tell = (outcome: Pick<RequestEvent, 'status'> | Pick<RequestEvent, 'fault'>): void => {
      const shown =
        options.requestBodies !== true || bytes === undefined
          ? {}
          : { bodyBytes: bytes.length, ...(chunk ? {} : { body: body ?? '' }) }
      options.onRequest?.({ method, path: parsedUrl.pathname, endpoint, n, ...outcome, ...shown })
    }
    const answer = (result: SimResponse): void => {
      tell({ status: result.status })
      send(response, result)
    }
    if (body === undefined || bytes === undefined) {
      answer(errorJson(413, 'Payload Too Large'))
      return
    }
    if (apiOff) {
      answer(containerNotFound())
      return
    }
    const produce = (): SimResponse => {
      const before = context.jobs.jobs.length
      const result = handle(context, { request, url: parsedUrl, body, bytes, match })
      for (const job of context.jobs.jobs.slice(before)) job.startRequest = n
      return result
    }
    if (fault === undefined || endpoint === 'unknown') {
      answer(produce())
      return
    }
    const problem = faultProblem(endpoint, fault)
    if (problem !== undefined) {
      answer(errorJson(500, `Simulator fault plan: ${problem}.`))
      return
    }
    tell({ fault })
    play(fault, { request, response, match, path: parsedUrl.pathname, produce })
  }

  interface Exchange {
    request: IncomingMessage
    response: ServerResponse
    match: RouteMatch
    path: string
    produce: () => SimResponse
  }

  /** Processes the request; `job` is the job it created, if any. */
  function produceStart(produce: () => SimResponse): {
    answer: SimResponse
    job: SimJob | undefined
  } {
    const before = context.jobs.jobs.length
    const answer = produce()
    return { answer, job: context.jobs.jobs[before] }
  }

  /** Every fault kind is applied here, and only here. */
  function play(fault: Fault, { request, response, match, path, produce }: Exchange): void {
    switch (fault.type) {
      case 'http': {
        const title = `${fault.status} ${STATUS_CODES[fault.status] ?? 'Error'}`
        const answer =
          fault.html === true ? html(fault.status, title) : errorJson(fault.status, title)
        if (fault.retryAfter !== undefined) answer.headers['Retry-After'] = fault.retryAfter
        send(response, answer)
        return
      }
      case 'reset-before':
        response.socket?.destroy()
        return
      case 'redirect':
        send(response, {
          status: fault.status ?? 307,
          headers: { Location: fault.location },
          body: '',
        })
        return
      case 'busy': {
        if (fault.withJob !== true) {
          send(response, json(200, BUSY_ANSWER))
          return
        }
        const { answer, job } = produceStart(produce)
        send(response, job === undefined ? answer : json(200, { ...BUSY_ANSWER, JobId: job.id }))
        return
      }
      case 'created': {
        const { answer, job } = produceStart(produce)
        send(response, job === undefined ? answer : { ...answer, status: fault.status })
        return
      }
      case 'braced-id': {
        const { answer, job } = produceStart(produce)
        send(
          response,
          job === undefined
            ? answer
            : json(200, { JobId: `{${job.id}}`, StatusCode: job.status, Message: job.message }),
        )
        return
      }
      case 'json-404':
        send(response, fault.style === 'spring' ? springNotFound(path, clock()) : gatewayNotFound())
        return
      case 'other-job':
        send(response, json(200, context.jobs.otherFinished(requestedJobId(match))))
        return
      case 'upstream-reset':
        produce()
        send(response, text(503, UPSTREAM_RESET_TEXT))
        return
      case 'no-upstream': {
        const answer = text(503, NO_UPSTREAM_TEXT)
        answer.headers['Retry-After'] = fault.retryAfter ?? '1'
        send(response, answer)
        return
      }
      case 'not-found':
        send(response, unknownJob(settings, requestedJobId(match)))
        return
      case 'echo':
        send(response, text(fault.status ?? 500, echoText(request)))
        return
      case 'reset-after':
        produce()
        response.socket?.destroy()
        return
      case 'slow': {
        const answer = produce()
        const timer = setTimeout(() => {
          timers.delete(timer)
          send(response, answer)
        }, fault.ms)
        timers.add(timer)
        return
      }
      case 'truncated': {
        const answer = produce()
        send(response, {
          ...answer,
          status: 200,
          body: answer.body.slice(0, Math.floor(answer.body.length / 2)),
        })
        return
      }
      case 'trickle':
        trickle(response, produce(), fault.intervalMs ?? DEFAULT_TRICKLE_INTERVAL_MS, timers)
        return
      case 'oversize':
        oversize(response, produce(), fault.bytes)
        return
    }
  }

  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    serve(request, response).catch((error: unknown) => {
      // A client that hangs up mid-body lands here too; a 500 is for simulator bugs.
      if (response.headersSent || request.destroyed) response.socket?.destroy()
      else send(response, errorJson(500, `Simulator error: ${String(error)}`))
    })
  }
  const server =
    options.tls === undefined
      ? createServer(listener)
      : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener)
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })

  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  url = `${options.tls === undefined ? 'http' : 'https'}://${urlHost(host)}:${port}`

  return {
    url,
    port,
    requests,
    jobs: context.jobs.jobs,
    libraryStore: context.libraryStore,
    update(changes: SimulatorUpdate): void {
      const next: Settings = { ...settings }
      for (const key of Object.keys(changes) as (keyof SimulatorUpdate)[]) {
        if (changes[key] !== undefined) Object.assign(next, { [key]: changes[key] })
      }
      validateSettings(next)
      Object.assign(settings, next)
    },
    close(): Promise<void> {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      const closed = new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error === undefined) resolve()
          else reject(error)
        })
      })
      for (const socket of sockets) socket.destroy()
      return closed
    },
  }
}

function send(response: ServerResponse, answer: SimResponse): void {
  if (response.headersSent || response.destroyed) return
  response.writeHead(answer.status, {
    ...answer.headers,
    'Content-Length': Buffer.byteLength(answer.body),
  })
  response.end(answer.body)
}

function validateSettings(settings: Settings): void {
  const lifetime = settings.tokenLifetimeSeconds
  if (!Number.isFinite(lifetime) || lifetime < 0) {
    throw new RangeError(`tokenLifetimeSeconds ${lifetime} is not a number of seconds.`)
  }
  validateFaults(settings.faults)
}

/** A wildcard address is not somewhere a client can go; loopback is. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}
