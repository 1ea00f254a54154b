import { LIBRARY_READ_SCOPE, LIBRARY_WRITE_SCOPE } from '../spotfire/library.js'
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
  /**
   * The ledger, one key per job (`job_0`, `job_1`, ...): what the post step needs of a job whose
   * start went out and that is not settled; empty once nothing is left to do.
   */
  JobPrefix: 'job_',
} as const

/**
 * The most the step runs past its timeout: the check at the deadline and the aborts (their tokens
 * included) of every job, together, or the answer to an upload's last request. Whatever
 * request-timeout is.
 */
export const CLEANUP_BUDGET_MS = 10_000

/** The scope a step that runs jobs asks for when the scope input is empty. */
export const DEFAULT_SCOPE = EXECUTE_SCOPE

/** The scopes a step that uploads to the library needs besides: look items up, create folders and upload. */
export const LIBRARY_SCOPES = [LIBRARY_READ_SCOPE, LIBRARY_WRITE_SCOPE] as const
