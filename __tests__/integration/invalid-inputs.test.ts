import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startSimulator, type Simulator } from '../../src/simulator/index.js'
import { baseInputs, runAction } from './harness.js'
import { renderGfm, visibleText } from '../unit/report-fixtures.js'

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator()
})
afterAll(async () => {
  await sim.close()
})

const cases: [string, Record<string, string>, string][] = [
  [
    'a missing secret',
    { 'client-secret': '', 'library-path': '/a' },
    'Input client-secret is required.',
  ],
  [
    'the same job twice',
    { 'library-path': '/a\n/a' },
    "The job '/a' is listed twice. Expected each job once.",
  ],
  [
    'no job source',
    {},
    'Nothing to do: no job and no upload given. Expected library-path, library-id, job-xml, job-file or job-id for jobs, or library-upload for uploads.',
  ],
  [
    'malformed XML',
    { 'job-xml': '<as:Job><as:Tasks></as:Job>' },
    'job-xml: The job XML is not well-formed (line 1',
  ],
  [
    'an unreadable file',
    { 'job-file': 'missing.xml' },
    "Cannot read job-file 'missing.xml': no such file (ENOENT).",
  ],
  [
    'a bad URL scheme',
    { 'server-url': 'ftp://spotfire.example.com', 'library-path': '/a' },
    'the scheme must be https or http',
  ],
  [
    'a non-boolean wait',
    { wait: 'yes please', 'library-path': '/a' },
    "Invalid wait 'yes please'. Expected true or false.",
  ],
  [
    'a bad timeout',
    { timeout: 'soon', 'library-path': '/a' },
    "Invalid timeout 'soon'. Expected a duration such as 90s, 15m or 1h30m.",
  ],
  [
    'a bad library id',
    { 'library-id': 'abc' },
    "Invalid library-id 'abc'. Expected a library item GUID",
  ],
  [
    'a bad auth method',
    { 'client-auth-method': 'jwt', 'library-path': '/a' },
    "Invalid client-auth-method 'jwt'. Expected basic (client_secret_basic) or post (client_secret_post).",
  ],
]

describe('invalid inputs', () => {
  it.each(cases)(
    '%s: a clear error, no stack trace, no request',
    async (_name, inputs, expected) => {
      const before = sim.requests.length
      const run = await runAction({ inputs: baseInputs(sim.url, inputs) })
      expect(run.exitCode).toBe(1)
      const errors = run.annotations.filter((a) => a.level === 'error')
      expect(errors).toHaveLength(1)
      expect(errors[0]?.message).toContain(expected)
      expect(run.log).not.toMatch(/\n\s+at .+:\d+:\d+/)
      expect(sim.requests.length).toBe(before)
      // Every output is still set, empty, so that later steps' conditions can rely on them.
      expect(run.outputs).toEqual({
        'job-id': '',
        status: '',
        message: '',
        'duration-seconds': '',
        'timed-out': 'false',
        jobs: '[]',
        uploads: '[]',
      })
    },
  )

  it('reports every problem at once', async () => {
    const run = await runAction({
      inputs: baseInputs('ftp://x', {
        'client-secret': '',
        wait: 'maybe',
        timeout: 'soon',
        'job-xml': '<a>',
      }),
    })
    expect(run.exitCode).toBe(1)
    const message = run.annotations.find((a) => a.level === 'error')?.message ?? ''
    expect(message).toMatch(/^5 inputs are invalid:/)
    for (const part of ['server-url', 'client-secret', 'wait', 'timeout', 'job-xml']) {
      expect(message).toContain(part)
    }
  })
})

describe('inputs the user meant', () => {
  it('names the real input of a mistyped one (library_path for library-path)', async () => {
    const run = await runAction({
      inputs: baseInputs(sim.url, { library_path: '/Jobs/Refresh' }),
    })
    expect(run.exitCode).toBe(1)
    const error = run.annotations.find((a) => a.level === 'error')?.message ?? ''
    expect(error).toContain(
      'Input library_path is not an input of this action. Did you mean library-path?',
    )
  })

  it('says why a required secret may be empty', async () => {
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'client-secret': '', 'library-path': '/a' }),
    })
    const error = run.annotations.find((a) => a.level === 'error')?.message ?? ''
    expect(error).toContain('Input client-secret is required.')
    expect(error).toContain('forks')
    expect(error).toContain('Dependabot')
    expect(error).toContain('environment:')
  })

  it('writes a one-line job summary', async () => {
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'library-path': '/a', timeout: 'soon', wait: 'maybe' }),
    })
    expect(run.summary).toContain('Nothing was started: 2 inputs are invalid')
  })

  it('lists the problems in the job summary, as inert text', async () => {
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-path': '/a',
        timeout: '[soon](https://evil.example) **now**',
        wait: 'maybe',
      }),
    })
    const html = await renderGfm(run.summary)
    expect(visibleText(html)).toContain('Nothing was started: 2 inputs are invalid')
    const items = [...html.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => visibleText(m[1] ?? ''))
    expect(items).toEqual([
      "Invalid wait 'maybe'. Expected true or false.",
      "Invalid timeout '[soon](https://evil.example) **now**'. Expected a duration such as 90s, 15m or 1h30m.",
    ])
    expect(html).not.toMatch(/<(a|em|strong)\b/)
  })
})
