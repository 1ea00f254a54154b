import { describe, expect, it } from '@jest/globals'
import {
  classifyStatus,
  isTerminal,
  parseJobStatus,
  TERMINAL_STATUSES,
} from '../../src/spotfire/status.js'
import { JOB_ID } from './fixtures.js'

describe('classifyStatus', () => {
  it.each([
    ['Queued', 'running', false],
    ['InProgress', 'running', false],
    ['Finished', 'finished', true],
    ['Failed', 'failed', true],
    ['Canceled', 'failed', true],
    ['Missing', 'failed', true],
    ['NotSet', 'failed', true],
    ['Busy', 'busy', false],
    ['Paused', 'unknown', false],
    ['finished', 'unknown', false],
    ['', 'unknown', false],
  ])('classifies %j as %s (terminal: %s)', (statusCode, kind, terminal) => {
    expect(classifyStatus(statusCode)).toBe(kind)
    expect(isTerminal(statusCode)).toBe(terminal)
  })

  it('lists exactly the terminal statuses of the API sheet', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(
      ['Canceled', 'Failed', 'Finished', 'Missing', 'NotSet'].sort(),
    )
  })
})

describe('parseJobStatus', () => {
  it('reads the server answer into camelCase fields', () => {
    const message = "Task 1 'Export Data to File' failed with: No analysis loaded."
    expect(
      parseJobStatus(JSON.stringify({ JobId: JOB_ID, StatusCode: 'Failed', Message: message })),
    ).toEqual({ jobId: JOB_ID, statusCode: 'Failed', message })
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
    ['no StatusCode', { JobId: JOB_ID, Message: '' }],
    ['a numeric JobId', { JobId: 7, StatusCode: 'Queued' }],
    ['no JobId', { StatusCode: 'Queued' }],
    ['camelCase keys', { jobId: JOB_ID, statusCode: 'Queued', message: '' }],
    ['an array', [JOB_ID, 'Queued']],
    ['null', null],
    ['a string', 'Queued'],
  ])('rejects a body with %s', (_what, body) => {
    expect(parseJobStatus(JSON.stringify(body))).toBeUndefined()
  })

  it.each([
    ['HTML', '<html><body>Service Unavailable</body></html>'],
    ['empty', ''],
    ['truncated JSON', `{"JobId": "${JOB_ID}", "StatusCode": "Fin`],
  ])('rejects a body that is %s', (_what, body) => {
    expect(parseJobStatus(body)).toBeUndefined()
  })
})
