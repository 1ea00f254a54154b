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

/** `3100` -> `3.1 s`, `95500` -> `1 min 36 s`, `3723000` -> `1 h 2 min`: what a reader wants to know. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000
  if (seconds < 59.95) return `${Math.round(seconds * 10) / 10} s`
  const totalSeconds = Math.round(seconds)
  const h = Math.floor(totalSeconds / 3600)
  const m = Math.floor((totalSeconds % 3600) / 60)
  const s = totalSeconds % 60
  if (h > 0) return m === 0 ? `${h} h` : `${h} h ${m} min`
  return s === 0 ? `${m} min` : `${m} min ${s} s`
}
