/**
 * What the Spotfire client needs from its surroundings. Declared here, so that this folder depends
 * on nothing outside it: the action, the CLI and the tests each pass their own.
 */

/** Time as the client, the loop and retries see it; tests replace it so that no test sleeps. */
export interface Clock {
  now(): number
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
