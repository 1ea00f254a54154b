import { describe, expect, it } from '@jest/globals'
import { Outputs } from '../../src/shared/constants.js'
import { describeJob, shortLabel } from '../../src/jobs/labels.js'
import {
  isSuccess,
  type JobResult,
  type Outcome,
  STOPPED,
  stopReasonOf,
} from '../../src/jobs/outcome.js'
import { LIMITS } from '../../src/report/limits.js'
import { durationSeconds, emptyOutputs, jobJson, outputsOf } from '../../src/report/outputs.js'
import { jobVerdict, runVerdict, type VerdictContext } from '../../src/report/verdict.js'
import type { JobSpec } from '../../src/settings/index.js'
import { JOB_ID, LIBRARY_ID } from './fixtures.js'
import {
  EVERY_OUTCOME,
  failed,
  FAILURE,
  LIBRARY_JOB,
  result,
  resultFor,
} from './report-fixtures.js'

const OTHER_ID = '11111111-2222-3333-4444-555555555555'
const THIRD_ID = '99999999-8888-7777-6666-555555555555'
const CTX: VerdictContext = { timeoutMs: 30 * 60_000 }
const HUGE = 'm'.repeat(5 * 1024 * 1024)

const occurrences = (text: string, part: string): number => text.split(part).length - 1

describe('isSuccess', () => {
  it.each<[Outcome, boolean, boolean]>([
    [{ kind: 'finished' }, true, true],
    [{ kind: 'started' }, true, true],
    [{ kind: 'failed' }, false, true],
    [{ kind: 'timed-out' }, false, false],
    [{ kind: 'cancelled', by: 'run' }, false, false],
    [{ kind: 'cancelled', by: 'fail-fast' }, false, false],
    [{ kind: 'gave-up' }, false, false],
    [{ kind: 'not-started', refused: true, mayHaveStarted: false }, false, false],
    [{ kind: 'not-started', refused: false, mayHaveStarted: true }, false, false],
    [{ kind: 'skipped', because: 'fail-fast' }, false, false],
  ])(
    '%j succeeds: %s with fail-on-job-failure true, %s with false',
    (outcome, whenFailing, whenNotFailing) => {
      expect(isSuccess(result({ outcome }), true)).toBe(whenFailing)
      expect(isSuccess(result({ outcome }), false)).toBe(whenNotFailing)
    },
  )
})

describe('STOPPED and stopReasonOf', () => {
  it('gives the outcome of a job still running when the wait stopped', () => {
    expect(STOPPED.timeout).toEqual({ kind: 'timed-out' })
    expect(STOPPED.cancelled).toEqual({ kind: 'cancelled', by: 'run' })
    expect(STOPPED['fail-fast']).toEqual({ kind: 'cancelled', by: 'fail-fast' })
    expect(STOPPED['internal-error']).toEqual({ kind: 'cancelled', by: 'internal-error' })
  })

  it.each(['timeout', 'cancelled', 'fail-fast', 'internal-error'] as const)(
    'reads the reason %j',
    (reason) => {
      const controller = new AbortController()
      controller.abort(reason)
      expect(stopReasonOf(controller.signal)).toBe(reason)
    },
  )

  it.each([
    ['a signal not aborted', undefined],
    ['another string', 'gave-up'],
    ['an error', new Error('timeout')],
    ['no reason', null],
  ])('gives nothing for %s', (what, reason) => {
    const controller = new AbortController()
    if (what !== 'a signal not aborted') controller.abort(reason ?? undefined)
    expect(stopReasonOf(controller.signal)).toBeUndefined()
  })
})

describe('describeJob and shortLabel', () => {
  it.each<[JobSpec, string, string]>([
    [
      { kind: 'library-path', path: '/Jobs/Refresh sales' },
      "library job '/Jobs/Refresh sales'",
      '/Jobs/Refresh sales',
    ],
    [
      { kind: 'library-id', id: LIBRARY_ID },
      `library job ${LIBRARY_ID}`,
      `library id ${LIBRARY_ID}`,
    ],
    [{ kind: 'xml', xml: '<x/>' }, 'the inline job (job-xml)', 'job-xml'],
    [{ kind: 'xml', xml: '<x/>', file: 'jobs/a.xml' }, "the job in 'jobs/a.xml'", 'jobs/a.xml'],
    [{ kind: 'job-id', jobId: JOB_ID }, `job ${JOB_ID}`, `job ${JOB_ID}`],
  ])('describes %j', (job, sentence, label) => {
    expect(describeJob(job)).toBe(sentence)
    expect(shortLabel(job)).toBe(label)
  })

  it('keeps a path with line breaks on one line, and cuts a long one', () => {
    const job: JobSpec = { kind: 'library-path', path: `/Jobs/a\n::error::x${'y'.repeat(300)}` }
    expect(shortLabel(job)).not.toMatch(/[\r\n]/)
    expect(describeJob(job)).not.toMatch(/[\r\n]/)
    expect(shortLabel(job)).toMatch(/… \[\d+ characters cut\]$/)
    expect(shortLabel(job).length).toBeLessThan(250)
  })
})

describe('durationSeconds', () => {
  it.each([
    [1234, 1.2],
    [1250, 1.3],
    [95_549, 95.5],
    [3_600_040, 3600],
    [0, 0],
  ])('gives %d ms as %d seconds, to a tenth', (ms, seconds) => {
    expect(durationSeconds(ms)).toBe(seconds)
  })
})

describe('outputsOf with one job', () => {
  it('sets every output for every outcome', () => {
    for (const outcome of EVERY_OUTCOME) {
      expect(Object.keys(outputsOf([resultFor(outcome)], { durationMs: 1 })).sort()).toEqual(
        Object.values(Outputs).sort(),
      )
    }
  })

  it("gives that job's id, status, message, duration and timed-out, as before", () => {
    const outputs = outputsOf([failed()], { durationMs: 99_999 })
    expect(outputs).toEqual({
      [Outputs.JobId]: JOB_ID,
      [Outputs.Status]: 'Failed',
      [Outputs.Message]: FAILURE,
      [Outputs.DurationSeconds]: '95.5',
      [Outputs.TimedOut]: 'false',
      [Outputs.Jobs]: JSON.stringify([jobJson(failed())]),
      [Outputs.Uploads]: '[]',
    })
  })

  it('says true when the job timed out, with its last status', () => {
    const outputs = outputsOf([result({ outcome: { kind: 'timed-out' }, status: 'Queued' })], {
      durationMs: 0,
    })
    expect(outputs[Outputs.TimedOut]).toBe('true')
    expect(outputs[Outputs.Status]).toBe('Queued')
  })

  it('sets empty outputs for a job that never started', () => {
    const outputs = outputsOf([resultFor({ kind: 'skipped', because: 'cancelled' })], {
      durationMs: 5000,
    })
    expect(outputs).toMatchObject({
      [Outputs.JobId]: '',
      [Outputs.Status]: '',
      [Outputs.Message]: '',
      [Outputs.DurationSeconds]: '',
      [Outputs.TimedOut]: 'false',
    })
  })

  it('gives the status and message of a refused start', () => {
    const refused: JobResult = {
      job: LIBRARY_JOB,
      status: 'Failed',
      message: 'Job file not found or no access.',
      outcome: { kind: 'not-started', refused: true, mayHaveStarted: false },
    }
    const outputs = outputsOf([refused], { durationMs: 100 })
    expect(outputs[Outputs.Status]).toBe('Failed')
    expect(outputs[Outputs.Message]).toBe('Job file not found or no access.')
    expect(outputs[Outputs.JobId]).toBe('')
  })

  it('keeps the message verbatim, line breaks and all, up to its limit', () => {
    const message = 'line one\r\nline two\t<b>tab</b>'
    expect(outputsOf([failed({ message })], { durationMs: 0 })[Outputs.Message]).toBe(message)
  })

  it('cuts a huge message, with a visible marker', () => {
    const outputs = outputsOf([failed({ message: HUGE })], { durationMs: 0 })
    const message = outputs[Outputs.Message] ?? ''
    expect(message.startsWith('m'.repeat(LIMITS.messageOutput))).toBe(true)
    expect(message).toMatch(/… \[\d+ characters cut\]$/)
    expect(message.length).toBeLessThan(LIMITS.messageOutput + 40)
    expect((outputs[Outputs.Jobs] ?? '').length).toBeLessThan(LIMITS.jobsOutputMessage + 400)
  })
})

describe('outputsOf with several jobs', () => {
  const library = (path: string): JobSpec => ({ kind: 'library-path', path })

  it('gives Finished only when every job finished, and the run duration', () => {
    const outputs = outputsOf(
      [result(), result({ jobId: OTHER_ID, job: library('/Jobs/B'), durationMs: 1000 })],
      { durationMs: 123_456 },
    )
    expect(outputs[Outputs.Status]).toBe('Finished')
    expect(outputs[Outputs.JobId]).toBe(`${JOB_ID}\n${OTHER_ID}`)
    expect(outputs[Outputs.DurationSeconds]).toBe('123.5')
    expect(outputs[Outputs.TimedOut]).toBe('false')
    expect(outputs[Outputs.Message]).toBe('')
  })

  it('gives the status and message of the first job, in input order, that did not finish', () => {
    const outputs = outputsOf(
      [
        result(),
        result({ jobId: OTHER_ID, status: 'Canceled', message: 'Aborted by the run.' }),
        failed({ jobId: THIRD_ID }),
      ],
      { durationMs: 0 },
    )
    expect(outputs[Outputs.Status]).toBe('Canceled')
    expect(outputs[Outputs.Message]).toBe('Aborted by the run.')
  })

  it('gives one job id per line, for the jobs that have one, in input order', () => {
    const outputs = outputsOf(
      [
        failed({ jobId: THIRD_ID }),
        resultFor({ kind: 'skipped', because: 'fail-fast' }),
        result({ jobId: OTHER_ID }),
      ],
      { durationMs: 0 },
    )
    expect(outputs[Outputs.JobId]?.split('\n')).toEqual([THIRD_ID, OTHER_ID])
  })

  it('says timed-out true when any job timed out', () => {
    const outputs = outputsOf(
      [result(), result({ jobId: OTHER_ID, status: 'InProgress', outcome: { kind: 'timed-out' } })],
      { durationMs: 0 },
    )
    expect(outputs[Outputs.TimedOut]).toBe('true')
    expect(outputs[Outputs.Status]).toBe('InProgress')
  })

  it('lists every job in the jobs output, in input order, with every field', () => {
    const results: JobResult[] = [
      result({ job: { kind: 'job-id', jobId: OTHER_ID }, jobId: OTHER_ID, durationMs: 1250 }),
      failed({ job: { kind: 'xml', xml: '<x/>', file: 'jobs/a.xml' } }),
      resultFor({ kind: 'skipped', because: 'timeout' }),
      result({ outcome: { kind: 'timed-out' }, status: 'Queued', durationMs: undefined }),
    ]
    const jobs = JSON.parse(outputsOf(results, { durationMs: 0 })[Outputs.Jobs] ?? '') as unknown
    expect(jobs).toEqual([
      {
        source: `job ${OTHER_ID}`,
        'job-id': OTHER_ID,
        status: 'Finished',
        message: '',
        'duration-seconds': 1.3,
        outcome: 'finished',
        'timed-out': false,
      },
      {
        source: 'jobs/a.xml',
        'job-id': JOB_ID,
        status: 'Failed',
        message: FAILURE,
        'duration-seconds': 95.5,
        outcome: 'failed',
        'timed-out': false,
      },
      {
        source: '/Jobs/Refresh sales',
        'job-id': null,
        status: null,
        message: '',
        'duration-seconds': null,
        outcome: 'skipped',
        'timed-out': false,
      },
      {
        source: '/Jobs/Refresh sales',
        'job-id': JOB_ID,
        status: 'Queued',
        message: '',
        'duration-seconds': null,
        outcome: 'timed-out',
        'timed-out': true,
      },
    ])
  })

  it('cuts each message in the jobs output, with a visible marker', () => {
    const jobs = JSON.parse(
      outputsOf([failed({ message: HUGE }), failed({ message: HUGE, jobId: OTHER_ID })], {
        durationMs: 0,
      })[Outputs.Jobs] ?? '',
    ) as { message: string }[]
    for (const job of jobs) {
      expect(job.message.startsWith('m'.repeat(LIMITS.jobsOutputMessage))).toBe(true)
      expect(job.message).toMatch(/… \[\d+ characters cut\]$/)
      expect(job.message.length).toBeLessThan(LIMITS.jobsOutputMessage + 40)
    }
  })
})

describe('emptyOutputs', () => {
  it('sets every output, empty', () => {
    expect(emptyOutputs()).toEqual({
      [Outputs.JobId]: '',
      [Outputs.Status]: '',
      [Outputs.Message]: '',
      [Outputs.DurationSeconds]: '',
      [Outputs.TimedOut]: 'false',
      [Outputs.Jobs]: '[]',
      [Outputs.Uploads]: '[]',
    })
    expect(Object.keys(emptyOutputs()).sort()).toEqual(Object.values(Outputs).sort())
  })
})

describe('jobVerdict', () => {
  it('says when a job finished and how long it took', () => {
    expect(jobVerdict(result(), CTX)).toBe(`Job ${JOB_ID} finished in 1 min 36 s.`)
  })

  it('carries the server message of a failed job verbatim', () => {
    expect(jobVerdict(failed(), CTX)).toBe(
      `Job ${JOB_ID} ended Failed after 1 min 36 s: ${FAILURE}`,
    )
  })

  it('ends a failed job without a message with its status', () => {
    expect(jobVerdict(failed({ status: 'Missing', message: '' }), CTX)).toBe(
      `Job ${JOB_ID} ended Missing after 1 min 36 s.`,
    )
  })

  it('says a job was started and not waited for', () => {
    expect(jobVerdict(resultFor({ kind: 'started' }), CTX)).toBe(
      `Started job ${JOB_ID}; not waiting for it (wait: false).`,
    )
  })

  it('says a job did not finish within the timeout', () => {
    expect(jobVerdict(resultFor({ kind: 'timed-out' }), CTX)).toBe(
      `Job ${JOB_ID} did not finish within 30 min.`,
    )
  })

  it('gives the last failed check of a job that timed out', () => {
    const line = jobVerdict(
      result({ outcome: { kind: 'timed-out' }, problem: 'HTTP 502 Bad Gateway with an HTML page' }),
      { timeoutMs: 90_000 },
    )
    expect(line).toBe(
      `Job ${JOB_ID} did not finish within 1 min 30 s; the last status check failed: HTTP 502 Bad Gateway with an HTML page.`,
    )
  })

  it('tells a cancelled run from fail-fast', () => {
    expect(jobVerdict(resultFor({ kind: 'cancelled', by: 'run' }), CTX)).toBe(
      `The run was cancelled while job ${JOB_ID} was running.`,
    )
    expect(jobVerdict(resultFor({ kind: 'cancelled', by: 'fail-fast' }), CTX)).toBe(
      `Job ${JOB_ID} was stopped because another job did not finish (fail-fast).`,
    )
    expect(jobVerdict(resultFor({ kind: 'cancelled', by: 'internal-error' }), CTX)).toBe(
      `An internal error stopped the run while job ${JOB_ID} was running.`,
    )
  })

  it('says why it lost track of a job', () => {
    expect(jobVerdict(resultFor({ kind: 'gave-up' }), CTX)).toBe(
      `Lost track of job ${JOB_ID}: HTTP 503 Service Unavailable.`,
    )
  })

  it('gives the reason a start was refused', () => {
    const refused: JobResult = {
      job: LIBRARY_JOB,
      status: 'Failed',
      message: 'Job file not found or no access.',
      outcome: { kind: 'not-started', refused: true, mayHaveStarted: false },
      problem: 'Job file not found or no access.',
    }
    expect(jobVerdict(refused, CTX)).toBe(
      "Could not start library job '/Jobs/Refresh sales': Job file not found or no access.",
    )
  })

  it('falls back on the server message of a refused start without a problem', () => {
    const refused: JobResult = {
      job: { kind: 'xml', xml: '<x/>' },
      status: 'NotSet',
      message: 'The job could not be parsed',
      outcome: { kind: 'not-started', refused: true, mayHaveStarted: false },
    }
    expect(jobVerdict(refused, CTX)).toBe(
      'Could not start the inline job (job-xml): The job could not be parsed.',
    )
  })

  it('warns that a start that may have reached the server may be running', () => {
    const line = jobVerdict(
      resultFor({ kind: 'not-started', refused: false, mayHaveStarted: true }),
      CTX,
    )
    expect(line).toMatch(
      /^Library job '\/Jobs\/Refresh sales' may have started: its start may have reached/,
    )
    expect(line).toContain('was not sent again')
    expect(line).toContain('Check the Automation Services jobs on the server')
    expect(line).toMatch(/The start failed with: no answer within 30s\.$/)
  })

  it.each([
    ['timeout', 'the timeout ran out first'],
    ['cancelled', 'the run was cancelled first'],
    ['fail-fast', 'another job did not finish (fail-fast)'],
    ['internal-error', 'an internal error stopped the run first'],
  ] as const)('says a job was skipped because of %s', (because, why) => {
    expect(jobVerdict(resultFor({ kind: 'skipped', because }), CTX)).toBe(
      `Library job '/Jobs/Refresh sales' was not started: ${why}.`,
    )
  })

  it('gives the last try of a job skipped after its start failed', () => {
    const skipped: JobResult = {
      ...resultFor({ kind: 'skipped', because: 'timeout' }),
      job: { kind: 'xml', xml: '<x/>', file: 'jobs/a.xml' },
      problem: 'HTTP 503 Service Unavailable',
    }
    expect(jobVerdict(skipped, CTX)).toBe(
      "The job in 'jobs/a.xml' was not started: the timeout ran out first; the last try failed with: HTTP 503 Service Unavailable.",
    )
  })

  it('adds how the abort went', () => {
    const stopped = resultFor({ kind: 'timed-out' })
    expect(jobVerdict({ ...stopped, abort: { kind: 'aborted', status: 'Canceled' } }, CTX)).toBe(
      `Job ${JOB_ID} did not finish within 30 min. It was aborted (Canceled).`,
    )
    expect(
      jobVerdict(
        { ...stopped, abort: { kind: 'failed', detail: 'HTTP 500 Internal Server Error' } },
        CTX,
      ),
    ).toBe(
      `Job ${JOB_ID} did not finish within 30 min. It was not aborted and may still be running: HTTP 500 Internal Server Error.`,
    )
    expect(jobVerdict({ ...stopped, abort: { kind: 'left-running' } }, CTX)).toBe(
      `Job ${JOB_ID} did not finish within 30 min. It was left running (abort-on-timeout: false).`,
    )
    const cancelled = resultFor({ kind: 'cancelled', by: 'run' })
    expect(jobVerdict({ ...cancelled, abort: { kind: 'left-running' } }, CTX)).toBe(
      `The run was cancelled while job ${JOB_ID} was running. It was left running (abort-on-cancel: false).`,
    )
  })

  it('names a status word it does not know without obeying it', () => {
    const line = jobVerdict(failed({ status: 'Weird\n::error::x', message: '' }), CTX)
    expect(line).not.toMatch(/[\r\n]/)
    expect(line).toContain('Weird ⏎ ::error::x')
  })

  describe.each(EVERY_OUTCOME.map((outcome) => [JSON.stringify(outcome), outcome] as const))(
    'for %s',
    (_name, outcome) => {
      const plain = resultFor(outcome)
      const variants: JobResult[] = [
        plain,
        { ...plain, message: 'Task 1 failed with: no data loaded\r\n', problem: 'Error [E42]' },
        { ...plain, message: 'ends in a bracket [x]', problem: 'ends with a space ' },
        { ...plain, abort: { kind: 'aborted', status: 'Canceled' } },
        { ...plain, abort: { kind: 'failed', detail: 'no answer [timeout]' } },
        { ...plain, abort: { kind: 'left-running' } },
      ]

      it('ends every sentence with a full stop', () => {
        for (const variant of variants) {
          const line = jobVerdict(variant, CTX)
          expect(line).toMatch(/[.!?…]$/)
          expect(line).not.toMatch(/[.!?] ?\.$/)
        }
      })

      it('names the job id at most once', () => {
        for (const variant of variants) {
          expect(occurrences(jobVerdict(variant, CTX), JOB_ID)).toBeLessThanOrEqual(1)
        }
      })

      it('is one line', () => {
        for (const variant of variants) expect(jobVerdict(variant, CTX)).not.toMatch(/[\r\n]/)
      })
    },
  )

  it('ends a message that ends in a bracket with a full stop', () => {
    // BUG fixed: a closing bracket counted as the end of a sentence (it is the end of the cut
    // marker); "Error [E42]" got no full stop.
    expect(jobVerdict(failed({ message: 'Error [E42]' }), CTX)).toBe(
      `Job ${JOB_ID} ended Failed after 1 min 36 s: Error [E42].`,
    )
  })

  it('ends a message with a trailing line break cleanly', () => {
    // BUG fixed: the trailing break became " ⏎ " and the sentence ended in " ⏎ ."
    expect(jobVerdict(failed({ message: `${FAILURE}\r\n` }), CTX)).toBe(
      `Job ${JOB_ID} ended Failed after 1 min 36 s: ${FAILURE}`,
    )
  })

  it('keeps a message with several lines on one line', () => {
    expect(jobVerdict(failed({ message: 'first\nsecond' }), CTX)).toBe(
      `Job ${JOB_ID} ended Failed after 1 min 36 s: first ⏎ second.`,
    )
  })

  it('cuts a huge message, with a visible marker', () => {
    const line = jobVerdict(failed({ message: HUGE }), CTX)
    expect(line).toMatch(/… \[\d+ characters cut\]\.$/)
    expect(line.length).toBeLessThan(LIMITS.inline + 100)
  })

  it('cuts a huge problem and a huge abort detail too', () => {
    const line = jobVerdict(
      result({
        outcome: { kind: 'gave-up' },
        problem: HUGE,
        abort: { kind: 'failed', detail: HUGE },
      }),
      CTX,
    )
    expect(line.length).toBeLessThan(2 * LIMITS.inline + 200)
    expect(occurrences(line, 'characters cut]')).toBe(2)
  })
})

describe('runVerdict', () => {
  const library = (path: string): JobSpec => ({ kind: 'library-path', path })
  const succeeded = (r: JobResult): boolean => isSuccess(r, true)

  it("is the job's own sentence when there is one job", () => {
    expect(runVerdict([failed()], CTX, succeeded)).toBe(jobVerdict(failed(), CTX))
  })

  it('counts the jobs when every one finished, and gives the total time', () => {
    // BUG fixed: "All 2 jobs finished." said nothing of how long they took.
    const results = [result(), result({ jobId: OTHER_ID, job: library('/Jobs/B') })]
    expect(runVerdict(results, { ...CTX, durationMs: 184_000 }, succeeded)).toBe(
      'All 2 jobs finished in 3 min 4 s.',
    )
    expect(runVerdict(results, CTX, succeeded)).toBe('All 2 jobs finished.')
  })

  it('counts the finished jobs and gives each other end, in input order', () => {
    const results = [
      result(),
      failed({ jobId: OTHER_ID, job: library('/Jobs/B') }),
      result({ jobId: THIRD_ID, job: library('/Jobs/C'), outcome: { kind: 'timed-out' } }),
    ]
    expect(runVerdict(results, CTX, succeeded)).toBe(
      `1 of 3 jobs finished. /Jobs/B: ended Failed: ${FAILURE} /Jobs/C: did not finish within 30 min.`,
    )
  })

  it('gives each distinct error once, with the jobs it applies to', () => {
    // BUG fixed: ten jobs that failed alike repeated the same message ten times.
    const results = [
      failed({ job: library('/Jobs/A') }),
      result({ job: library('/Jobs/B') }),
      failed({ jobId: OTHER_ID, job: library('/Jobs/C') }),
      failed({ jobId: THIRD_ID, job: library('/Jobs/D'), message: 'Disk full.' }),
      result({
        job: library('/Jobs/E'),
        outcome: { kind: 'timed-out' },
        status: 'Canceled',
        abort: { kind: 'aborted', status: 'Canceled' },
      }),
      result({
        job: library('/Jobs/F'),
        outcome: { kind: 'timed-out' },
        status: 'Canceled',
        abort: { kind: 'aborted', status: 'Canceled' },
      }),
      failed({ job: { kind: 'job-id', jobId: OTHER_ID }, jobId: OTHER_ID }),
    ]
    const line = runVerdict(results, CTX, succeeded)
    expect(line).toBe(
      `1 of 7 jobs finished. /Jobs/A, /Jobs/C, job ${OTHER_ID}: ended Failed: ${FAILURE} /Jobs/D: ended Failed: Disk full. /Jobs/E, /Jobs/F: did not finish within 30 min; aborted (Canceled).`,
    )
    expect(occurrences(line, FAILURE)).toBe(1)
  })

  it('lists a failed job even when failures do not fail the step', () => {
    const results = [result(), failed({ jobId: OTHER_ID, job: library('/Jobs/B') })]
    const line = runVerdict(results, CTX, (r) => isSuccess(r, false))
    expect(line).toMatch(/^1 of 2 jobs finished\. \/Jobs\/B: ended Failed: /)
  })

  it('says the jobs were started and not waited for', () => {
    const results = [
      resultFor({ kind: 'started' }),
      { ...resultFor({ kind: 'started' }), jobId: OTHER_ID },
    ]
    expect(runVerdict(results, CTX, succeeded)).toBe(
      'Started 2 of 2 jobs; not waiting for them (wait: false).',
    )
  })

  it('names each job id once, even for jobs that are followed by id', () => {
    // BUG fixed: a followed job was labelled "job <id>" in front of its own sentence, which names
    // the id again.
    const results: JobResult[] = [
      result(),
      failed({ job: { kind: 'job-id', jobId: OTHER_ID }, jobId: OTHER_ID }),
      result({
        job: { kind: 'job-id', jobId: THIRD_ID },
        jobId: THIRD_ID,
        outcome: { kind: 'gave-up' },
        problem: 'HTTP 503 Service Unavailable',
      }),
    ]
    const line = runVerdict(results, CTX, succeeded)
    expect(occurrences(line, OTHER_ID)).toBe(1)
    expect(occurrences(line, THIRD_ID)).toBe(1)
    expect(line).toContain(`job ${OTHER_ID}: ended Failed`)
    expect(line).toContain(`job ${THIRD_ID}: lost track of the job: HTTP 503`)
  })

  it('names the source of a job that did not start once', () => {
    const results: JobResult[] = [
      result(),
      { ...resultFor({ kind: 'skipped', because: 'fail-fast' }), job: library('/Jobs/Skipped') },
      {
        ...resultFor({ kind: 'not-started', refused: true, mayHaveStarted: false }),
        job: library('/Jobs/Refused'),
      },
    ]
    const line = runVerdict(results, CTX, succeeded)
    expect(occurrences(line, '/Jobs/Skipped')).toBe(1)
    expect(occurrences(line, '/Jobs/Refused')).toBe(1)
    expect(line).toContain('/Jobs/Skipped: not started: another job did not finish (fail-fast).')
    expect(line).toContain('/Jobs/Refused: could not start: HTTP 400')
  })

  it('stays within an annotation with many jobs and huge messages, and marks the cut', () => {
    const results = Array.from({ length: 256 }, (_, i) =>
      failed({ job: library(`/Jobs/${i}`), message: `${i} ${HUGE}` }),
    )
    const line = runVerdict(results, CTX, succeeded)
    expect(line.length).toBeLessThanOrEqual(LIMITS.annotation + 40)
    expect(line).toMatch(/^0 of 256 jobs finished\./)
    expect(line).toMatch(/… \[\d+ characters cut\]$/)
  })
})
