import { libraryItemUrl } from '../spotfire/links.js'
import { cut, shown } from '../spotfire/text.js'
import { formatSize } from '../uploads/progress.js'
import { uploadsSucceeded, type UploadOutcome, type UploadResult } from '../uploads/result.js'
import type { ReportCase } from './junit.js'
import { LIMITS } from './limits.js'
import { code, link } from './markdown.js'

/** What the reports say of uploads: the `uploads` output, the summary's table, the verdict. */

/** One upload as the `uploads` output and the CLI's JSON show it. */
export function uploadJson(result: UploadResult): Record<string, string | number | null> {
  return {
    file: result.file,
    path: result.path,
    id: result.id ?? null,
    bytes: result.bytes,
    outcome: result.outcome,
    problem: result.problem === undefined ? null : cut(result.problem, LIMITS.jobsOutputMessage),
  }
}

const ICONS: Record<UploadOutcome, string> = {
  uploaded: '✅',
  replaced: '♻️',
  failed: '❌',
  'not-uploaded': '⏭️',
}

const COUNTED: Record<UploadOutcome, string> = {
  uploaded: 'uploaded',
  replaced: 'replaced',
  failed: 'failed',
  'not-uploaded': 'not uploaded',
}

/** "2 uploaded · 1 replaced": each kind of end that occurred, and only those. */
export function uploadTotals(results: readonly UploadResult[]): string[] {
  return Object.entries(COUNTED).flatMap(([outcome, words]) => {
    const count = results.filter((r) => r.outcome === outcome).length
    return count === 0 ? [] : [`${count} ${words}`]
  })
}

/**
 * The summary's section for uploads, above the jobs: a row per file, the item linked to its page
 * in the library when its id is known. At most a few hundred bytes a row: uploads are as many as
 * the input's lines and globs match, which the settings cap.
 */
export function uploadsMarkdown(results: readonly UploadResult[], serverUrl: string): string[] {
  if (results.length === 0) return []
  const rows = results.map((r) => {
    const item = code(r.path, 200)
    const linked = r.id === undefined ? item : link(item, libraryItemUrl(serverUrl, r.id))
    return `| ${ICONS[r.outcome]} | ${code(r.file, 200)} | ${linked} | ${formatSize(r.bytes)} | ${r.problem === undefined ? COUNTED[r.outcome] : code(r.problem, LIMITS.cell)} |`
  })
  return [
    `**Uploads to the library** · ${uploadTotals(results).join(' · ')}`,
    '',
    '| | File | Library item | Size | Result |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ]
}

/** The uploads' part of the step's verdict: how many went in, then each distinct problem once. */
export function uploadsVerdict(results: readonly UploadResult[]): string | undefined {
  if (results.length === 0) return undefined
  const files = (n: number): string => (n === 1 ? 'one file' : `${n} files`)
  if (uploadsSucceeded(results)) {
    const replaced = results.filter((r) => r.outcome === 'replaced').length
    return `Uploaded ${files(results.length)} to the library${replaced === 0 ? '' : ` (${replaced} replaced, keeping ${replaced === 1 ? 'its id' : 'their ids'})`}.`
  }
  const problems = [
    ...new Set(
      results
        .filter((r) => r.outcome === 'failed')
        .map((r) => r.problem ?? `the upload of ${shown(r.file, 200)} failed`),
    ),
  ]
  const notUploaded = results.filter((r) => r.outcome === 'not-uploaded').length
  return cut(
    [
      `The upload to the library failed: ${problems.join(' ')}`,
      notUploaded === 0 ? '' : ` ${files(notUploaded)} not uploaded.`,
    ].join(''),
    LIMITS.annotation,
  )
}

/**
 * The exit code the uploads call for, as the Client Job Sender's: 2 when the library refused one
 * (an item in the way, no access), 3 for a failure on this side; 0 when all went in.
 */
export function uploadsExitCode(results: readonly UploadResult[]): 0 | 2 | 3 {
  const failed = results.filter((r) => r.outcome === 'failed')
  if (failed.length === 0) return results.some((r) => r.outcome === 'not-uploaded') ? 3 : 0
  return failed.some((r) => r.refused !== true) ? 3 : 2
}

/** An upload as a JUnit test case: named by its library path. */
export function uploadCase(result: UploadResult): ReportCase {
  const output = [`file: ${result.file}`, ...(result.id === undefined ? [] : [`id: ${result.id}`])]
  const base = { name: result.path, output }
  switch (result.outcome) {
    case 'uploaded':
    case 'replaced':
      return { ...base, ending: { kind: 'passed' } }
    case 'failed':
      return {
        ...base,
        ending: { kind: 'failed', message: 'upload failed', detail: result.problem ?? '' },
      }
    case 'not-uploaded':
      return {
        ...base,
        ending: { kind: 'skipped', message: result.problem ?? 'not uploaded' },
      }
  }
}
