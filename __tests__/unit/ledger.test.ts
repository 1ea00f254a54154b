import { describe, expect, it } from '@jest/globals'
import {
  Ledger,
  ledgerKey,
  type LedgerEntry,
  readLedger,
  SAVED_SOURCE_LENGTH,
  savedEntry,
} from '../../src/jobs/ledger.js'
import { RunningIds, RUNNING_IDS_BUDGET_BYTES } from '../../src/report/outputs.js'
import { T0 } from './fake-clock.js'
import { JOB_ID } from './fixtures.js'

const OTHER_ID = '11111111-2222-3333-4444-555555555555'

/** A ledger whose every save is kept, as it was at that moment. */
function recorded(sources: string[]): { ledger: Ledger; saves: LedgerEntry[][] } {
  const saves: LedgerEntry[][] = []
  const ledger = new Ledger(sources, (entries) => {
    saves.push(entries.map((e) => ({ ...e })))
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

/** What @actions/core appends to GITHUB_STATE or GITHUB_OUTPUT for one value: name<<delimiter. */
const fileCommandBytes = (name: string, value: string): number =>
  Buffer.byteLength(
    `${name}<<ghadelimiter_${'0'.repeat(36)}\n${value}\nghadelimiter_${'0'.repeat(36)}\n`,
  )

describe('savedEntry', () => {
  it('keeps the source and the time of a start whose answer has not come', () => {
    expect(JSON.parse(savedEntry({ source: '/Jobs/A', startSentAt: T0, settled: false }))).toEqual({
      source: '/Jobs/A',
      startSentAt: T0,
    })
  })

  it('keeps only the id (and a failed abort) once the id is known', () => {
    const entry: LedgerEntry = { source: '/Jobs/A', startSentAt: T0, jobId: JOB_ID, settled: false }
    expect(JSON.parse(savedEntry(entry))).toEqual({ jobId: JOB_ID })
    expect(JSON.parse(savedEntry({ ...entry, pendingAbort: 'timeout' }))).toEqual({
      jobId: JOB_ID,
      pendingAbort: 'timeout',
    })
  })

  it('is empty when nothing is left to do', () => {
    expect(savedEntry({ source: '/Jobs/A', jobId: JOB_ID, settled: true })).toBe('')
    expect(savedEntry({ source: '/Jobs/A', settled: false })).toBe('')
  })

  it(`cuts a long source at ${String(SAVED_SOURCE_LENGTH)} characters`, () => {
    const saved = savedEntry({ source: 'x'.repeat(5000), startSentAt: T0, settled: false })
    expect(saved.length).toBeLessThan(SAVED_SOURCE_LENGTH + 80)
  })

  it('keeps GITHUB_STATE under 1 MiB and every value under 16 KiB for 1,000 jobs, 64 at a time', () => {
    // BUG fixed: every entry with a start was saved after every change: 128 jobs wrote 8 MB, and
    // 256 long paths made one value of 140 KB, over Linux's 128 KiB for one environment variable.
    const n = 1000
    const parallel = 64
    const sources = Array.from(
      { length: n },
      (_, i) => `/Jobs/${'long folder name/'.repeat(20)}${String(i)}`,
    )
    const last = new Map<number, string>()
    const running = new RunningIds()
    let stateBytes = 0
    let outputBytes = 0
    let largest = 0
    const ledger = new Ledger(sources, (entries, { index, entry }) => {
      const value = savedEntry(entry)
      if (value !== (last.get(index) ?? '')) {
        stateBytes += fileCommandBytes(ledgerKey(index), value)
        largest = Math.max(largest, Buffer.byteLength(value))
        last.set(index, value)
      }
      const ids = running.next(entries)
      if (ids !== undefined) outputBytes += fileCommandBytes('job-id', ids)
    })
    for (let wave = 0; wave < n; wave += parallel) {
      const jobs = Array.from({ length: Math.min(parallel, n - wave) }, (_, i) => wave + i)
      for (const i of jobs) ledger.job(i).sending(T0 + i)
      for (const i of jobs)
        ledger.job(i).known(`${JOB_ID.slice(0, -4)}${String(i).padStart(4, '0')}`)
      // Every abort of the last wave fails: they stay for the post step.
      for (const i of jobs) {
        if (wave + parallel >= n) ledger.job(i).abortFailed('timeout')
        else ledger.job(i).settled()
      }
    }
    expect(largest).toBeLessThan(16 * 1024)
    expect(stateBytes).toBeLessThan(1024 * 1024)
    expect(outputBytes).toBeLessThan(RUNNING_IDS_BUDGET_BYTES + 64 * 1024)
    // What the post step gets: the failed aborts, one small variable each.
    const { entries, problems } = readLedger(
      Object.fromEntries([...last].map(([i, v]) => [ledgerKey(i), v])),
    )
    expect(problems).toEqual([])
    expect(entries).toHaveLength(n % parallel)
    expect(entries.every((e) => e.pendingAbort === 'timeout')).toBe(true)
  })
})

describe('RunningIds', () => {
  const entry = (jobId: string, settled = false): LedgerEntry => ({ source: 's', jobId, settled })

  it('writes the running ids when a new one arrives, not when a job ends', () => {
    const ids = new RunningIds()
    expect(ids.next([entry(JOB_ID)])).toBe(JOB_ID)
    expect(ids.next([entry(JOB_ID)])).toBeUndefined()
    expect(ids.next([entry(JOB_ID, true)])).toBeUndefined()
    expect(ids.next([entry(JOB_ID, true), entry(OTHER_ID)])).toBe(OTHER_ID)
  })

  it('writes no more once its budget is spent', () => {
    const ids = new RunningIds(JOB_ID.length * 2)
    expect(ids.next([entry(JOB_ID)])).toBe(JOB_ID)
    expect(ids.next([entry(JOB_ID, true), entry(OTHER_ID)])).toBe(OTHER_ID)
    expect(ids.next([entry('third')])).toBeUndefined()
  })
})

describe('readLedger', () => {
  const state = (values: string[]): Record<string, string> =>
    Object.fromEntries(values.map((v, i) => [ledgerKey(i), v]))

  it('reads back what was saved, in job order, skipping settled jobs', () => {
    const saved = {
      [ledgerKey(10)]: savedEntry({ source: '/Jobs/K', startSentAt: T0, settled: false }),
      [ledgerKey(2)]: savedEntry({
        source: '/Jobs/C',
        jobId: JOB_ID,
        settled: false,
        pendingAbort: 'gave-up',
      }),
      [ledgerKey(3)]: '',
      other: 'not ours',
    }
    expect(readLedger(saved)).toEqual({
      entries: [
        { source: '', jobId: JOB_ID, settled: false, pendingAbort: 'gave-up' },
        { source: '/Jobs/K', startSentAt: T0, settled: false },
      ],
      problems: [],
    })
  })

  it('names each entry it cannot read, and keeps the others', () => {
    // BUG fixed: a truncated ledger was silently ignored, and a bad time crashed the post step.
    const { entries, problems } = readLedger(
      state([
        '{"jobId":"7d5cf4e0-9106-48',
        `{"jobId":"${JOB_ID}"}`,
        '[1,2]',
        '{"source":"/Jobs/D","startSentAt":1e300}',
        '{"jobId":"a\\nb"}',
        '{"source":"/Jobs/F"}',
      ]),
    )
    expect(entries).toEqual([
      { source: '', jobId: JOB_ID, settled: false },
      { source: '/Jobs/D', startSentAt: Number.NaN, settled: false },
    ])
    expect(problems).toEqual([
      `job_0 is not JSON (cut short, or edited?): '{"jobId":"7d5cf4e0-9106-48'`,
      "job_2 is not an object with a jobId or a startSentAt: '[1,2]'",
      "job_3 has a startSentAt that is no time: '1e+300'",
      `job_4 has no usable jobId: '{"jobId":"a\\nb"}'`,
      `job_5 has neither a jobId nor a startSentAt: '{"source":"/Jobs/F"}'`,
    ])
  })

  it.each(['timeout', 'cancelled', 'fail-fast', 'internal-error', 'gave-up'])(
    'keeps the abort reason %j',
    (why) => {
      expect(
        readLedger(state([JSON.stringify({ jobId: JOB_ID, pendingAbort: why })])).entries[0]
          ?.pendingAbort,
      ).toBe(why)
    },
  )
})
