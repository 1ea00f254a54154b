/**
 * Text from outside (the server's answers, files) shown to people: one line, no control
 * characters, bounded. Where it goes (log, annotation, summary) may add its own escaping on top.
 */

/** Line breaks as the runner and terminals see them: each would start a new log line. */
const LINE_BREAKS = /\r\n|[\r\n\u0085\u2028\u2029]/g
/** C0 and C1 controls (tab aside), DEL, and the bidirectional overrides that reorder shown text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/** One line: breaks become a visible ⏎, controls a visible \uXXXX escape. */
export function oneLine(text: string): string {
  return text
    .replace(LINE_BREAKS, ' ⏎ ')
    .replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** Several lines kept as lines (breaks made \n), controls made visible as in oneLine. */
export function lines(text: string): string {
  return text
    .replace(LINE_BREAKS, '\n')
    .replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** At most `max` characters, with a marker that says how much was cut. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text
  const kept = head(text, max)
  return `${kept}… [${text.length - kept.length} characters cut]`
}

/** At most the first `max` UTF-16 units, without splitting a character made of two of them. */
export function head(text: string, max: number): string {
  const kept = text.slice(0, Math.max(0, max))
  return /[\ud800-\udbff]$/.test(kept) ? kept.slice(0, -1) : kept
}

/** Outside text for a log line or an error message: one line, at most `max` characters. */
export function shown(text: string, max = 500): string {
  return oneLine(cut(text, max))
}
