const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const

/**
 * Parses `90` (seconds), `90s`, `15m`, `1h30m`, `500ms`. Returns milliseconds, or undefined when the
 * text is not a positive duration.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase()
  if (/^\d+$/.test(trimmed)) return positive(Number(trimmed) * 1000)
  const match = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(trimmed)
  if (!match || trimmed === '') return undefined
  const [, h, m, s, ms] = match
  return positive(
    Number(h ?? 0) * UNIT_MS.h +
      Number(m ?? 0) * UNIT_MS.m +
      Number(s ?? 0) * UNIT_MS.s +
      Number(ms ?? 0),
  )
}

/** Node's timers take at most 2^31-1 ms (about 24 days); longer ones would fire at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1

function positive(ms: number): number | undefined {
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined
}

/** `95500` -> `1m35.5s`: short and exact enough for logs. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 100) / 10)
  const h = Math.floor(totalSeconds / 3600)
  const m = Math.floor((totalSeconds % 3600) / 60)
  const s = Math.round((totalSeconds % 60) * 10) / 10
  if (h > 0) return `${h}h${m}m${Math.floor(s)}s`
  if (m > 0) return `${m}m${s}s`
  return `${s}s`
}
