import { describe, expect, it } from '@jest/globals'
import { Ledger, type LedgerEntry, parseLedger } from '../../src/jobs/ledger.js'
import { T0 } from './fake-clock.js'
import { JOB_ID } from './fixtures.js'

const OTHER_ID = '11111111-2222-3333-4444-555555555555'

/** A ledger whose every save is kept as the post step would read it back: as JSON. */
function recorded(sources: string[]): { ledger: Ledger; saves: LedgerEntry[][] } {
  const saves: LedgerEntry[][] = []
  const ledger = new Ledger(sources, (entries) => {
    saves.push(parseLedger(JSON.stringify(entries)))
  })
  return { ledger, saves }
}

describe('Ledger', () => {
  it('saves nothing worth keeping before a start goes out', () => {
    const { ledger, saves } = recorded(['/Jobs/A', '/Jobs/B'])
    ledger.job(0).settled()
    expect(saves).toEqual([[]])
  })

  it('saves a job the moment its start goes out, before any answer', () => {
    const { ledger, saves } = recorded(['/Jobs/A', '/Jobs/B'])
    ledger.job(1).sending(T0)
    expect(saves.at(-1)).toEqual([{ source: '/Jobs/B', startSentAt: T0, settled: false }])
  })

  it('saves the id once the server accepted the job', () => {
    const { ledger, saves } = recorded(['/Jobs/A'])
    const job = ledger.job(0)
    job.sending(T0)
    job.known(JOB_ID)
    expect(saves.at(-1)).toEqual([
      { source: '/Jobs/A', startSentAt: T0, jobId: JOB_ID, settled: false },
    ])
  })

  it('drops a start the server did not accept', () => {
    const { ledger, saves } = recorded(['/Jobs/A'])
    const job = ledger.job(0)
    job.sending(T0)
    job.notAccepted()
    expect(saves.at(-1)).toEqual([])
    job.sending(T0 + 5000)
    expect(saves.at(-1)).toEqual([{ source: '/Jobs/A', startSentAt: T0 + 5000, settled: false }])
  })

  it('keeps a followed job (job-id), which has an id and no start', () => {
    const { ledger, saves } = recorded([`job ${JOB_ID}`])
    ledger.job(0).known(JOB_ID)
    expect(saves.at(-1)).toEqual([{ source: `job ${JOB_ID}`, jobId: JOB_ID, settled: false }])
  })

  it('marks a job settled, so that the post step leaves it alone', () => {
    const { ledger, saves } = recorded(['/Jobs/A'])
    const job = ledger.job(0)
    job.sending(T0)
    job.known(JOB_ID)
    job.settled()
    expect(saves.at(-1)).toEqual([
      { source: '/Jobs/A', startSentAt: T0, jobId: JOB_ID, settled: true },
    ])
  })

  it('records a failed abort for the post step, and forgets it once the job is settled', () => {
    const { ledger, saves } = recorded(['/Jobs/A'])
    const job = ledger.job(0)
    job.sending(T0)
    job.known(JOB_ID)
    job.abortFailed('timeout')
    expect(saves.at(-1)).toEqual([
      {
        source: '/Jobs/A',
        startSentAt: T0,
        jobId: JOB_ID,
        settled: false,
        pendingAbort: 'timeout',
      },
    ])
    job.settled()
    expect(saves.at(-1)).toEqual([
      { source: '/Jobs/A', startSentAt: T0, jobId: JOB_ID, settled: true },
    ])
  })

  it('saves after every change, with only the jobs worth keeping, in input order', () => {
    const { ledger, saves } = recorded(['/Jobs/A', '/Jobs/B', '/Jobs/C'])
    ledger.job(2).sending(T0)
    ledger.job(0).sending(T0 + 1)
    ledger.job(2).known(OTHER_ID)
    expect(saves).toHaveLength(3)
    expect(saves.at(-1)?.map((e) => e.source)).toEqual(['/Jobs/A', '/Jobs/C'])
    expect(saves.at(-1)?.[1]?.jobId).toBe(OTHER_ID)
  })

  it('keeps each job to its own entry', () => {
    const { ledger, saves } = recorded(['/Jobs/A', '/Jobs/B'])
    const a = ledger.job(0)
    const b = ledger.job(1)
    a.sending(T0)
    b.sending(T0)
    a.known(JOB_ID)
    b.abortFailed('cancelled')
    expect(saves.at(-1)).toEqual([
      { source: '/Jobs/A', startSentAt: T0, jobId: JOB_ID, settled: false },
      { source: '/Jobs/B', startSentAt: T0, settled: false, pendingAbort: 'cancelled' },
    ])
  })

  it('ignores a handle for a job it does not have', () => {
    const { ledger, saves } = recorded(['/Jobs/A'])
    ledger.job(5).known(JOB_ID)
    expect(saves).toEqual([])
  })

  it('works without a save function', () => {
    const ledger = new Ledger(['/Jobs/A'])
    expect(() => {
      ledger.job(0).sending(T0)
    }).not.toThrow()
  })
})

describe('parseLedger', () => {
  it('reads back what the ledger saved', () => {
    const entries: LedgerEntry[] = [
      {
        source: '/Jobs/A',
        startSentAt: T0,
        jobId: JOB_ID,
        settled: false,
        pendingAbort: 'gave-up',
      },
      { source: 'jobs/b.xml', startSentAt: T0, settled: true },
    ]
    expect(parseLedger(JSON.stringify(entries))).toEqual(entries)
  })

  it.each(['', 'not json', '{"source":"x"}', '"text"', '42', 'null', '{'])(
    'reads %j as no entries',
    (text) => {
      expect(parseLedger(text)).toEqual([])
    },
  )

  it('skips items that are not objects', () => {
    expect(
      parseLedger(JSON.stringify([null, 1, 'x', true, { source: '/Jobs/A', jobId: JOB_ID }])),
    ).toEqual([{ source: '/Jobs/A', jobId: JOB_ID, settled: false }])
  })

  it('drops fields of the wrong type, and keeps the rest', () => {
    expect(
      parseLedger(
        JSON.stringify([
          {
            source: 7,
            startSentAt: 'yesterday',
            jobId: 42,
            settled: 'true',
            pendingAbort: 'because',
          },
          { source: '/Jobs/B', jobId: '', pendingAbort: 'fail-fast', settled: true },
        ]),
      ),
    ).toEqual([
      { source: '', settled: false },
      { source: '/Jobs/B', settled: true, pendingAbort: 'fail-fast' },
    ])
  })

  it.each(['timeout', 'cancelled', 'fail-fast', 'gave-up'])('keeps the abort reason %j', (why) => {
    expect(parseLedger(JSON.stringify([{ source: 's', pendingAbort: why }]))[0]?.pendingAbort).toBe(
      why,
    )
  })
})
