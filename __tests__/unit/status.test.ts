import { describe, expect, it } from '@jest/globals'
import {
  canonicalStatus,
  classifyStatus,
  isTerminal,
  isZeroJobId,
  parseJobStatus,
  readJobAnswer,
  sameJobId,
  statusName,
  ZERO_JOB_ID,
  MAX_MESSAGE_LENGTH,
} from '../../src/spotfire/status.js'
import { JOB_ID } from './fixtures.js'

describe('classifyStatus and isTerminal', () => {
  it.each([
    ['Queued', 'running', false],
    ['InProgress', 'running', false],
    ['Finished', 'finished', true],
    ['Failed', 'failed', true],
    ['Canceled', 'failed', true],
    ['Missing', 'failed', true],
    ['NotSet', 'failed', true],
    ['Busy', 'busy', false],
  ])('classifies %j as %s (terminal: %s), as the API sheet says', (status, kind, terminal) => {
    expect(classifyStatus(status)).toBe(kind)
    expect(isTerminal(status)).toBe(terminal)
  })

  it.each([
    ['FINISHED', 'finished'],
    ['finished', 'finished'],
    ['inprogress', 'running'],
    ['CANCELED', 'failed'],
    ['notset', 'failed'],
    ['bUsY', 'busy'],
  ])('compares %j without regard to case', (status, kind) => {
    expect(classifyStatus(status)).toBe(kind)
  })

  it.each(['Paused', 'Cancelled', 'Running', '', ' Finished', 'Finished.', '2', '-1'])(
    'calls %j unknown, and not terminal',
    (status) => {
      expect(classifyStatus(status)).toBe('unknown')
      expect(isTerminal(status)).toBe(false)
    },
  )

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'])(
    'calls the object property name %j unknown, not a class',
    (status) => {
      // BUG fixed: a status named like a property of every object read that property.
      expect(classifyStatus(status)).toBe('unknown')
      expect(canonicalStatus(status)).toBe(status)
      expect(isTerminal(status)).toBe(false)
    },
  )
})

describe('canonicalStatus', () => {
  it.each([
    ['finished', 'Finished'],
    ['INPROGRESS', 'InProgress'],
    ['notSet', 'NotSet'],
    ['canceled', 'Canceled'],
  ])('spells %j as the API sheet does: %j', (status, canonical) => {
    expect(canonicalStatus(status)).toBe(canonical)
  })

  it('keeps a status it does not know as the server sent it', () => {
    expect(canonicalStatus('PausedForMaintenance')).toBe('PausedForMaintenance')
  })
})

describe('the zero job id', () => {
  it('is the all-zero GUID, and only that', () => {
    expect(isZeroJobId(ZERO_JOB_ID)).toBe(true)
    expect(isZeroJobId(`{${ZERO_JOB_ID}}`)).toBe(true)
    expect(isZeroJobId('00000000000000000000000000000000')).toBe(true)
    expect(isZeroJobId('0')).toBe(true)
    expect(isZeroJobId('job-0')).toBe(false)
    expect(ZERO_JOB_ID).toBe('00000000-0000-0000-0000-000000000000')
    expect(isZeroJobId(JOB_ID)).toBe(false)
    expect(isZeroJobId('')).toBe(false)
  })
})

describe('sameJobId', () => {
  it('compares GUIDs without regard to case or braces', () => {
    expect(sameJobId(JOB_ID, JOB_ID.toUpperCase())).toBe(true)
    expect(sameJobId(`{${JOB_ID}}`, JOB_ID)).toBe(true)
    expect(sameJobId(JOB_ID, '7d5cf4e0-9106-4884-8fba-cc3065428383')).toBe(false)
  })

  it('compares other ids exactly', () => {
    expect(sameJobId('job-1', 'job-1')).toBe(true)
    expect(sameJobId('job-1', 'JOB-1')).toBe(false)
    expect(sameJobId('job-1', 'job-1 ')).toBe(false)
  })
})

describe('readJobAnswer', () => {
  it('reads the job id of an answer without a status (a 202 or a 500 that names a job)', () => {
    expect(readJobAnswer(JSON.stringify({ JobId: `{${JOB_ID.toUpperCase()}}` }))).toEqual({
      jobId: JOB_ID.toUpperCase(),
      statusCode: '',
      message: '',
    })
    expect(
      readJobAnswer(JSON.stringify({ JobId: JOB_ID, StatusCode: 'queued', Message: 'm' })),
    ).toEqual({ jobId: JOB_ID, statusCode: 'Queued', message: 'm' })
  })

  it('reads nothing from a body without a usable job id', () => {
    for (const body of ['<html>', '{}', '{"JobId":7}', '{"JobId":""}', '[]', 'null']) {
      expect(readJobAnswer(body)).toBeUndefined()
    }
  })
})

describe('parseJobStatus', () => {
  it('takes any non-empty job id on one line: a job the server names is a job', () => {
    for (const jobId of ['job-1', '42', 'a/b?c', '##[error]not a command here']) {
      expect(parseJobStatus(JSON.stringify({ JobId: jobId, StatusCode: 'Finished' }))?.jobId).toBe(
        jobId,
      )
    }
    expect(
      parseJobStatus('{"JobId":"7D5CF4E0-9106-4884-8FBA-CC3065428382","StatusCode":"Finished"}'),
    ).toMatchObject({ jobId: '7D5CF4E0-9106-4884-8FBA-CC3065428382', statusCode: 'Finished' })
  })

  it('takes a GUID in braces without its braces', () => {
    expect(
      parseJobStatus(JSON.stringify({ JobId: `{${JOB_ID}}`, StatusCode: 'Queued' }))?.jobId,
    ).toBe(JOB_ID)
  })

  it('takes no job id that would break a log line, or that is blank or endless', () => {
    for (const jobId of [
      '',
      '   ',
      `${JOB_ID}\n::error::x`,
      'a\u0007b',
      'a\u202eb',
      'x'.repeat(201),
    ]) {
      expect(
        parseJobStatus(JSON.stringify({ JobId: jobId, StatusCode: 'Finished' })),
      ).toBeUndefined()
    }
  })

  it('reads the server answer into camelCase fields', () => {
    const message = "Task 1 'Export Data to File' failed with: No analysis loaded."
    expect(
      parseJobStatus(JSON.stringify({ JobId: JOB_ID, StatusCode: 'Failed', Message: message })),
    ).toEqual({ jobId: JOB_ID, statusCode: 'Failed', message })
  })

  it('reads the answer for a library job that is not found, zero id and all', () => {
    expect(
      parseJobStatus(
        JSON.stringify({
          JobId: ZERO_JOB_ID,
          StatusCode: 'Failed',
          Message: 'Job file not found or no access.',
        }),
      ),
    ).toEqual({
      jobId: ZERO_JOB_ID,
      statusCode: 'Failed',
      message: 'Job file not found or no access.',
    })
  })

  it('gives the status its canonical spelling, trimmed', () => {
    expect(
      parseJobStatus(JSON.stringify({ JobId: JOB_ID, StatusCode: ' INPROGRESS ', Message: '' })),
    ).toEqual({ jobId: JOB_ID, statusCode: 'InProgress', message: '' })
  })

  it("keeps a newer server's status word as it is", () => {
    expect(
      parseJobStatus(JSON.stringify({ JobId: JOB_ID, StatusCode: 'Paused', Message: '' }))
        ?.statusCode,
    ).toBe('Paused')
  })

  it('keeps the message verbatim, line breaks and all', () => {
    const message = 'line one\r\nline two\u0000 <b>html</b>'
    expect(
      parseJobStatus(JSON.stringify({ JobId: JOB_ID, StatusCode: 'Failed', Message: message }))
        ?.message,
    ).toBe(message)
  })

  it('ignores extra fields', () => {
    expect(
      parseJobStatus(
        JSON.stringify({ JobId: JOB_ID, StatusCode: 'Queued', Message: '', Extra: { a: 1 } }),
      ),
    ).toEqual({ jobId: JOB_ID, statusCode: 'Queued', message: '' })
  })

  it.each([
    ['missing', { JobId: JOB_ID, StatusCode: 'InProgress' }],
    ['null', { JobId: JOB_ID, StatusCode: 'InProgress', Message: null }],
    ['a number', { JobId: JOB_ID, StatusCode: 'InProgress', Message: 5 }],
    ['an object', { JobId: JOB_ID, StatusCode: 'InProgress', Message: { text: 'x' } }],
  ])('reads a Message that is %s as empty', (_what, body) => {
    expect(parseJobStatus(JSON.stringify(body))).toEqual({
      jobId: JOB_ID,
      statusCode: 'InProgress',
      message: '',
    })
  })

  it.each([
    ['a numeric StatusCode', { JobId: JOB_ID, StatusCode: 3, Message: '' }],
    ['an empty StatusCode', { JobId: JOB_ID, StatusCode: '', Message: '' }],
    ['a blank StatusCode', { JobId: JOB_ID, StatusCode: '   ', Message: '' }],
    ['no StatusCode', { JobId: JOB_ID, Message: '' }],
    ['a numeric JobId', { JobId: 7, StatusCode: 'Queued' }],
    ['an empty JobId', { JobId: '', StatusCode: 'Queued' }],
    ['no JobId', { StatusCode: 'Queued' }],
    ['camelCase keys', { jobId: JOB_ID, statusCode: 'Queued', message: '' }],
    ['an array', [JOB_ID, 'Queued']],
    ['null', null],
    ['a string', 'Queued'],
    ['a number', 42],
  ])('rejects a body with %s', (_what, body) => {
    expect(parseJobStatus(JSON.stringify(body))).toBeUndefined()
  })

  it.each([
    ['HTML', '<html><body>Service Unavailable</body></html>'],
    ['empty', ''],
    ['truncated JSON', `{"JobId": "${JOB_ID}", "StatusCode": "Fin`],
    ['JSON with a byte-order mark', `\ufeff{"JobId": "${JOB_ID}", "StatusCode": "Queued"}`],
  ])('rejects a body that is %s', (_what, body) => {
    expect(parseJobStatus(body)).toBeUndefined()
  })
})

describe('statusName', () => {
  it('shows a known status as it is', () => {
    expect(statusName('InProgress')).toBe('InProgress')
  })

  it('cuts a long status word at 40 characters, and marks the cut', () => {
    expect(statusName('S'.repeat(100))).toBe(`${'S'.repeat(40)}…`)
    expect(statusName('S'.repeat(40))).toBe('S'.repeat(40))
  })

  it('keeps a status on one line, controls made visible', () => {
    expect(statusName('Odd\n::error::x\u0007')).toBe('Odd ⏎ ::error::x\\u0007')
  })

  it('never splits a character made of two UTF-16 units', () => {
    const name = statusName(`${'S'.repeat(39)}😀 and more`)
    expect(name).toBe(`${'S'.repeat(39)}…`)
  })
})

describe('a long message', () => {
  it('keeps 10,000 characters of it, in a string of its own, with a marker', () => {
    // BUG fixed: 256 jobs with 8 MiB messages each kept all of it, and the step ran out of heap.
    const long = 'x'.repeat(50_000)
    const message = parseJobStatus(
      JSON.stringify({ JobId: JOB_ID, StatusCode: 'Failed', Message: long }),
    )?.message
    expect(message?.startsWith('x'.repeat(MAX_MESSAGE_LENGTH))).toBe(true)
    expect(message).toContain(`[${String(50_000 - MAX_MESSAGE_LENGTH)} characters cut]`)
    expect(message?.length).toBeLessThan(MAX_MESSAGE_LENGTH + 40)
    expect(MAX_MESSAGE_LENGTH).toBe(10_000)
  })
})
