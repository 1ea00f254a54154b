import type { Fault, FaultPlan, FaultPlanFn } from './faults.js'
import type { LibraryStore } from './library-store.js'

export type Endpoint =
  | 'token'
  | 'metadata'
  | 'start-library'
  | 'start-content'
  | 'status'
  | 'abort'
  /** Library REST API v2: GET /items, POST /items (a folder), POST /upload, POST /upload/{jobId}. */
  | 'library-items'
  | 'library-folder'
  | 'upload-begin'
  | 'upload-chunk'

export interface SimClient {
  id: string
  secret: string
  /** Which client authentication the registration allows. */
  authMethod: 'basic' | 'post' | 'any'
  /** Scopes this client may get. */
  scopes: string[]
}

/**
 * A phase ends when its job has answered `polls` status requests in that phase, or when `ms` have
 * passed since the phase began (whichever is set/first); with neither, the phase never ends.
 */
export interface Phase {
  status: string
  polls?: number
  ms?: number
}

export interface Lifecycle {
  phases: Phase[]
  /** 'Finished' | 'Failed' | 'Canceled' | 'Missing' (the job vanishes: answered as an unknown job). */
  final: { status: string; message?: string }
}

export interface LibraryItem {
  path: string
  id: string
  lifecycle: Lifecycle
}

export interface SimulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string
  /** Default 0 (a random free port). */
  port?: number
  /** PEM text: serve HTTPS. */
  tls?: { cert: string; key: string }
  clients?: SimClient[]
  /** `expires_in`, default 3600; tokens really expire (401 afterwards). */
  tokenLifetimeSeconds?: number
  /** Default: SAMPLE_LIBRARY. */
  library?: LibraryItem[]
  /** At most this many jobs run at once; later ones wait Queued for a free slot. Default: no limit. */
  jobSlots?: number
  /** Adds the request body to each onRequest event (for --log-bodies, which redacts it). */
  requestBodies?: boolean
  /** Lifecycle of start-content jobs; default time-based Queued 1 s, InProgress 2 s, Finished. */
  inlineLifecycle?: Lifecycle
  /** Default 'notset'. */
  unparseableJob?: 'http400' | 'notset'
  /** Default 'http404'. */
  unknownJob?: 'http404' | 'missing'
  /**
   * Default 'lenient': start-content takes application/xml or text/xml, parameters ignored.
   * 'exact': 415 unless Content-Type is exactly `application/xml`, as the community's mock server.
   */
  xmlContentType?: 'lenient' | 'exact'
  /**
   * Default true. False: every path under /spotfire/api/rest/ answers the servlet container's HTML
   * 404, before any token check and without faults, as when the server's public web services are
   * switched off (`config-web-service-api`). The token endpoint keeps working.
   */
  publicApi?: boolean
  faults?: FaultPlan | FaultPlanFn
  /**
   * What the Library REST API v2 holds at the start, besides the root folder: folders (type
   * 'spotfire.folder', no content) and files, with the folders above them made as needed.
   */
  libraryItems?: LibraryContentSeed[]
  /** Milliseconds; default Date.now. Drives time-based phases and token expiry. */
  clock?: () => number
  /** Called once per request, as soon as the simulator has decided how to answer it. */
  onRequest?: (event: RequestEvent) => void
}

export interface LibraryContentSeed {
  /** A library path: '/Sales/Weekly' (a title has no file extension). */
  path: string
  /** 'spotfire.folder', 'spotfire.dxp', 'spotfire.sbdf' or 'spotfire.mod'. */
  type: string
  content?: Uint8Array
}

/** What onRequest is told: nothing that could carry a secret (no headers, body or query). */
export interface RequestEvent {
  method: string
  /** The request path without its query string. */
  path: string
  endpoint: Endpoint | 'unknown'
  /** As RecordedRequest.n. */
  n: number
  /** The fault played, if any; otherwise `status` is the status answered. */
  fault?: Fault
  status?: number
  /**
   * Only with SimulatorOptions.requestBodies, and may carry secrets: the request body as text
   * (none for upload chunks), and its size in bytes.
   */
  body?: string
  bodyBytes?: number
}

export interface RecordedRequest {
  /** 1-based count on its endpoint, counted from the simulator's start. */
  n: number
  endpoint: Endpoint | 'unknown'
  method: string
  /** Path and query as received. */
  url: string
  headers: Record<string, string | string[] | undefined>
  /** As text; '' for an upload chunk, whose bytes go to the library store only. */
  body: string
  /** The body's size in bytes. */
  bodyBytes?: number
  fault?: Fault['type']
}

export type JobSource =
  { kind: 'library'; path?: string; id?: string } | { kind: 'content'; xml: string }

export interface SimJob {
  id: string
  /** For library jobs: the path and/or id exactly as the request named them. */
  source: JobSource
  /** Current StatusCode; time-based phases only move when a request for the job arrives. */
  status: string
  message: string
  /** Status requests answered for this job. */
  statusPolls: number
  /** Every abort request's reason, in order ('' when the request had none). */
  abortReasons: string[]
  /** Every status it has been in, in order. */
  history: string[]
  /** Clock time of its creation. */
  createdAt: number
  /** The start request that created it (RecordedRequest.n on its endpoint), to see what it met. */
  startRequest?: number
  /**
   * Clock time at which it reached a terminal status: when its last scheduled phase ended (or the
   * poll that ended it), or when it was aborted. Like `status`, set once a request sees it.
   */
  endedAt?: number
}

export type SimulatorUpdate = Partial<
  Pick<
    SimulatorOptions,
    | 'faults'
    | 'tokenLifetimeSeconds'
    | 'inlineLifecycle'
    | 'library'
    | 'unparseableJob'
    | 'unknownJob'
    | 'clients'
    | 'xmlContentType'
    | 'publicApi'
  >
>

export interface Simulator {
  /** E.g. 'http://127.0.0.1:43121': no trailing slash, no /spotfire. */
  readonly url: string
  readonly port: number
  readonly requests: RecordedRequest[]
  /** Every job ever created, in order. */
  readonly jobs: SimJob[]
  /** The Library REST API v2's items (content as bytes, or size and SHA-256 when large) and upload jobs. */
  readonly libraryStore: LibraryStore
  update(options: SimulatorUpdate): void
  /** Also destroys open (keep-alive) sockets. */
  close(): Promise<void>
}
