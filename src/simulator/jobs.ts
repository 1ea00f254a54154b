import { randomUUID } from 'node:crypto'
import type { JobSource, Lifecycle, SimJob } from './types.js'

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000'

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isGuid(text: string): boolean {
  return GUID.test(text)
}

/** The response body of every job call. */
export interface JobAnswer {
  JobId: string
  StatusCode: string
  Message: string
}

interface JobState {
  job: SimJob
  lifecycle: Lifecycle
  phaseIndex: number
  phaseStartedAt: number
  pollsInPhase: number
  done: boolean
  /** Queued for a free job slot: its lifecycle has not begun. */
  waiting: boolean
}

export interface JobStoreOptions {
  /** At most this many jobs run at once; the others wait as Queued, first come first served. */
  jobSlots?: number
}

/**
 * Jobs move through their lifecycle lazily: time-based phase ends are worked out when a request
 * for the job arrives, so no timers run and an injected clock fully controls the progression.
 */
export class JobStore {
  readonly jobs: SimJob[] = []
  private readonly states = new Map<string, JobState>()

  /** A job that finished before the simulator started: known to status and abort, not in `jobs`. */
  private readonly earlier: JobState

  constructor(
    private readonly clock: () => number,
    private readonly options: JobStoreOptions = {},
  ) {
    const now = clock()
    const job: SimJob = {
      id: randomUUID(),
      source: { kind: 'library', path: '/Jobs/Yesterday' },
      status: '',
      message: '',
      statusPolls: 0,
      abortReasons: [],
      history: [],
      createdAt: now - 86_400_000,
    }
    this.earlier = {
      job,
      lifecycle: { phases: [], final: { status: 'Finished', message: '' } },
      phaseIndex: 0,
      phaseStartedAt: 0,
      pollsInPhase: 0,
      done: false,
      waiting: false,
    }
    enterPhase(this.earlier, 0, now - 86_000_000)
    this.states.set(job.id, this.earlier)
  }

  create(source: JobSource, lifecycle: Lifecycle): JobAnswer {
    const now = this.clock()
    const job: SimJob = {
      id: randomUUID(),
      source,
      status: '',
      message: '',
      statusPolls: 0,
      abortReasons: [],
      history: [],
      createdAt: now,
    }
    const state: JobState = {
      job,
      lifecycle,
      phaseIndex: 0,
      phaseStartedAt: 0,
      pollsInPhase: 0,
      done: false,
      waiting: false,
    }
    this.settle(now)
    const full = this.running().length >= (this.options.jobSlots ?? Infinity)
    this.jobs.push(job)
    this.states.set(job.id, state)
    if (full) {
      state.waiting = true
      setStatus(job, 'Queued', '')
      return answer(state)
    }
    enterPhase(state, 0, now)
    advance(state, now)
    return answer(state)
  }

  /**
   * Counts a poll of the current phase; the answer is the status the poll was counted in, so a
   * phase with `polls: 2` is seen by exactly two status requests. Undefined: unknown job.
   */
  status(id: string): JobAnswer | undefined {
    const state = this.states.get(id.toLowerCase())
    if (state === undefined) return undefined
    const now = this.clock()
    this.settle(now)
    advance(state, now)
    state.job.statusPolls++
    if (vanished(state)) return undefined
    const result = answer(state)
    if (!state.done) {
      state.pollsInPhase++
      advance(state, now)
    }
    return result
  }

  /**
   * The answer of a Finished job other than `id`, unchanged by the asking: the latest such job
   * created here, or else the one that finished before the simulator started.
   */
  otherFinished(id: string): JobAnswer {
    const asked = id.toLowerCase()
    const other = this.jobs.findLast((job) => job.id !== asked && job.status === 'Finished')
    const state = (other === undefined ? undefined : this.states.get(other.id)) ?? this.earlier
    return answer(state)
  }

  /** Cancels a running job; a finished one keeps its status. Undefined: unknown job. */
  abort(id: string, reason: string): JobAnswer | undefined {
    const state = this.states.get(id.toLowerCase())
    if (state === undefined) return undefined
    const now = this.clock()
    this.settle(now)
    advance(state, now)
    state.job.abortReasons.push(reason)
    if (vanished(state)) return undefined
    if (!state.done) {
      state.waiting = false
      finish(state, 'Canceled', reason === '' ? 'Aborted.' : `Aborted: ${reason}`, now)
      this.settle(now)
    }
    return answer(state)
  }

  private running(): JobState[] {
    return this.jobs.flatMap((job) => {
      const state = this.states.get(job.id)
      return state !== undefined && !state.done && !state.waiting ? [state] : []
    })
  }

  /**
   * Brings every job up to `now` and hands freed slots to waiting jobs, oldest first; a job gets
   * its slot when the job before it ended (lazily worked out, like the phases), so its own
   * phases run their full length from there.
   */
  private settle(now: number): void {
    const slots = this.options.jobSlots
    if (slots === undefined) return
    for (;;) {
      const freedAt: number[] = []
      for (const state of this.running()) {
        advance(state, now)
        if (state.done) freedAt.push(state.job.endedAt ?? now)
      }
      freedAt.sort((a, b) => a - b)
      const waiting = this.jobs.flatMap((job) => {
        const state = this.states.get(job.id)
        return state?.waiting === true && !state.done ? [state] : []
      })
      let free = slots - this.running().length
      let admitted = false
      for (const state of waiting) {
        if (free <= 0) break
        free--
        state.waiting = false
        enterPhase(state, 0, Math.max(state.job.createdAt, freedAt.shift() ?? now))
        admitted = true
      }
      if (!admitted) return
    }
  }
}

function advance(state: JobState, now: number): void {
  while (!state.done && !state.waiting) {
    const phase = state.lifecycle.phases[state.phaseIndex]
    if (phase === undefined) return
    let endedAt: number
    if (phase.ms !== undefined && now >= state.phaseStartedAt + phase.ms) {
      // Phases that ran out between two requests end back to back, at their scheduled times.
      endedAt = state.phaseStartedAt + phase.ms
    } else if (phase.polls !== undefined && state.pollsInPhase >= phase.polls) {
      endedAt = now
    } else {
      return
    }
    enterPhase(state, state.phaseIndex + 1, endedAt)
  }
}

function enterPhase(state: JobState, index: number, at: number): void {
  state.phaseIndex = index
  state.phaseStartedAt = at
  state.pollsInPhase = 0
  const phase = state.lifecycle.phases[index]
  if (phase === undefined) {
    const { status, message } = state.lifecycle.final
    finish(state, status, message ?? '', at)
  } else {
    setStatus(state.job, phase.status, '')
  }
}

function finish(state: JobState, status: string, message: string, at: number): void {
  state.done = true
  state.job.endedAt = at
  setStatus(state.job, status, message)
}

function setStatus(job: SimJob, status: string, message: string): void {
  if (job.history.at(-1) !== status) job.history.push(status)
  job.status = status
  job.message = message
}

function vanished(state: JobState): boolean {
  return state.done && state.job.status === 'Missing'
}

function answer(state: JobState): JobAnswer {
  return { JobId: state.job.id, StatusCode: state.job.status, Message: state.job.message }
}
