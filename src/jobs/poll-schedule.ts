/** What a schedule knows about a job when it picks the pause before the next check. */
export interface PollState {
  /** Time since the job started (or since the action began following it). */
  ageMs: number
  /** Its last status. */
  statusCode: string
  /** Status checks answered so far. */
  checks: number
}

/** When to check a running job again. The loop never waits less than its floor, whatever this says. */
export interface PollSchedule {
  pauseBefore(next: PollState): number
}

/** The figures of the default schedule: the README's "How often the action checks" shows them. */
export const ADAPTIVE = {
  /** The first check, and the shortest pause: most refresh jobs take seconds to a few minutes. */
  firstMs: 750,
  /** Each pause grows by this share of the job's age: a job that ran long will likely run longer. */
  growth: 0.06,
  /** A queued job waits for a free slot, not for its own work: it is checked this much less often. */
  queuedFactor: 1.5,
} as const

/**
 * The default: quick checks while a job is young, then pauses that grow with its age up to
 * `poll-interval`. A job that ends at any moment is noticed within 0.75 s plus 6% of its age;
 * a job of an hour costs a few hundred checks, not thousands.
 */
export function adaptiveSchedule(pollIntervalMs: number): PollSchedule {
  return {
    pauseBefore: ({ ageMs, statusCode }) => {
      const pause = ADAPTIVE.firstMs + ADAPTIVE.growth * ageMs
      const factor = statusCode === 'Queued' ? ADAPTIVE.queuedFactor : 1
      return Math.round(Math.min(pollIntervalMs, pause * factor))
    },
  }
}
