import { EXECUTE_SCOPE } from '../spotfire/token.js'

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
  JobId: 'job-id',
  Variables: 'variables',
  Wait: 'wait',
  Timeout: 'timeout',
  PollInterval: 'poll-interval',
  RequestTimeout: 'request-timeout',
  FailOnJobFailure: 'fail-on-job-failure',
  AbortOnTimeout: 'abort-on-timeout',
  AbortOnCancel: 'abort-on-cancel',
  CaCertificate: 'ca-certificate',
  MaxParallel: 'max-parallel',
  FailFast: 'fail-fast',
  DryRun: 'dry-run',
  LibraryUpload: 'library-upload',
  LibraryOverwrite: 'library-overwrite',
  JunitReport: 'junit-report',
} as const

export const Outputs = {
  JobId: 'job-id',
  Status: 'status',
  Message: 'message',
  DurationSeconds: 'duration-seconds',
  TimedOut: 'timed-out',
  Jobs: 'jobs',
  Uploads: 'uploads',
} as const

/** Saved with saveState so that the post step can abort jobs the main step left running. */
export const State = {
  /** The ledger: every job whose start went out, with its id and whether it is settled. */
  Jobs: 'jobs',
} as const

/** The scope a step that runs jobs asks for when the scope input is empty. */
export const DEFAULT_SCOPE = EXECUTE_SCOPE

/**
 * The scopes a step that uploads to the library needs besides: look items up, create folders and
 * upload. The same values as LIBRARY_READ_SCOPE and LIBRARY_WRITE_SCOPE of the library client.
 */
export const LIBRARY_SCOPES = ['api.library.read', 'api.library.write'] as const
