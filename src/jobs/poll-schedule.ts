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
  /**
   * Each pause grows by this many ms per square root of the job's age in seconds. The square root
   * (not a share of the age) keeps the lag × requests product at or under a fixed-interval
   * poller's over job lengths from a second to ten minutes: see bench/schedule-model.ts.
   */
  msPerRootSecond: 100,
  /** A queued job waits for a free slot, not for its own work: it is checked this much less often. */
  queuedFactor: 1.5,
} as const

/**
 * The default: quick checks while a job is young, then pauses that grow with the square root of
 * its age, up to `poll-interval`: 0.75 s at the start, 1.07 s at 10 s, 1.52 s at 1 min, 3.2 s at
 * 10 min, 6.75 s at an hour.
 */
export function adaptiveSchedule(pollIntervalMs: number): PollSchedule {
  return {
    pauseBefore: ({ ageMs, statusCode }) => {
      const pause = ADAPTIVE.firstMs + ADAPTIVE.msPerRootSecond * Math.sqrt(ageMs / 1000)
      const factor = statusCode === 'Queued' ? ADAPTIVE.queuedFactor : 1
      return Math.round(Math.min(pollIntervalMs, pause * factor))
    },
  }
}
