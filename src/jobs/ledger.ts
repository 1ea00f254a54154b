import type { AbortWhy } from './outcome.js'

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

/** The ledger of one run; `save` gets the entries worth keeping after every change. */
export class Ledger {
  private readonly entries: LedgerEntry[]

  constructor(
    sources: readonly string[],
    private readonly save: (entries: LedgerEntry[]) => void = () => undefined,
  ) {
    this.entries = sources.map((source) => ({ source, settled: false }))
  }

  /** The handle one job uses to record its own progress. */
  job(index: number): JobLedger {
    const update = (change: (entry: LedgerEntry) => void): void => {
      const entry = this.entries[index]
      if (entry === undefined) return
      change(entry)
      this.save(this.entries.filter((e) => e.startSentAt !== undefined || e.jobId !== undefined))
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

/** The saved ledger, read back by the post step; entries it cannot read are left out. */
export function parseLedger(text: string): LedgerEntry[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return []
  }
  if (!Array.isArray(value)) return []
  return value.flatMap((item: unknown): LedgerEntry[] => {
    if (typeof item !== 'object' || item === null) return []
    const { source, startSentAt, jobId, settled, pendingAbort } = item as Record<string, unknown>
    return [
      {
        source: typeof source === 'string' ? source : '',
        settled: settled === true,
        ...(typeof startSentAt === 'number' ? { startSentAt } : {}),
        ...(typeof jobId === 'string' && jobId !== '' ? { jobId } : {}),
        ...(typeof pendingAbort === 'string' && WHYS.includes(pendingAbort)
          ? { pendingAbort: pendingAbort as AbortWhy }
          : {}),
      },
    ]
  })
}
