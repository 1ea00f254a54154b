/**
 * What the Spotfire client needs from its surroundings. Declared here, so that this folder depends
 * on nothing outside it: the action, the CLI and the tests each pass their own.
 */

/** Time as the client, the loop and retries see it; tests replace it so that no test sleeps. */
export interface Clock {
  /**
   * Monotonic milliseconds from an arbitrary origin: every deadline, pause, duration and token
   * lifetime. The wall clock may step (NTP, a resumed VM); this never does.
   */
  now(): number
  /**
   * Milliseconds since the epoch, by the wall clock: only for what people read (timestamps) and
   * for dates a server sends (an HTTP-date Retry-After). Never compared with `now()`.
   */
  wallNow(): number
  /** Resolves after `ms`, or early (without error) when `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** What the client may say; the action maps it to @actions/core, the CLI to stderr. */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warning(message: string): void
}

export const silentLogger: Logger = { debug() {}, info() {}, warning() {} }

/** How messages name the user's settings: as inputs on the runner, as flags on the command line. */
export interface Vocabulary {
  /** `ca-certificate` on the runner, `--ca-certificate` on the command line. */
  name(input: string): string
  /** A setting with its value: `wait: false` on the runner, `--wait false` on the command line. */
  setting(input: string, value: string): string
}

/** The action's words: its inputs, as a workflow sets them. */
export const inputWords: Vocabulary = {
  name: (input) => input,
  setting: (input, value) => `${input}: ${value}`,
}
