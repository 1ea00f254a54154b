import { shortLabel } from '../jobs/labels.js'
import { SKIPPED_BECAUSE, type JobResult } from '../jobs/outcome.js'
import { cut } from '../spotfire/text.js'
import { LIMITS } from './limits.js'
import { uploadCase } from './uploads.js'
import type { DryRunReport } from '../flow/dry-run.js'
import type { UploadResult } from '../uploads/result.js'

/**
 * JUnit XML, the one test report format Jenkins (`junit`), GitLab (`artifacts:reports:junit`),
 * Azure Pipelines (`PublishTestResults`) and GitHub's test-report actions all read: a test case
 * per job (and per upload), so that a run's results sit beside the pipeline's own tests.
 */

/** One test case: what ran, how long, and how it ended. */
export interface ReportCase {
  name: string
  durationMs?: number
  ending:
    | { kind: 'passed' }
    /** `message` is short (the status); `detail` the server's message or the problem. */
    | { kind: 'failed'; message: string; detail: string }
    | { kind: 'skipped'; message: string }
  /** Facts worth keeping beside the result: the job id, the status. */
  output?: string[]
}

export interface ReportSuite {
  name: string
  /** The classname of each case: tools group cases by it. */
  classname: string
  cases: ReportCase[]
}

/** A job as a test case: finished (or started, with wait false) passes; never started is skipped. */
export function jobCase(result: JobResult): ReportCase {
  const output = [
    ...(result.jobId === undefined ? [] : [`job id: ${result.jobId}`]),
    ...(result.status === undefined ? [] : [`status: ${result.status}`]),
  ]
  const base = {
    name: shortLabel(result.job),
    ...(result.durationMs === undefined ? {} : { durationMs: result.durationMs }),
    output,
  }
  const detail = [result.message, result.problem]
    .filter((text): text is string => text !== undefined && text !== '')
    .join('\n')
  const { outcome } = result
  switch (outcome.kind) {
    case 'finished':
      return { ...base, ending: { kind: 'passed' } }
    case 'started':
      return { ...base, ending: { kind: 'passed' }, output: [...output, 'started, not waited for'] }
    case 'skipped':
      return {
        ...base,
        ending: { kind: 'skipped', message: `not started: ${SKIPPED_BECAUSE[outcome.because]}` },
      }
    case 'failed':
      return {
        ...base,
        ending: { kind: 'failed', message: result.status ?? 'failed', detail },
      }
    case 'not-started':
      return {
        ...base,
        ending: {
          kind: 'failed',
          message: outcome.mayHaveStarted ? 'may have started' : 'not started',
          detail,
        },
      }
    case 'timed-out':
    case 'cancelled':
    case 'gave-up': {
      const said = { 'timed-out': 'timed out', cancelled: 'cancelled', 'gave-up': 'lost track' }
      const status =
        result.status === undefined || result.status === '' ? '' : ` (${result.status})`
      return {
        ...base,
        ending: { kind: 'failed', message: `${said[outcome.kind]}${status}`, detail },
      }
    }
  }
}

/** The report as XML: one testsuite per kind of work, inside one testsuites element. */
export function junitXml(suites: readonly ReportSuite[], run: { wallStartedAt: number }): string {
  const timestamp = new Date(run.wallStartedAt).toISOString().replace(/\.\d{3}Z$/, '')
  const totals = suites.map((suite) => counts(suite.cases))
  const all = totals.reduce(
    (sum, c) => ({
      tests: sum.tests + c.tests,
      failures: sum.failures + c.failures,
      skipped: sum.skipped + c.skipped,
      ms: sum.ms + c.ms,
    }),
    { tests: 0, failures: 0, skipped: 0, ms: 0 },
  )
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="Spotfire" tests="${all.tests}" failures="${all.failures}" errors="0" skipped="${all.skipped}" time="${seconds(all.ms)}" timestamp="${timestamp}">`,
  ]
  suites.forEach((suite, i) => {
    const c = totals[i] ?? counts([])
    lines.push(
      `  <testsuite name="${attr(suite.name)}" tests="${c.tests}" failures="${c.failures}" errors="0" skipped="${c.skipped}" time="${seconds(c.ms)}" timestamp="${timestamp}">`,
    )
    for (const testCase of suite.cases) lines.push(...caseXml(testCase, suite.classname))
    lines.push('  </testsuite>')
  })
  lines.push('</testsuites>', '')
  return lines.join('\n')
}

function caseXml(testCase: ReportCase, classname: string): string[] {
  const time = testCase.durationMs === undefined ? '' : ` time="${seconds(testCase.durationMs)}"`
  const open = `    <testcase classname="${attr(classname)}" name="${attr(testCase.name)}"${time}`
  const inner: string[] = []
  const { ending } = testCase
  if (ending.kind === 'failed') {
    inner.push(
      `      <failure message="${attr(ending.message)}" type="${attr(ending.message)}">${text(ending.detail)}</failure>`,
    )
  } else if (ending.kind === 'skipped') {
    inner.push(`      <skipped message="${attr(ending.message)}"/>`)
  }
  if (testCase.output !== undefined && testCase.output.length > 0) {
    inner.push(`      <system-out>${text(testCase.output.join('\n'))}</system-out>`)
  }
  return inner.length === 0 ? [`${open}/>`] : [`${open}>`, ...inner, '    </testcase>']
}

function counts(cases: readonly ReportCase[]): {
  tests: number
  failures: number
  skipped: number
  ms: number
} {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.ending.kind === 'failed').length,
    skipped: cases.filter((c) => c.ending.kind === 'skipped').length,
    ms: cases.reduce((sum, c) => sum + (c.durationMs ?? 0), 0),
  }
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3)
}

/**
 * Text from outside (a server's message, a path) as XML character data: escaped, cut, and without
 * the characters XML 1.0 cannot hold at all (most control characters, lone surrogates), which
 * would make every parser reject the whole report.
 */
function text(value: string): string {
  return escape(cut(value, LIMITS.folded))
}

function attr(value: string): string {
  return escape(cut(value, LIMITS.inline))
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;')
}

function escape(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/** The report of a run: the uploads' suite (when there are uploads), then the jobs'. */
export function runJunit(run: {
  uploads: readonly UploadResult[]
  results: readonly JobResult[]
  startedAt: number
}): string {
  const suites: ReportSuite[] = [
    ...(run.uploads.length === 0
      ? []
      : [
          {
            name: 'Spotfire library uploads',
            classname: 'spotfire.uploads',
            cases: run.uploads.map(uploadCase),
          },
        ]),
    {
      name: 'Spotfire Automation Services jobs',
      classname: 'spotfire.jobs',
      cases: run.results.map(jobCase),
    },
  ]
  return junitXml(suites, { wallStartedAt: run.startedAt })
}

/** The report of a dry run: a test case per check. */
export function dryRunJunit(report: DryRunReport, wallStartedAt: number): string {
  const cases = report.checks.map((check): ReportCase => ({
    name: check.name,
    ending: check.ok
      ? { kind: 'passed' }
      : { kind: 'failed', message: `${check.name} check failed`, detail: check.detail },
    output: [check.detail],
  }))
  return junitXml([{ name: 'Spotfire dry run', classname: 'spotfire.dry-run', cases }], {
    wallStartedAt,
  })
}

/** The report of a step whose inputs are invalid: one failed case that lists the problems. */
export function invalidInputsJunit(problems: readonly string[], wallStartedAt: number): string {
  const inputs: ReportCase = {
    name: 'inputs',
    ending: {
      kind: 'failed',
      message:
        problems.length === 1 ? 'an input is invalid' : `${problems.length} inputs are invalid`,
      detail: problems.join('\n'),
    },
  }
  return junitXml([{ name: 'Spotfire inputs', classname: 'spotfire.inputs', cases: [inputs] }], {
    wallStartedAt,
  })
}
