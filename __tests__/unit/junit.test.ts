import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { parse } from 'test-results-parser'
import { jobCase, junitXml, type ReportSuite } from '../../src/report/junit.js'
import { EVERY_OUTCOME, FAILURE, failed, result, resultFor } from './report-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'junit-'))
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** The report as a CI tool reads it: through a JUnit parser, not by hand. */
function read(xml: string): ReturnType<typeof parse> {
  const file = join(dir, `report-${Math.random().toString(36).slice(2)}.xml`)
  writeFileSync(file, xml)
  return parse({ type: 'junit', files: [file] })
}

const WALL = Date.UTC(2026, 11, 4, 19, 30, 0)
const jobs = (...results: Parameters<typeof jobCase>[0][]): ReportSuite => ({
  name: 'Spotfire Automation Services jobs',
  classname: 'spotfire.jobs',
  cases: results.map(jobCase),
})

describe('the JUnit report', () => {
  it('has a test case per job, named by its source, with its duration', () => {
    const report = read(junitXml([jobs(result(), failed())], { wallStartedAt: WALL }))
    expect(report.total).toBe(2)
    expect(report.passed).toBe(1)
    expect(report.failed).toBe(1)
    const cases = report.suites[0]?.cases ?? []
    expect(cases.map((c) => c.name)).toEqual(['/Jobs/Refresh sales', '/Jobs/Refresh sales'])
    expect(cases[0]?.duration).toBe(95_500)
  })

  it('gives a job that did not finish a failure: the status as its message, the server’s message as its text', () => {
    const report = read(junitXml([jobs(failed())], { wallStartedAt: WALL }))
    const [only] = report.suites[0]?.cases ?? []
    expect(only?.status).toBe('FAIL')
    expect(only?.failure).toBe('Failed')
    expect(only?.stack_trace).toBe(FAILURE)
  })

  it('skips the jobs that never started, saying why', () => {
    const xml = junitXml([jobs(resultFor({ kind: 'skipped', because: 'fail-fast' }))], {
      wallStartedAt: WALL,
    })
    const report = read(xml)
    expect(report.skipped).toBe(1)
    expect(report.suites[0]?.cases[0]?.status).toBe('SKIP')
    expect(xml).toContain('not started: another job did not finish (fail-fast)')
  })

  it.each(EVERY_OUTCOME.map((outcome) => [outcome.kind, outcome] as const))(
    'reads back every outcome: %s',
    (_, outcome) => {
      const report = read(junitXml([jobs(resultFor(outcome))], { wallStartedAt: WALL }))
      const expected =
        outcome.kind === 'finished' || outcome.kind === 'started'
          ? 'PASS'
          : outcome.kind === 'skipped'
            ? 'SKIP'
            : 'FAIL'
      expect(report.suites[0]?.cases[0]?.status).toBe(expected)
    },
  )

  it('keeps text from outside as data: markup, control characters and quotes survive as text', () => {
    const hostile = failed({
      message: 'a <b>&</b> "c" \'d\' ]]> \u0000\u0007 ##vso[task.setvariable]x',
    })
    const report = read(junitXml([jobs(hostile)], { wallStartedAt: WALL }))
    const text = report.suites[0]?.cases[0]?.stack_trace ?? ''
    expect(text).toContain('a <b>&</b> "c" \'d\' ]]>')
    expect(text.includes('\u0000') || text.includes('\u0007')).toBe(false)
  })

  it('cuts a huge message: the report stays small whatever the server sends', () => {
    const xml = junitXml([jobs(failed({ message: 'x'.repeat(8 * 1024 * 1024) }))], {
      wallStartedAt: WALL,
    })
    expect(xml.length).toBeLessThan(20_000)
    expect(read(xml).failed).toBe(1)
  })

  it('is a valid report with no jobs at all', () => {
    const report = read(junitXml([jobs()], { wallStartedAt: WALL }))
    expect(report.total).toBe(0)
  })
})
