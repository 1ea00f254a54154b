import { describe, expect, it } from '@jest/globals'
import { DRY_RUN_BUDGET_MS, dryRun, type DryRunReport } from '../../src/flow/dry-run.js'
import { openSession } from '../../src/flow/session.js'
import type { Settings } from '../../src/settings/index.js'
import { SpotfireError } from '../../src/spotfire/errors.js'
import type { HttpRequest } from '../../src/spotfire/http.js'
import { ZERO_JOB_ID } from '../../src/spotfire/status.js'
import { inputWords, silentLogger, type Logger } from '../../src/spotfire/types.js'
import { dryRunVerdict } from '../../src/report/summary.js'
import { FakeClock, T0 } from './fake-clock.js'
import { settingsOf } from './settings-fixture.js'
import {
  type Answer,
  FakeTransport,
  isTokenRequest,
  json,
  text,
  tokenAnswer,
} from './fake-transport.js'

const MINUTE = 60_000

async function dryRunWith(
  transport: FakeTransport | ((clock: FakeClock) => FakeTransport),
  overrides: Partial<Settings> = {},
  logger: Logger = silentLogger,
): Promise<{ report: DryRunReport; clock: FakeClock }> {
  const clock = new FakeClock()
  const settings = settingsOf([{ kind: 'library-path', path: '/Jobs/A' }], {
    dryRun: true,
    ...overrides,
  })
  const session = openSession(settings, {
    clock,
    logger: silentLogger,
    onToken: () => undefined,
    transport: typeof transport === 'function' ? transport(clock) : transport,
    random: () => 0.5,
  })
  const report = await dryRun(settings, session, { clock, logger, words: inputWords })
  return { report, clock }
}

const probeAnswer = (answer: Answer): FakeTransport =>
  new FakeTransport([answer], { autoTokens: true })

const check = (report: DryRunReport, name: string): DryRunReport['checks'][number] | undefined =>
  report.checks.find((c) => c.name === name)

describe('the dry run’s probe of the REST API', () => {
  it.each([
    [
      'a status of the zero job id',
      json(200, { JobId: ZERO_JOB_ID, StatusCode: 'Missing', Message: '' }),
    ],
    ['a JSON 404, the API’s not-found', json(404, { error: 'not found' })],
    [
      'a JSON 400 from a server that checks job ids',
      json(400, { status: 400, error: 'Bad Request', message: 'Invalid job id' }),
    ],
  ])('counts %s: the API answered with the token’s authority', async (_, answer) => {
    const { report } = await dryRunWith(probeAnswer(answer))
    expect(check(report, 'REST API')).toMatchObject({ ok: true })
    expect(report.ok).toBe(true)
  })

  it.each([
    ['an HTML 404 page', text(404, '<html><body>Not Found</body></html>')],
    ['an HTML 400 page', text(400, '<html><body>Bad request</body></html>')],
    ['a 403', json(403, { error: 'forbidden' })],
  ])('fails on %s', async (_, answer) => {
    const { report } = await dryRunWith(
      new FakeTransport([answer, answer, answer], { autoTokens: true }),
    )
    expect(check(report, 'REST API')).toMatchObject({ ok: false })
    expect(report.ok).toBe(false)
  })

  it('fails on a 401 that a fresh token does not cure', async () => {
    const refused = json(401, { error: 'unauthorized' })
    const { report } = await dryRunWith(new FakeTransport([refused, refused], { autoTokens: true }))
    expect(check(report, 'REST API')).toMatchObject({ ok: false })
  })
})

describe('a dry run against a server it cannot reach', () => {
  /** A request that hangs until its own timeout, in virtual time. */
  const hangs =
    (clock: FakeClock) =>
    (request: HttpRequest): SpotfireError => {
      clock.advance(request.timeoutMs ?? 30_000)
      return new SpotfireError(
        'no answer from POST https://spotfire.example.com in time',
        'no-answer',
        {
          code: 'TIMEOUT',
        },
      )
    }

  it.each([
    [
      'refuses connections',
      () =>
        new SpotfireError(
          'cannot connect to POST https://spotfire.example.com (ECONNREFUSED)',
          'not-sent',
          { code: 'ECONNREFUSED' },
        ),
      /nothing listens/i,
    ],
    [
      'resets them',
      () =>
        new SpotfireError(
          'connection to POST https://spotfire.example.com failed (ECONNRESET)',
          'no-answer',
          { code: 'ECONNRESET' },
        ),
      /reset/i,
    ],
  ])('that %s fails within seconds, with the advice', async (_, fault, advice) => {
    const transport = new FakeTransport([], { otherwise: fault })
    const { report, clock } = await dryRunWith(transport)
    expect(report.ok).toBe(false)
    expect(check(report, 'connection')?.detail).toMatch(advice)
    expect(clock.elapsed()).toBeLessThanOrEqual(DRY_RUN_BUDGET_MS)
  })

  it('that never answers fails within seconds, whatever timeout and request-timeout say', async () => {
    const { report, clock } = await dryRunWith(
      (clock) => new FakeTransport([], { otherwise: hangs(clock) }),
      { timeoutMs: 30 * MINUTE, requestTimeoutMs: 5 * MINUTE },
    )
    expect(report.ok).toBe(false)
    expect(check(report, 'connection')?.detail).toMatch(/server did not answer in time/i)
    expect(clock.elapsed()).toBeLessThanOrEqual(DRY_RUN_BUDGET_MS)
  })

  it('still waits for a slow token endpoint that answers within the budget', async () => {
    const { report, clock } = await dryRunWith(
      (clock) =>
        new FakeTransport([], {
          otherwise: (request) => {
            if (!isTokenRequest(request)) return json(404, { error: 'not found' })
            clock.advance(3000)
            return tokenAnswer('token-1')
          },
        }),
    )
    expect(report.ok).toBe(true)
    expect(clock.now()).toBeGreaterThanOrEqual(T0 + 3000)
  })
})

describe('what a dry run says', () => {
  const recorder = (): { logger: Logger; lines: string[] } => {
    const lines: string[] = []
    const push = (m: string): void => {
      lines.push(m)
    }
    return { logger: { debug: () => undefined, info: push, warning: push }, lines }
  }

  it('counts the jobs in words', async () => {
    const ok = json(200, { JobId: ZERO_JOB_ID, StatusCode: 'Missing', Message: '' })
    const one = await dryRunWith(probeAnswer(ok))
    expect(check(one.report, 'inputs')?.detail).toBe('1 job, every input valid')
    const two = await dryRunWith(probeAnswer(ok), {
      jobs: [
        { kind: 'library-path', path: '/Jobs/A' },
        { kind: 'library-path', path: '/Jobs/B' },
      ],
    })
    expect(check(two.report, 'inputs')?.detail).toBe('2 jobs, every input valid')
  })

  it('gives the failure once: in the verdict, not in the log before it', async () => {
    // BUG fixed: the failing check's whole text was logged, then repeated by the step's error.
    const { logger, lines } = recorder()
    const forbidden = json(403, { error: 'forbidden' })
    const { report } = await dryRunWith(
      new FakeTransport([forbidden, forbidden, forbidden], { autoTokens: true }),
      {},
      logger,
    )
    const failure = check(report, 'REST API')
    expect(failure?.ok).toBe(false)
    const detail = failure?.detail ?? ''
    expect(lines.filter((line) => line.includes(detail))).toEqual([])
    expect(lines).toContain('FAILED: REST API (the error below says why)')
    expect(dryRunVerdict(report)).toContain(detail)
    expect(lines.some((line) => line.startsWith('ok: inputs: '))).toBe(true)
  })
})
