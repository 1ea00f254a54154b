/** What a schedule knows about a job when it picks the pause before the next check. */
export interface PollState {
  /** Time since the job started. */
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

/** 1 s, 2 s, 4 s ... up to the poll interval. */
export function doublingSchedule(pollIntervalMs: number): PollSchedule {
  return {
    pauseBefore: ({ checks }) => Math.min(pollIntervalMs, 1000 * 2 ** Math.min(checks, 20)),
  }
}
