import type { AbortWhy } from './outcome.js'
import { State } from '../shared/constants.js'
import { cut, oneLine, shown } from '../spotfire/text.js'

/**
 * What the post step needs to know of each job, saved with every change: a job whose start went
 * out, its id once known, and whether anything is left to do about it.
 */
export interface LedgerEntry {
  /** The job's short source, for the post step's messages. */
  source: string
  /** When the start request went out (ms since epoch); cleared when the server did not accept it. */
  startSentAt?: number
  jobId?: string
  /** Nothing left for the post step: the job ended, was aborted, or was left running on purpose. */
  settled: boolean
  /** The main step's abort failed: the post step tries again whatever abort-on-cancel says. */
  pendingAbort?: AbortWhy
}

/** One job's entry as it just changed, and its place in the input order. */
export interface LedgerChange {
  index: number
  entry: LedgerEntry
}

/**
 * The ledger of one run; `save` gets the entries worth keeping after every change, and the one
 * that changed (the action saves that one alone: see savedEntry).
 */
export class Ledger {
  private readonly entries: LedgerEntry[]

  constructor(
    sources: readonly string[],
    private readonly save: (entries: LedgerEntry[], change: LedgerChange) => void = () => undefined,
  ) {
    this.entries = sources.map((source) => ({ source, settled: false }))
  }

  /** The handle one job uses to record its own progress. */
  job(index: number): JobLedger {
    const update = (change: (entry: LedgerEntry) => void): void => {
      const entry = this.entries[index]
      if (entry === undefined) return
      change(entry)
      this.save(
        this.entries.filter((e) => e.startSentAt !== undefined || e.jobId !== undefined),
        { index, entry },
      )
    }
    return {
      sending: (at) => {
        update((e) => {
          e.startSentAt = at
        })
      },
      notAccepted: () => {
        update((e) => {
          delete e.startSentAt
        })
      },
      known: (jobId) => {
        update((e) => {
          e.jobId = jobId
        })
      },
      settled: () => {
        update((e) => {
          e.settled = true
          delete e.pendingAbort
        })
      },
      abortFailed: (why) => {
        update((e) => {
          e.pendingAbort = why
        })
      },
    }
  }
}

export interface JobLedger {
  /** The start request is about to go out. */
  sending(at: number): void
  /** The server did not accept that start (it will be sent again, or not at all). */
  notAccepted(): void
  /** The job's id: a job to see to the end or abort. */
  known(jobId: string): void
  settled(): void
  abortFailed(why: AbortWhy): void
}

const WHYS: readonly string[] = ['timeout', 'cancelled', 'fail-fast', 'internal-error', 'gave-up']

/** The most of a job's source kept in its saved entry: enough to find it, bounded whatever it is. */
export const SAVED_SOURCE_LENGTH = 80

/** The saved-state key of the job at `index`: one key per job, so a change rewrites one entry. */
export function ledgerKey(index: number): string {
  return `${State.JobPrefix}${String(index)}`
}

/**
 * What the post step needs of one job, as saved state: '' when nothing is left to do (never
 * started, not accepted, or settled). The source and the start time only while the id is unknown
 * (the post step's warning names them); then the id, and a failed abort. A few hundred bytes at
 * most, whatever the job.
 */
export function savedEntry(entry: LedgerEntry): string {
  if (entry.settled) return ''
  if (entry.jobId !== undefined) {
    return JSON.stringify({
      jobId: entry.jobId,
      ...(entry.pendingAbort === undefined ? {} : { pendingAbort: entry.pendingAbort }),
    })
  }
  if (entry.startSentAt === undefined) return ''
  return JSON.stringify({
    source: cut(entry.source, SAVED_SOURCE_LENGTH),
    startSentAt: entry.startSentAt,
  })
}

/** The saved ledger as the post step reads it back, and what it could not read, in words. */
export interface ReadLedger {
  entries: LedgerEntry[]
  problems: string[]
}

/** A job id the post step may put into a URL and a log line: what parseJobStatus would take. */
function usableId(id: unknown): id is string {
  return typeof id === 'string' && id.trim() !== '' && id.length <= 200 && oneLine(id) === id
}
/** The times a Date can show: ±8.64e15 ms around 1970. */
const MAX_TIME = 8.64e15

/**
 * The saved entries by key (ledgerKey), in job order. A value it cannot read (truncated, not JSON,
 * edited by hand) is named in `problems` and left out; one bad entry never hides the others.
 */
export function readLedger(saved: Readonly<Record<string, string>>): ReadLedger {
  const entries: LedgerEntry[] = []
  const problems: string[] = []
  const keys = Object.keys(saved)
    .filter((key) => key.startsWith(State.JobPrefix))
    .sort((a, b) => indexOf(a) - indexOf(b))
  for (const key of keys) {
    const text = saved[key] ?? ''
    if (text.trim() === '') continue
    const read = readEntry(text)
    if (typeof read === 'string') problems.push(`${key} ${read}: '${shown(text, 100)}'`)
    else {
      entries.push(read.entry)
      if (read.problem !== undefined) problems.push(`${key} ${read.problem}`)
    }
  }
  return { entries, problems }
}

function indexOf(key: string): number {
  const n = Number(key.slice(State.JobPrefix.length))
  return Number.isSafeInteger(n) ? n : Number.MAX_SAFE_INTEGER
}

/** One saved entry, with what was wrong with a part of it; or why none of it is usable. */
function readEntry(text: string): { entry: LedgerEntry; problem?: string } | string {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return 'is not JSON (cut short, or edited?)'
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'is not an object with a jobId or a startSentAt'
  }
  const { source, startSentAt, jobId, pendingAbort } = value as Record<string, unknown>
  const why =
    typeof pendingAbort === 'string' && WHYS.includes(pendingAbort)
      ? { pendingAbort: pendingAbort as AbortWhy }
      : {}
  if (jobId !== undefined) {
    if (!usableId(jobId)) return 'has no usable jobId'
    return {
      entry: { source: typeof source === 'string' ? source : '', jobId, settled: false, ...why },
    }
  }
  const shownSource = typeof source === 'string' ? source : 'a job'
  if (
    typeof startSentAt === 'number' &&
    Number.isFinite(startSentAt) &&
    Math.abs(startSentAt) <= MAX_TIME
  ) {
    return { entry: { source: shownSource, startSentAt, settled: false } }
  }
  if (startSentAt === undefined) return 'has neither a jobId nor a startSentAt'
  // The start went out: still worth the warning, without a time it cannot show.
  return {
    entry: { source: shownSource, startSentAt: Number.NaN, settled: false },
    problem: `has a startSentAt that is no time: '${shown(JSON.stringify(startSentAt), 40)}'`,
  }
}
