import type { HttpRequest } from '../../src/spotfire/http.js'
import type { FakeClock } from './fake-clock.js'
import { json, type Reply } from './fake-transport.js'

/** A library job of the virtual server: how long it runs and how it ends. */
export interface VirtualJobSpec {
  ms: number
  status?: string
  message?: string
}

interface VirtualJob {
  id: string
  path: string
  startedAt: number
  endsAt: number
  final: { status: string; message: string }
  aborted?: { at: number; reason: string }
}

/**
 * A Spotfire server in virtual time, for FakeTransport: library jobs run for their time and end as
 * told, aborts cancel them, and `override` plays a fault for any request. It records what ran when,
 * so tests can count jobs at once.
 */
export class VirtualServer {
  readonly jobs: VirtualJob[] = []
  readonly requests: { path: string; at: number }[] = []
  override: ((request: HttpRequest, path: string) => Reply | undefined) | undefined

  constructor(
    private readonly clock: FakeClock,
    private readonly library: Record<string, VirtualJobSpec>,
  ) {}

  readonly answer = (request: HttpRequest): Reply => {
    const url = new URL(request.url)
    const path = url.pathname.replace('/spotfire/api/rest/as', '')
    this.requests.push({ path, at: this.clock.now() })
    const overridden = this.override?.(request, path)
    if (overridden !== undefined) return overridden
    if (path === '/job/start-library') return this.start(url.searchParams.get('path') ?? '')
    const status = /^\/job\/status\/(.+)$/.exec(path)
    if (status?.[1] !== undefined) return this.status(status[1])
    const abort = /^\/job\/abort\/(.+)$/.exec(path)
    if (abort?.[1] !== undefined) return this.abort(abort[1], url.searchParams.get('reason') ?? '')
    return json(404, { error: 'no such path' })
  }

  /** The most jobs running at the same moment, by their start and end times. */
  maxAtOnce(): number {
    const edges = this.jobs.flatMap((job) => [
      { at: job.startedAt, delta: 1 },
      { at: this.endOf(job), delta: -1 },
    ])
    edges.sort((a, b) => a.at - b.at || a.delta - b.delta)
    let running = 0
    let most = 0
    for (const edge of edges) {
      running += edge.delta
      most = Math.max(most, running)
    }
    return most
  }

  statusOf(job: VirtualJob): string {
    if (job.aborted !== undefined && job.aborted.at < job.endsAt) return 'Canceled'
    return this.clock.now() >= job.endsAt ? job.final.status : 'InProgress'
  }

  private endOf(job: VirtualJob): number {
    return Math.min(job.endsAt, job.aborted?.at ?? Infinity)
  }

  private start(path: string): Reply {
    const spec = this.library[path]
    if (spec === undefined) {
      return json(200, {
        JobId: '00000000-0000-0000-0000-000000000000',
        StatusCode: 'Failed',
        Message: 'Job file not found or no access.',
      })
    }
    const now = this.clock.now()
    const job: VirtualJob = {
      id: `00000000-0000-4000-8000-${String(this.jobs.length + 1).padStart(12, '0')}`,
      path,
      startedAt: now,
      endsAt: now + spec.ms,
      final: { status: spec.status ?? 'Finished', message: spec.message ?? '' },
    }
    this.jobs.push(job)
    return this.answerFor(job)
  }

  private status(id: string): Reply {
    const job = this.jobs.find((j) => j.id === id)
    return job === undefined ? json(404, { error: 'not found' }) : this.answerFor(job)
  }

  private abort(id: string, reason: string): Reply {
    const job = this.jobs.find((j) => j.id === id)
    if (job === undefined) return json(404, { error: 'not found' })
    if (this.statusOf(job) === 'InProgress') job.aborted = { at: this.clock.now(), reason }
    return this.answerFor(job)
  }

  private answerFor(job: VirtualJob): Reply {
    const statusCode = this.statusOf(job)
    const message =
      statusCode === 'Canceled'
        ? 'Aborted.'
        : statusCode === job.final.status
          ? job.final.message
          : ''
    return json(200, { JobId: job.id, StatusCode: statusCode, Message: message })
  }
}
