import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  startSimulator,
  type Lifecycle,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator/index.js'
import {
  baseInputs,
  DIST_POST,
  runAction,
  runCliProcess,
  SAMPLE_JOB,
  tokensSeen,
  type ActionRun,
} from './harness.js'
import { startProxy, type TestProxy } from './proxy.js'

/**
 * What an attacker, a broken proxy or a hostile server can do to a run, and the promise that must
 * hold anyway. Every test runs dist/ against the simulator on 127.0.0.1.
 */

const LIBRARY_ID = '5f0c2a1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b'
const QUICK: Lifecycle = {
  phases: [
    { status: 'Queued', polls: 1 },
    { status: 'InProgress', polls: 1 },
  ],
  final: { status: 'Finished', message: '' },
}
const FOREVER: Lifecycle = { phases: [{ status: 'InProgress' }], final: { status: 'Finished' } }
const job = { 'library-path': '/Jobs/Refresh' }

const sims: Simulator[] = []
const proxies: TestProxy[] = []
async function simulator(options: SimulatorOptions = {}, lifecycle = QUICK): Promise<Simulator> {
  const sim = await startSimulator({
    library: [{ path: '/Jobs/Refresh', id: LIBRARY_ID, lifecycle }],
    inlineLifecycle: QUICK,
    ...options,
  })
  sims.push(sim)
  return sim
}
afterEach(async () => {
  await Promise.all([...sims.splice(0), ...proxies.splice(0)].map((s) => s.close()))
})

const errorOf = (run: ActionRun): string =>
  run.annotations.find((a) => a.level === 'error')?.message ?? ''
const warningsOf = (run: ActionRun): string[] =>
  run.annotations.filter((a) => a.level === 'warning').map((a) => a.message)
const count = (sim: Simulator, endpoint: string): number =>
  sim.requests.filter((r) => r.endpoint === endpoint).length

describe('a server in trouble never sees a retry storm', () => {
  it.each([
    ['Retry-After: 0', '0'],
    ['a Retry-After date in the past', 'Wed, 21 Oct 2015 07:28:00 GMT'],
  ])('status checks answered 503 with %s back off', async (_name, retryAfter) => {
    const sim = await simulator({}, FOREVER)
    sim.update({
      faults: (endpoint) =>
        endpoint === 'status' ? { type: 'http', status: 503, retryAfter } : undefined,
    })
    const run = await runAction({ inputs: baseInputs(sim.url, { ...job, timeout: '5s' }) })
    expect(run.exitCode).not.toBe(0)
    // 5 s of a failing server: a growing backoff from a floor of at least 250 ms asks a handful
    // of times; a storm asked thousands.
    expect(count(sim, 'status')).toBeLessThan(12)
    expect(sim.jobs[0]?.status).toBe('Canceled')
  })

  it('starts answered 429 with Retry-After: 0 back off too', async () => {
    const sim = await simulator({
      faults: (endpoint) =>
        endpoint === 'start-library' ? { type: 'http', status: 429, retryAfter: '0' } : undefined,
    })
    const run = await runAction({ inputs: baseInputs(sim.url, { ...job, timeout: '5s' }) })
    expect(run.exitCode).not.toBe(0)
    expect(count(sim, 'start-library')).toBeLessThan(12)
    expect(sim.jobs).toHaveLength(0)
  })

  it('a poll-interval under 1 s is accepted with a warning, and polls still keep a floor', async () => {
    const sim = await simulator()
    const run = await runAction({
      inputs: baseInputs(sim.url, { ...job, 'poll-interval': '50ms', 'request-timeout': '800ms' }),
    })
    expect(run.exitCode).toBe(0)
    const warnings = warningsOf(run).join('\n')
    expect(warnings).toContain('poll-interval')
    expect(warnings).toContain('request-timeout')
    const polls = sim.requests.filter((r) => r.endpoint === 'status')
    expect(polls.length).toBeGreaterThanOrEqual(2)
  })
})

describe('the deadline is kept, and says how the job really ended', () => {
  it('stops at the timeout even while a status answer trickles in byte by byte', async () => {
    const sim = await simulator({}, FOREVER)
    sim.update({
      faults: (endpoint, n) =>
        endpoint === 'status' && n >= 2 ? { type: 'trickle', intervalMs: 1000 } : undefined,
    })
    const run = await runAction({
      inputs: baseInputs(sim.url, { ...job, timeout: '4s', 'request-timeout': '50s' }),
    })
    expect(run.exitCode).not.toBe(0)
    expect(run.outputs['timed-out']).toBe('true')
    // The action's own measure of the wait: the deadline, not the request's 50 s limit.
    expect(Number(run.outputs['duration-seconds'])).toBeLessThan(10)
    expect(sim.jobs[0]?.status).toBe('Canceled')
  })

  it('a job that finished before the deadline is reported finished, not timed out', async () => {
    const sim = await simulator(
      {},
      { phases: [{ status: 'InProgress', ms: 1500 }], final: { status: 'Finished', message: '' } },
    )
    // The poll under way at the deadline is stuck in a slow answer; the job ends meanwhile.
    sim.update({
      faults: (endpoint, n) =>
        endpoint === 'status' && n === 2 ? { type: 'slow', ms: 8000 } : undefined,
    })
    const run = await runAction({
      inputs: baseInputs(sim.url, { ...job, timeout: '3s', 'poll-interval': '500ms' }),
    })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ status: 'Finished', 'timed-out': 'false' })
    expect(sim.jobs[0]?.abortReasons).toEqual([])
  })
})

describe('failures are described as what they are', () => {
  it.each([501, 505])(
    'a token endpoint answering %i is not a start that may have landed',
    async (status) => {
      const sim = await simulator({
        faults: (endpoint) => (endpoint === 'token' ? { type: 'http', status } : undefined),
      })
      const run = await runAction({ inputs: baseInputs(sim.url, { ...job, timeout: '3s' }) })
      expect(run.exitCode).not.toBe(0)
      expect(count(sim, 'start-library')).toBe(0)
      expect(errorOf(run)).toContain(`HTTP ${status}`)
      expect(errorOf(run)).not.toContain('may have reached the server')
      expect(errorOf(run)).not.toContain('may be running')
    },
  )

  it('after a give-up, the error names the last cause: HTML pages instead of the API', async () => {
    const sim = await simulator({}, FOREVER)
    sim.update({
      faults: (endpoint) =>
        endpoint === 'status' ? { type: 'http', status: 404, html: true } : undefined,
    })
    const run = await runAction({ inputs: baseInputs(sim.url, { ...job, timeout: '3s' }) })
    expect(run.exitCode).not.toBe(0)
    expect(run.outputs.status).not.toBe('Missing')
    expect(errorOf(run)).toMatch(/HTML/)
    // Nothing known about the job: it is aborted as for any give-up.
    expect(sim.jobs[0]?.abortReasons).toHaveLength(1)
    expect(sim.jobs[0]?.status).toBe('Canceled')
  })
})

describe('TLS mistakes fail at once, with the fix', () => {
  const tls = (name: string): { cert: string; key: string } => ({
    cert: readFileSync(`__tests__/fixtures/tls/${name}cert.pem`, 'utf8'),
    key: readFileSync(`__tests__/fixtures/tls/${name}key.pem`, 'utf8'),
  })

  it('https:// against a plain-http port', async () => {
    const sim = await simulator()
    const url = sim.url.replace('http://', 'https://')
    const run = await runAction({ inputs: baseInputs(url, { ...job, timeout: '20s' }) })
    expect(run.exitCode).not.toBe(0)
    expect(errorOf(run)).toContain('no TLS at this address')
    expect(errorOf(run)).toContain('http://')
    expect(run.log).not.toContain('Retrying')
  })

  it('a certificate that does not name the host', async () => {
    const pair = tls('other-name-')
    const sim = await simulator({ tls: pair })
    const run = await runAction({
      inputs: baseInputs(sim.url, { ...job, 'ca-certificate': pair.cert, timeout: '20s' }),
    })
    expect(run.exitCode).not.toBe(0)
    expect(errorOf(run)).toContain('spotfire.example.com')
    expect(errorOf(run)).toMatch(/host name the certificate names/)
    expect(errorOf(run)).not.toContain('pass it in ca-certificate')
    expect(run.log).not.toContain('Retrying')
  })
})

describe('only the API itself can say a job is Missing', () => {
  it('a proxy 404 page on a status check is retried, not taken for Missing', async () => {
    const sim = await simulator()
    sim.update({
      faults: { status: { 1: { type: 'http', status: 404, html: true } } },
    })
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.status).toBe('Finished')
  })

  it('a Missing just after the start is checked again before it is believed', async () => {
    const sim = await simulator()
    sim.update({ faults: { status: { 1: { type: 'not-found' } } } })
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.status).toBe('Finished')
  })

  it('a job that stays Missing for 10 s is aborted anyway, then reported Missing', async () => {
    const sim = await simulator({ unknownJob: 'missing' }, FOREVER)
    sim.update({
      faults: (endpoint) =>
        endpoint === 'status' || endpoint === 'abort' ? { type: 'not-found' } : undefined,
    })
    const run = await runAction({ inputs: baseInputs(sim.url, { ...job, timeout: '1m' }) })
    expect(run.exitCode).not.toBe(0)
    expect(run.outputs.status).toBe('Missing')
    expect(run.outputs['timed-out']).toBe('false')
    expect(sim.requests.filter((r) => r.endpoint === 'abort')).toHaveLength(1)
  })

  it('a job that answers Missing but runs on is stopped by that abort', async () => {
    const sim = await simulator({ unknownJob: 'missing' }, FOREVER)
    sim.update({
      faults: (endpoint) => (endpoint === 'status' ? { type: 'not-found' } : undefined),
    })
    const run = await runAction({ inputs: baseInputs(sim.url, { ...job, timeout: '1m' }) })
    expect(run.exitCode).not.toBe(0)
    expect(sim.jobs[0]?.abortReasons).toHaveLength(1)
    expect(run.outputs.status).toBe('Canceled')
    expect(errorOf(run)).toContain('Lost track of job')
  })
})

describe('text from the server is data, never a workflow command or markdown', () => {
  const hostileMessage =
    'boom\n::error::injected annotation\n##[error]legacy injected\r::add-mask::x\n' +
    '[click me](https://evil.example/phish) ![](https://evil.example/pixel.png) <img src=x> **loud** | cell'

  it('a failure message cannot start a workflow command or render as markdown', async () => {
    const sim = await simulator(
      {},
      {
        phases: [{ status: 'InProgress\n::warning::injected status', polls: 1 }],
        final: { status: 'Failed', message: hostileMessage },
      },
    )
    const run = await runAction({
      inputs: baseInputs(sim.url, job),
      env: { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' },
    })
    expect(run.exitCode).not.toBe(0)
    // Every command the runner would read from the log is one of the action's own.
    const commands = runnerCommands(run.log)
    expect(commands.filter((c) => /^(injected|legacy|x$)/.test(c.data))).toEqual([])
    expect(commands.filter((c) => c.command === 'add-mask' && c.data === 'x')).toEqual([])
    expect(run.annotations.filter((a) => a.level === 'error')).toHaveLength(1)
    for (const annotation of run.annotations) {
      expect(annotation.message).not.toMatch(/^(injected|legacy)/)
    }
    // The output keeps the message verbatim: it is data for the next step.
    expect(run.outputs.message).toBe(hostileMessage)
    // The summary shows it, inert: no link, image or emphasis comes from the server's text.
    const html = await renderMarkdown(run.summary)
    expect(html).not.toContain('evil.example/phish"')
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<strong>loud')
    expect(html).toContain('click me')
  })
})

describe('nothing read from outside is unbounded', () => {
  it('a 50 MB status answer is cut off at the cap and retried, not read whole', async () => {
    const sim = await simulator()
    sim.update({ faults: { status: { 1: { type: 'oversize', bytes: 50 * 1024 * 1024 } } } })
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.log).toMatch(/larger than 8 MiB/)
  })

  it('a 5 MB message is cut, with a marker, in outputs, annotation and summary', async () => {
    const huge = `Task 1 'Export' failed with: ${'x'.repeat(5 * 1024 * 1024)}`
    const sim = await simulator(
      {},
      { phases: [{ status: 'InProgress', polls: 1 }], final: { status: 'Failed', message: huge } },
    )
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(run.exitCode).not.toBe(0)
    const message = run.outputs.message ?? ''
    expect(message.length).toBeLessThan(100_000)
    expect(message.startsWith("Task 1 'Export' failed with: xxx")).toBe(true)
    expect(message).toMatch(/characters cut/)
    expect(errorOf(run).length).toBeLessThan(20_000)
    expect(errorOf(run)).toMatch(/characters cut/)
    expect(Buffer.byteLength(run.summary)).toBeLessThan(1024 * 1024)
    expect(run.summary).toMatch(/characters cut/)
  })

  it('job-file reads regular files only: /dev/zero is refused at once', async () => {
    const sim = await simulator()
    const run = await runAction({ inputs: baseInputs(sim.url, { 'job-file': '/dev/zero' }) })
    expect(run.exitCode).not.toBe(0)
    expect(errorOf(run)).toContain('not a regular file')
    expect(sim.requests).toEqual([])
  })

  it('a job file over the size limit is refused', async () => {
    const sim = await simulator()
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'job-file': 'big.xml' }),
      files: { 'big.xml': `<!-- ${'x'.repeat(6 * 1024 * 1024)} -->` },
    })
    expect(run.exitCode).not.toBe(0)
    expect(errorOf(run)).toMatch(/larger than \d+ MiB/)
    expect(sim.requests).toEqual([])
  })
})

describe('job files', () => {
  it('a UTF-16 file (as some Windows tools save it) is read and sent as UTF-8', async () => {
    const sim = await simulator()
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(SAMPLE_JOB.replace('utf-8', 'utf-16').replace('${REGION}', 'EMEA'), 'utf16le'),
    ])
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'job-file': 'job.xml' }),
      files: { 'job.xml': utf16 },
    })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    const sent = sim.requests.find((r) => r.endpoint === 'start-content')?.body ?? ''
    expect(sent).toContain('Region="EMEA"')
    expect(sent).not.toContain('utf-16')
  })

  it('an error in a job file shows where, never what the file holds', async () => {
    const sim = await simulator()
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'job-file': 'secrets.env' }),
      files: {
        'secrets.env': 'API_TOKEN=${s3cr3t-value-4711}\n<as:Job s3cr3t-value-4711="1"></as:Jobs>',
      },
    })
    expect(run.exitCode).not.toBe(0)
    expect(errorOf(run)).toMatch(/line \d+/)
    expect(run.log).not.toContain('s3cr3t-value-4711')
  })
})

describe('validation reports every problem, whatever throws inside it', () => {
  // Deeper than the XML parser's limit of 100 nested tags.
  const DEEP_XML = `<as:Job xmlns:as="urn:tibco:spotfire.dxp.automation">${'<a>'.repeat(500)}${'</a>'.repeat(500)}</as:Job>`

  it('XML nested deeper than the parser allows is an input error beside the others', async () => {
    const sim = await simulator()
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'job-xml': DEEP_XML, timeout: 'soon' }),
    })
    expect(run.exitCode).not.toBe(0)
    expect(errorOf(run)).not.toContain('Unexpected error')
    expect(errorOf(run)).toContain("Invalid timeout 'soon'")
    expect(sim.requests).toEqual([])
  })

  it('the CLI reports it as invalid options, in JSON too', async () => {
    const sim = await simulator()
    const run = await runCliProcess([
      '--server-url',
      sim.url,
      '--job-xml',
      DEEP_XML,
      '--timeout',
      'soon',
      '--json',
    ])
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, outcome: 'invalid-options' })
    expect(run.stderr).not.toContain('Unexpected error')
  })
})

describe('a job id the action receives is a job it knows', () => {
  it('a Busy answer that carries a job id is followed, never started again', async () => {
    const sim = await simulator({
      faults: { 'start-library': { 1: { type: 'busy', withJob: true } } },
    })
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(sim.jobs).toHaveLength(1)
    expect(count(sim, 'start-library')).toBe(1)
    expect(run.outputs['job-id']).toBe(sim.jobs[0]?.id)
    expect(run.exitCode).toBe(0)
    expect(run.outputs.status).toBe('Finished')
  })

  it('status names are compared without regard to case', async () => {
    const sim = await simulator(
      {},
      { phases: [{ status: 'inprogress', polls: 1 }], final: { status: 'FINISHED', message: '' } },
    )
    const run = await runAction({ inputs: baseInputs(sim.url, { ...job, timeout: '20s' }) })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.status).toBe('Finished')
  })
})

describe('compatibility', () => {
  it('sends exactly application/xml, which a strict server requires', async () => {
    const sim = await simulator({ xmlContentType: 'exact' })
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'job-xml': SAMPLE_JOB, variables: 'REGION=EMEA' }),
    })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(sim.requests.find((r) => r.endpoint === 'start-content')?.headers['content-type']).toBe(
      'application/xml',
    )
  })

  it('a 415 answer says what was sent', async () => {
    const sim = await simulator({
      faults: { 'start-content': { 1: { type: 'http', status: 415 } } },
    })
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'job-xml': SAMPLE_JOB, variables: 'REGION=EMEA' }),
    })
    expect(run.exitCode).not.toBe(0)
    expect(errorOf(run)).toContain('HTTP 415')
    expect(errorOf(run)).toContain('Content-Type application/xml')
  })
})

describe('a start in flight when the runner kills the step', () => {
  it('the post step warns that a job may be running, naming its source and time', async () => {
    const sim = await simulator({
      faults: { 'start-library': { 1: { type: 'slow', ms: 5000 } } },
    })
    const main = await runAction({
      inputs: baseInputs(sim.url, job),
      onOutput: (log, step) => {
        if (log.includes('Starting')) {
          setTimeout(() => {
            step.kill('SIGKILL')
          }, 300)
        }
      },
    })
    expect(main.signal).toBe('SIGKILL')
    const post = await runAction({
      entry: DIST_POST,
      inputs: baseInputs(sim.url, job),
      state: main.state,
    })
    expect(post.exitCode).toBe(0)
    const warning = warningsOf(post).join('\n')
    expect(warning).toContain('may be running')
    expect(warning).toContain('/Jobs/Refresh')
    expect(warning).toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/)
  })
})

describe('proxies', () => {
  it('a proxy that refuses CONNECT is named, and is not reported as the server resetting', async () => {
    const sim = await simulator()
    const proxy = await startProxy({ refuse: 403 })
    proxies.push(proxy)
    const url = `http://spotfire.test:${sim.port}`
    const run = await runAction({
      inputs: baseInputs(url, { ...job, timeout: '20s' }),
      env: { HTTP_PROXY: proxy.url, ACTIONS_STEP_DEBUG: 'true' },
    })
    expect(run.exitCode).not.toBe(0)
    expect(proxy.connects[0]).toBe(`spotfire.test:${sim.port}`)
    expect(errorOf(run)).toContain(proxy.url)
    expect(errorOf(run)).toContain('403')
    expect(errorOf(run)).not.toContain('ECONNRESET')
    expect(run.log).not.toContain('Retrying')
  })

  it('a working proxy is named in debug lines', async () => {
    const sim = await simulator()
    const proxy = await startProxy({ tunnelTo: sim.port })
    proxies.push(proxy)
    const run = await runAction({
      inputs: baseInputs(`http://spotfire.test:${sim.port}`, job),
      env: { HTTP_PROXY: proxy.url, ACTIONS_STEP_DEBUG: 'true' },
    })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.log).toMatch(new RegExp(`::debug::.*proxy ${proxy.url.replace(/[.]/g, '\\.')}`))
  })
})

describe('the CLI never prints a secret', () => {
  it('a server that echoes the Authorization header cannot put the token on stdout', async () => {
    const sim = await simulator()
    sim.update({ faults: { status: { 1: { type: 'echo', status: 400 } } } })
    const run = await runCliProcess([
      '--server-url',
      sim.url,
      '--library-path',
      '/Jobs/Refresh',
      '--json',
      '--debug',
    ])
    const tokens = tokensSeen(sim.requests)
    expect(tokens.length).toBeGreaterThan(0)
    for (const secret of [...tokens, 'demo-secret']) {
      expect(partsOf(secret).filter((part) => run.stdout.includes(part))).toEqual([])
      expect(partsOf(secret).filter((part) => run.stderr.includes(part))).toEqual([])
    }
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false })
  })
})

describe('answers that must not be taken at their word', () => {
  /** `{GUID}` and `GUID` name the same job. */
  const bare = (id: string | undefined): string =>
    (id ?? '').replace(/^\{(.*)\}$/, '$1').toLowerCase()

  it.each(['gateway', 'spring'] as const)(
    "a %s JSON 404 on one status check, after the job's first 10 s, is passing, not Missing",
    async (style) => {
      const sim = await simulator(
        {},
        { phases: [{ status: 'InProgress', ms: 11_500 }], final: { status: 'Finished' } },
      )
      let played = false
      sim.update({
        faults: (endpoint) => {
          const job = sim.jobs[0]
          if (endpoint !== 'status' || played || job === undefined) return undefined
          if (Date.now() - job.createdAt < 10_300) return undefined
          played = true
          return { type: 'json-404', style }
        },
      })
      const run = await runAction({ inputs: baseInputs(sim.url, { ...job, timeout: '1m' }) })
      expect(played).toBe(true)
      expect(errorOf(run)).toBe('')
      expect(run.outputs.status).toBe('Finished')
      expect(run.exitCode).toBe(0)
      expect(sim.jobs[0]?.status).toBe('Finished')
    },
  )

  // The abort sent before believing Missing finds the job running (only the status route is
  // broken): the job was not gone, so the run says what the abort answered, not Missing.
  it('a JSON 404 that persists 10 s is believed, and the job is aborted before anything is reported', async () => {
    const sim = await simulator({}, FOREVER)
    sim.update({
      faults: (endpoint) => (endpoint === 'status' ? { type: 'json-404' } : undefined),
    })
    const run = await runAction({ inputs: baseInputs(sim.url, { ...job, timeout: '1m' }) })
    expect(run.exitCode).not.toBe(0)
    expect(run.outputs.status).toBe('Canceled')
    expect(JSON.parse(run.outputs.jobs ?? '[]')).toMatchObject([{ outcome: 'gave-up' }])
    expect(Number(run.outputs['duration-seconds'])).toBeGreaterThanOrEqual(10)
    expect(sim.jobs[0]?.abortReasons.length).toBeGreaterThanOrEqual(1)
    expect(sim.jobs[0]?.status).toBe('Canceled')
  })

  it('a 503 without Retry-After after the start was accepted is never sent again', async () => {
    const sim = await simulator({ faults: { 'start-library': { 1: { type: 'upstream-reset' } } } })
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(count(sim, 'start-library')).toBe(1)
    expect(sim.jobs).toHaveLength(1)
    expect(run.exitCode).toBe(1)
    expect(errorOf(run)).toContain('/Jobs/Refresh')
    expect(errorOf(run)).toMatch(/may have started/)
  })

  it('a 503 with Retry-After from a proxy with no backend is sent again, and one job runs', async () => {
    const sim = await simulator({ faults: { 'start-library': { 1: { type: 'no-upstream' } } } })
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(count(sim, 'start-library')).toBe(2)
    expect(sim.jobs).toHaveLength(1)
    expect(run.exitCode).toBe(0)
    expect(run.outputs['job-id']).toBe(sim.jobs[0]?.id)
  })

  it.each([201, 202] as const)(
    'a start answered %i with a job id is a started job',
    async (status) => {
      const sim = await simulator({
        faults: { 'start-library': { 1: { type: 'created', status } } },
      })
      const run = await runAction({ inputs: baseInputs(sim.url, job) })
      expect(count(sim, 'start-library')).toBe(1)
      expect(sim.jobs).toHaveLength(1)
      expect(errorOf(run)).toBe('')
      expect(run.exitCode).toBe(0)
      expect(run.outputs['job-id']).toBe(sim.jobs[0]?.id)
      expect(sim.jobs[0]?.status).toBe('Finished')
    },
  )

  it('a start answered with the job id in braces is followed to the end', async () => {
    const sim = await simulator({ faults: { 'start-library': { 1: { type: 'braced-id' } } } })
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(count(sim, 'start-library')).toBe(1)
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(bare(run.outputs['job-id'])).toBe(sim.jobs[0]?.id)
    expect(sim.jobs[0]?.status).toBe('Finished')
  })

  it('a status answer naming another job is passing: the job held is polled to its end', async () => {
    const sim = await simulator({ faults: { status: { 1: { type: 'other-job' } } } })
    const run = await runAction({ inputs: baseInputs(sim.url, job) })
    expect(errorOf(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs['job-id']).toBe(sim.jobs[0]?.id)
    expect(run.outputs.status).toBe('Finished')
    expect(sim.jobs[0]?.status).toBe('Finished')
  })

  it('an abort answer naming another, finished job does not end the job held', async () => {
    const sim = await simulator({ faults: { abort: { 1: { type: 'other-job' } } } }, FOREVER)
    const run = await runAction({ inputs: baseInputs(sim.url, { ...job, timeout: '3s' }) })
    expect(run.exitCode).not.toBe(0)
    expect(run.outputs.status).not.toBe('Finished')
    expect(sim.jobs[0]?.status).toBe('Canceled')
  })
})

describe('time is the monotonic clock, whatever the wall clock does', () => {
  it.each([
    ['forward', 3_600_000],
    ['back', -3_600_000],
  ])(
    'a wall clock that jumps an hour %s mid-job neither ends the wait nor bends the durations',
    async (_way, deltaMs) => {
      const sim = await simulator(
        {},
        { phases: [{ status: 'InProgress', ms: 3000 }], final: { status: 'Finished' } },
      )
      const run = await runAction({
        inputs: baseInputs(sim.url, { ...job, timeout: '30s' }),
        wallClockJump: { afterMs: 1500, deltaMs },
      })
      expect(errorOf(run)).toBe('')
      expect(run.exitCode).toBe(0)
      expect(run.outputs['timed-out']).toBe('false')
      expect(Number(run.outputs['duration-seconds'])).toBeGreaterThanOrEqual(2)
      expect(Number(run.outputs['duration-seconds'])).toBeLessThan(20)
    },
  )

  it('a wall clock that jumps an hour back does not stretch the timeout', async () => {
    const sim = await simulator({}, FOREVER)
    const run = await runAction({
      inputs: baseInputs(sim.url, { ...job, timeout: '4s' }),
      wallClockJump: { afterMs: 1000, deltaMs: -3_600_000 },
    })
    expect(run.exitCode).not.toBe(0)
    expect(run.outputs['timed-out']).toBe('true')
    expect(Number(run.outputs['duration-seconds'])).toBeGreaterThanOrEqual(3)
    expect(Number(run.outputs['duration-seconds'])).toBeLessThan(20)
    expect(sim.jobs[0]?.status).toBe('Canceled')
  })
})

/**
 * The workflow commands the runner reads from a log, as its parser does: a line that starts with
 * `::` after spaces, else the first `##[` anywhere in a line (the old syntax).
 */
function runnerCommands(log: string): { command: string; data: string }[] {
  return log.split(/\r\n|\r|\n/).flatMap((line) => {
    const v2 = /^::([^:\s]+)[^:]*::(.*)$/.exec(line.trimStart())
    if (v2 !== null) return [{ command: v2[1] ?? '', data: v2[2] ?? '' }]
    const legacy = /##\[([^\]\s]+)[^\]]*\](.*)$/.exec(line)
    return legacy === null ? [] : [{ command: legacy[1] ?? '', data: legacy[2] ?? '' }]
  })
}

/** Every 16-character piece of a secret: printing a piece of a token leaks it too. */
function partsOf(secret: string): string[] {
  if (secret.length <= 16) return [secret]
  return Array.from({ length: secret.length - 15 }, (_, i) => secret.slice(i, i + 16))
}

/** The summary as GitHub renders it: GitHub Flavored Markdown, HTML allowed. */
async function renderMarkdown(markdown: string): Promise<string> {
  const { micromark } = await import('micromark')
  const { gfm, gfmHtml } = await import('micromark-extension-gfm')
  return micromark(markdown, {
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
    allowDangerousHtml: true,
  })
}
