/** What the client and the loop may say; the action maps it to @actions/core, the CLI to stderr. */
export interface Logger {
  debug: (message: string) => void
  info: (message: string) => void
  warning: (message: string) => void
}

export const silentLogger: Logger = { debug() {}, info() {}, warning() {} }
