import type { JobSpec } from '../settings/index.js'
import { shown } from '../spotfire/text.js'

/** A job's source in a sentence: "library job '/Jobs/Refresh sales'". */
export function describeJob(job: JobSpec): string {
  switch (job.kind) {
    case 'library-path':
      return `library job '${shown(job.path, 200)}'`
    case 'library-id':
      return `library job ${job.id}`
    case 'xml':
      return job.file === undefined
        ? 'the inline job (job-xml)'
        : `the job in '${shown(job.file, 200)}'`
    case 'job-id':
      return `job ${job.jobId}`
  }
}

/** A job's source in a word, for log prefixes, tables and JSON: "/Jobs/Refresh sales". */
export function shortLabel(job: JobSpec): string {
  switch (job.kind) {
    case 'library-path':
      return shown(job.path, 200)
    case 'library-id':
      return `library id ${job.id}`
    case 'xml':
      return job.file === undefined ? 'job-xml' : shown(job.file, 200)
    case 'job-id':
      return `job ${job.jobId}`
  }
}
