/** Names of the action's inputs, outputs and saved state: the public contract, spelled once. */
export const Inputs = {
  ServerUrl: 'server-url',
  ClientId: 'client-id',
  ClientSecret: 'client-secret',
  ClientAuthMethod: 'client-auth-method',
  Scope: 'scope',
  LibraryPath: 'library-path',
  LibraryId: 'library-id',
  JobXml: 'job-xml',
  JobFile: 'job-file',
  Variables: 'variables',
  Wait: 'wait',
  Timeout: 'timeout',
  PollInterval: 'poll-interval',
  RequestTimeout: 'request-timeout',
  FailOnJobFailure: 'fail-on-job-failure',
  AbortOnTimeout: 'abort-on-timeout',
  AbortOnCancel: 'abort-on-cancel',
  CaCertificate: 'ca-certificate',
} as const

export const Outputs = {
  JobId: 'job-id',
  Status: 'status',
  Message: 'message',
  DurationSeconds: 'duration-seconds',
  TimedOut: 'timed-out',
} as const

/** Saved with saveState so that the post step can abort a job the main step left running. */
export const State = {
  JobId: 'job-id',
  Settled: 'settled',
  /** Why the main step's own abort failed: the post step tries again even with abort-on-cancel: false. */
  PendingAbort: 'pending-abort',
} as const

export const DEFAULT_SCOPE = 'api.rest.automation-services-job.execute'

/** Spotfire answers this id when no job was created (not found, not parsed, busy). */
export const ZERO_JOB_ID = '00000000-0000-0000-0000-000000000000'
