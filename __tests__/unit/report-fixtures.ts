import type { JobResult, Outcome } from '../../src/jobs/outcome.js'
import type { JobSpec } from '../../src/settings/index.js'
import { JOB_ID } from './fixtures.js'

/** Helpers for the tests of what the action shows: results, and GitHub's rendering of markdown. */

export const FAILURE = "Task 1 'Export Data to File' failed with: No analysis loaded."

export const LIBRARY_JOB: JobSpec = { kind: 'library-path', path: '/Jobs/Refresh sales' }

/** Fields to change; `undefined` leaves a field out. */
export type Overrides = { [K in keyof JobResult]?: JobResult[K] | undefined }

/** A finished library job by default; each test says only what it changes. */
export function result(overrides: Overrides = {}): JobResult {
  const merged: Record<string, unknown> = {
    job: LIBRARY_JOB,
    jobId: JOB_ID,
    status: 'Finished',
    message: '',
    durationMs: 95_500,
    outcome: { kind: 'finished' },
    ...overrides,
  }
  for (const [key, value] of Object.entries(merged)) {
    if (value === undefined) Reflect.deleteProperty(merged, key)
  }
  return merged as unknown as JobResult
}

/** A job that failed with the server's message. */
export function failed(overrides: Overrides = {}): JobResult {
  return result({ status: 'Failed', message: FAILURE, outcome: { kind: 'failed' }, ...overrides })
}

/** One of each outcome, every variant included. */
export const EVERY_OUTCOME: readonly Outcome[] = [
  { kind: 'finished' },
  { kind: 'failed' },
  { kind: 'started' },
  { kind: 'timed-out' },
  { kind: 'cancelled', by: 'run' },
  { kind: 'cancelled', by: 'fail-fast' },
  { kind: 'gave-up' },
  { kind: 'not-started', refused: true, mayHaveStarted: false },
  { kind: 'not-started', refused: false, mayHaveStarted: true },
  { kind: 'not-started', refused: false, mayHaveStarted: false },
  { kind: 'skipped', because: 'timeout' },
  { kind: 'skipped', because: 'cancelled' },
  { kind: 'skipped', because: 'fail-fast' },
]

/** A plausible result for an outcome: what run-job gives for it. */
export function resultFor(outcome: Outcome): JobResult {
  switch (outcome.kind) {
    case 'finished':
      return result({ outcome })
    case 'failed':
      return failed({ outcome })
    case 'started':
      return result({ outcome, status: 'Queued', durationMs: undefined })
    case 'timed-out':
    case 'cancelled':
    case 'gave-up':
      return result({
        outcome,
        status: 'InProgress',
        ...(outcome.kind === 'gave-up' ? { problem: 'HTTP 503 Service Unavailable' } : {}),
      })
    case 'not-started':
      return {
        job: LIBRARY_JOB,
        message: '',
        outcome,
        problem: outcome.mayHaveStarted
          ? 'no answer within 30s'
          : 'HTTP 400 Bad Request: the job XML is not valid',
      }
    case 'skipped':
      return { job: LIBRARY_JOB, message: '', outcome }
  }
}

/**
 * Text that must stay text: markdown and HTML that would otherwise become links, images, emphasis
 * or tags, table pipes, backticks, line breaks and control characters.
 */
export const HOSTILE: readonly string[] = [
  '[click here](https://evil.example/phish)',
  '![tracker](https://evil.example/pixel.png)',
  '<img src=x onerror="alert(1)">',
  '<script>alert(document.cookie)</script>',
  '</pre><script>alert(1)</script><pre>',
  '</details><a href="https://evil.example">open</a><details>',
  '</code></td></tr></table><a href="https://evil.example">x</a>',
  '*em* _em_ **strong** __strong__ ~~struck~~',
  'a | b | c || d',
  'a\\|b \\\\|c',
  'back`tick ``double`` ```triple```',
  '`leading and trailing`',
  'https://evil.example/autolink and www.evil.example',
  '<https://evil.example/angle> and <mail@evil.example>',
  'first line\nsecond [x](https://evil.example)\r\nthird\rfourth\u2028fifth\u0085sixth',
  'ctrl \u0000\u0007\u001b[31mred\u001b[0m\u007f\u009b end',
  'bidi \u202eevil\u202c and \u2066isolate\u2069',
  '&lt;script&gt; &amp; &#60;img&#62; &copy;',
  'paragraph\n\n**after a blank line** [x](https://evil.example)\n\n<img src=x>',
  '- list\n# heading\n> quote\n---\n    indented code\n| x | y |',
  '\\',
  ' ',
  '[x]: https://evil.example/ref "title"\n[x]',
]

/** GitHub Flavored Markdown with HTML allowed, as the job summary is rendered. */
export async function renderGfm(markdown: string): Promise<string> {
  const { micromark } = await import('micromark')
  const { gfm, gfmHtml } = await import('micromark-extension-gfm')
  return micromark(markdown, {
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
    allowDangerousHtml: true,
  })
}

/** Tags that outside text must never produce. */
export const ACTIVE_TAGS = /<(a|img|em|strong|del|script|iframe|svg|h\d|li|blockquote|hr)\b/i

/** What a reader sees: the HTML's text, tags gone and entities decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/** The cells of each body row of the first table in the HTML. */
export function tableRows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? ''
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1] ?? ''),
  )
}
