import type { Clock, Logger } from '../spotfire/types.js'

/** Smaller files go up in a moment: a line at the start and one at the end say enough. */
export const PROGRESS_MIN_BYTES = 4 * 1024 * 1024
/** Often enough to see it move, rarely enough that a 1 GiB file does not flood the log. */
export const PROGRESS_INTERVAL_MS = 5000

/** `512 B`, `1.5 KiB`, `12.3 MiB`, `1.02 GiB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`
}

/**
 * Progress lines for one large file: bytes sent, percentage and throughput, at most one per
 * interval by the clock, however many chunks go by.
 */
export class Progress {
  private startedAt: number
  private lastLineAt: number

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.startedAt = clock.now()
    this.lastLineAt = this.startedAt
  }

  /** The file starts again from its first byte (a new upload job). */
  restart(): void {
    this.startedAt = this.clock.now()
    this.lastLineAt = this.startedAt
  }

  /** `sent` bytes of the file have reached the server in this try. */
  sent(sent: number): void {
    if (this.total < PROGRESS_MIN_BYTES) return
    const now = this.clock.now()
    if (now - this.lastLineAt < PROGRESS_INTERVAL_MS || sent >= this.total) return
    this.lastLineAt = now
    const seconds = (now - this.startedAt) / 1000
    const rate = seconds > 0 ? `, ${formatSize(Math.round(sent / seconds))}/s` : ''
    this.logger.info(
      `${this.label}: ${formatSize(sent)} of ${formatSize(this.total)} sent (${Math.floor((sent / this.total) * 100)}%)${rate}`,
    )
  }
}
