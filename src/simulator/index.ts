export { startSimulator, DEFAULT_CLIENT } from './server.js'
export { EXTRA_FAULT_KINDS, randomFaults } from './faults.js'
export type { ExtraFaultKind, Fault, FaultPlan, FaultPlanFn, RandomFaultOptions } from './faults.js'
export { SAMPLE_LIBRARY, DEFAULT_INLINE_LIFECYCLE } from './library.js'
export { ZERO_GUID } from './jobs.js'
export { EXECUTE_SCOPE } from './tokens.js'
export { JOB_NAMESPACE } from './inline-job.js'
export type {
  Endpoint,
  LibraryItem,
  Lifecycle,
  Phase,
  RecordedRequest,
  RequestEvent,
  SimClient,
  SimJob,
  Simulator,
  SimulatorOptions,
  SimulatorUpdate,
} from './types.js'
export {
  LibraryStore,
  KEEP_BYTES_UP_TO,
  FILE_TYPES,
  FOLDER_TYPE,
  ROOT_ID,
} from './library-store.js'
export type { StoredContent, StoredItem, UploadJob } from './library-store.js'
export { LIBRARY_READ_SCOPE, LIBRARY_WRITE_SCOPE } from './library-api.js'
export type { LibraryContentSeed } from './types.js'
