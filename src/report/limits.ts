/** How much of a server's message each place shows; every cut is marked. */
export const LIMITS = {
  /** The message output: data for the next step, so generous. */
  messageOutput: 10_000,
  /** Each job's message in the jobs output. */
  jobsOutputMessage: 2_000,
  /** A message inside a log line or an annotation. */
  inline: 1_000,
  /** A whole annotation. */
  annotation: 16_000,
  /** A message in a summary table cell; a longer one is folded below the table. */
  cell: 160,
  /** The folded message of one job in the summary. */
  folded: 10_000,
  /** GitHub refuses a step summary over 1 MiB: stay well under it. */
  summaryBytes: 900 * 1024,
} as const
