import { resolve } from 'node:path'
import { Inputs } from '../shared/constants.js'
import { shown } from '../spotfire/text.js'
import { decodeText, FileProblem, formatBytes } from './files.js'
import { expandGlob, isGlob } from './glob.js'
import { checkJobXml, parseVariables, substituteVariables, type Variables } from './job-xml.js'
import type { Reader } from './reader.js'

/** One job of the step: started from the library or from XML, or an existing job to follow. */
export type JobSpec =
  | { kind: 'library-path'; path: string }
  | { kind: 'library-id'; id: string }
  /** `file` is where the XML came from; undefined for the job-xml input. */
  | { kind: 'xml'; xml: string; file?: string }
  | { kind: 'job-id'; jobId: string }

/** More would be a mistake (a glob that matched too much), and each job costs the server a slot. */
export const MAX_JOBS = 256
/** Job XML of a few KiB is usual; this leaves room for a job with embedded data. */
export const MAX_JOB_FILE_BYTES = 4 * 1024 * 1024
/** What all job files of one step may add up to: a few files with embedded data, not a data dump. */
export const MAX_JOB_FILES_TOTAL_BYTES = 32 * 1024 * 1024

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** The inputs that give jobs. */
export const SOURCE_INPUTS = [
  Inputs.LibraryPath,
  Inputs.LibraryId,
  Inputs.JobXml,
  Inputs.JobFile,
  Inputs.JobId,
] as const

/** Every job the inputs name, in input order: library paths, ids, job XML, files, job ids. */
export function parseJobSources(r: Reader): JobSpec[] {
  const { variables, errors } = parseVariables(r.raw(Inputs.Variables), r.name(Inputs.Variables))
  r.problems.push(...errors)
  const jobs: JobSpec[] = []
  for (const path of r.lines(Inputs.LibraryPath)) {
    if (!path.startsWith('/')) {
      r.problems.push(
        `Invalid ${r.name(Inputs.LibraryPath)} '${shown(path, 200)}'. Expected an absolute library path such as /Jobs/Refresh sales.`,
      )
    }
    jobs.push({ kind: 'library-path', path })
  }
  for (const id of r.lines(Inputs.LibraryId)) {
    checkGuid(r, Inputs.LibraryId, id, 'a library item GUID')
    jobs.push({ kind: 'library-id', id })
  }
  // Trimmed, as the runner trims inputs: the CLI's may start with a line break before <?xml.
  const jobXml = r.raw(Inputs.JobXml).trim()
  if (jobXml !== '') {
    const xml = prepareXml(r, r.name(Inputs.JobXml), jobXml, variables)
    if (xml !== undefined) jobs.push({ kind: 'xml', xml })
  }
  let total = 0
  for (const file of jobFiles(r, MAX_JOBS - jobs.length - r.lines(Inputs.JobId).length)) {
    const bytes = r.readFile(Inputs.JobFile, file, MAX_JOB_FILE_BYTES)
    if (bytes === undefined) continue
    total += bytes.length
    if (total > MAX_JOB_FILES_TOTAL_BYTES) {
      const most = formatBytes(MAX_JOB_FILES_TOTAL_BYTES)
      r.problems.push(
        `The job files add up to more than ${most}. Expected at most ${most} in one step: are these job files?`,
      )
      break
    }
    const where = `${r.name(Inputs.JobFile)} '${shown(file, 200)}'`
    const text = decode(r, where, bytes)
    const xml = text === undefined ? undefined : prepareXml(r, where, text, variables)
    if (xml !== undefined) jobs.push({ kind: 'xml', xml, file })
  }
  for (const jobId of r.lines(Inputs.JobId)) {
    checkGuid(r, Inputs.JobId, jobId, 'a job id')
    jobs.push({ kind: 'job-id', jobId })
  }
  checkTheList(r, jobs, variables)
  return jobs
}

/** The inputs read one job per line, where a line starting with # is a comment. */
const LINE_INPUTS = [Inputs.LibraryPath, Inputs.LibraryId, Inputs.JobFile, Inputs.JobId] as const

function checkTheList(r: Reader, jobs: JobSpec[], variables: Variables): void {
  const given = SOURCE_INPUTS.some((input) => r.raw(input).trim() !== '')
  // Every job commented out is a mistake, not a step with nothing to do.
  for (const input of LINE_INPUTS) {
    if (r.raw(input).trim() !== '' && r.lines(input).length === 0) {
      r.problems.push(
        `${r.name(input)} holds only comments and blank lines, so it names no job. Expected a job on a line that does not start with #, or no ${r.name(input)} at all.`,
      )
    }
  }
  // A step may only upload: then it has no job, and that is fine.
  if (!given && r.raw(Inputs.LibraryUpload).trim() === '') {
    r.problems.push(
      `Nothing to do: no job and no upload given. Expected ${SOURCE_INPUTS.slice(0, -1)
        .map((i) => r.name(i))
        .join(
          ', ',
        )} or ${r.name(Inputs.JobId)} for jobs, or ${r.name(Inputs.LibraryUpload)} for uploads.`,
    )
  }
  const xmlGiven = [Inputs.JobXml, Inputs.JobFile].some((input) => r.raw(input).trim() !== '')
  if (variables.size > 0 && given && !xmlGiven) {
    r.problems.push(
      `${r.name(Inputs.Variables)} applies only to ${r.name(Inputs.JobXml)} and ${r.name(Inputs.JobFile)}, not to library jobs or job ids.`,
    )
  }
  const seen = new Set<string>()
  for (const job of jobs) {
    const key = jobKey(job)
    if (key === undefined) continue
    // A file is the same file however its path is spelled (./jobs/a.xml, jobs/a.xml); a library
    // item and a running job are not the same job, whatever their GUIDs.
    const same =
      job.kind === 'xml'
        ? `file ${resolve(r.source.workspace, job.file ?? '')}`
        : `${job.kind} ${key}`
    if (seen.has(same)) {
      r.problems.push(`The job ${shown(key, 200)} is listed twice. Expected each job once.`)
    }
    seen.add(same)
  }
  if (jobs.length > MAX_JOBS) {
    r.problems.push(`${jobs.length} jobs given. Expected at most ${MAX_JOBS} in one step.`)
  }
}

function jobKey(job: JobSpec): string | undefined {
  switch (job.kind) {
    case 'library-path':
      return `'${job.path}'`
    case 'library-id':
      return job.id.toLowerCase()
    case 'xml':
      return job.file === undefined ? undefined : `in '${job.file}'`
    case 'job-id':
      return job.jobId.toLowerCase()
  }
}

/**
 * The job-file lines, with each pattern expanded in sorted order; a pattern must match. A pattern
 * that matches more files than `room` (the jobs the cap leaves) is reported as it expands, and
 * then no file is read at all.
 */
function jobFiles(r: Reader, room: number): string[] {
  const files: string[] = []
  for (const line of r.lines(Inputs.JobFile)) {
    if (!isGlob(line)) {
      files.push(line)
      continue
    }
    const left = Math.max(0, room - files.length)
    const matched = expandGlob(line, r.source.workspace, r.files, left)
    if (matched.length > left) {
      r.problems.push(
        `${r.name(Inputs.JobFile)} pattern '${shown(line, 200)}' matches more than ${String(left)} files. Expected at most ${String(MAX_JOBS)} jobs in one step.`,
      )
      return []
    }
    if (matched.length === 0) {
      r.problems.push(
        `${r.name(Inputs.JobFile)} pattern '${shown(line, 200)}' matches no file. Expected a pattern such as jobs/*.xml, relative to ${r.source.workspaceName ?? 'the workspace'}.`,
      )
    }
    files.push(...matched)
  }
  return files
}

function decode(r: Reader, where: string, bytes: Buffer): string | undefined {
  try {
    const { text, transcoded } = decodeText(bytes)
    // The server reads the UTF-8 we send by the declaration: it must not still say UTF-16.
    return transcoded
      ? text.replace(/^(\s*<\?xml[^>]*?encoding\s*=\s*["'])utf-16(?:le|be)?(["'])/i, '$1utf-8$2')
      : text
  } catch (error) {
    r.problems.push(
      `Cannot read ${where}: ${error instanceof FileProblem ? error.message : 'it cannot be decoded'}.`,
    )
    return undefined
  }
}

/** Variables substituted and the result checked; undefined after a problem. */
function prepareXml(
  r: Reader,
  where: string,
  text: string,
  variables: Variables,
): string | undefined {
  let xml: string | undefined
  r.guard(where, () => {
    const substituted = substituteVariables(text, variables, r.name(Inputs.Variables))
    r.problems.push(...substituted.errors.map((e) => `${where}: ${e}`))
    if (substituted.errors.length > 0) return
    const problem = checkJobXml(substituted.xml)
    if (problem === undefined) xml = substituted.xml
    else r.problems.push(`${where}: ${problem}`)
  })
  return xml
}

function checkGuid(r: Reader, input: string, value: string, what: string): void {
  if (!GUID.test(value)) {
    r.problems.push(
      `Invalid ${r.name(input)} '${shown(value, 80)}'. Expected ${what}, such as 7d5cf4e0-9106-4884-8fba-cc3065428382.`,
    )
  }
}
