import { DEFAULT_SCOPE } from '../../src/shared/constants.js'
import type { JobSpec, Settings } from '../../src/settings/index.js'

/** A step's settings as the inputs' defaults make them, for `jobs`, with `overrides` on top. */
export function settingsOf(jobs: JobSpec[], overrides: Partial<Settings> = {}): Settings {
  return {
    serverUrl: 'https://spotfire.example.com',
    clientId: 'id',
    clientSecret: 'secret',
    clientAuthMethod: 'basic',
    scope: DEFAULT_SCOPE,
    requestTimeoutMs: 30_000,
    abortOnCancel: true,
    jobs,
    wait: true,
    timeoutMs: 30 * 60_000,
    pollIntervalMs: 15_000,
    failOnJobFailure: true,
    abortOnTimeout: true,
    maxParallel: 4,
    failFast: false,
    uploads: [],
    libraryOverwrite: false,
    dryRun: false,
    warnings: [],
    ...overrides,
  }
}
