import { readFileSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { DEFAULT_SCOPE, Inputs } from '../../../src/shared/constants.js'
import {
  getConnectionSettings,
  getSettings,
  INPUT_DEFAULTS,
  InputError,
  type SettingsSource,
} from '../../../src/settings/index.js'
import { JOB_ID, JOB_WITH_REGION, LIBRARY_ID } from '../fixtures.js'
import {
  BASE,
  inputErrorOf,
  job,
  memoryFs,
  problemsOf,
  SECRET,
  settingsOf,
  source,
  STACK,
  tempTree,
} from './helpers.js'

const LIBRARY = { [Inputs.LibraryPath]: '/Jobs/A' }
const JOB_INPUTS: string[] = [
  Inputs.LibraryPath,
  Inputs.LibraryId,
  Inputs.JobXml,
  Inputs.JobFile,
  Inputs.JobId,
  Inputs.Variables,
  Inputs.LibraryUpload,
]

/** The CLI's hooks: options by flag, and where else a required one may come from. */
const CLI: Pick<SettingsSource, 'name' | 'describe'> = {
  name: (input) => `--${input}`,
  describe: (input) => `--${input} (or SPOTFIRE_${input.toUpperCase().replace(/-/g, '_')})`,
}

/** Every input wrong at once, each in its own way. */
const ALL_WRONG: Record<string, string> = {
  [Inputs.ServerUrl]: 'ftp://spotfire.example.com',
  [Inputs.ClientId]: 'id',
  [Inputs.ClientAuthMethod]: 'bearer',
  [Inputs.RequestTimeout]: 'never',
  [Inputs.AbortOnCancel]: 'no',
  [Inputs.CaCertificate]: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
  [Inputs.Variables]: 'bad line',
  [Inputs.LibraryPath]: 'Jobs/A',
  [Inputs.JobId]: 'nope',
  [Inputs.Wait]: 'false',
  [Inputs.Timeout]: 'soon',
  [Inputs.PollInterval]: '0',
  [Inputs.FailOnJobFailure]: 'x',
  [Inputs.AbortOnTimeout]: 'y',
  [Inputs.MaxParallel]: '65',
  [Inputs.FailFast]: 'maybe',
  [Inputs.DryRun]: 'perhaps',
}

describe('getSettings: valid inputs', () => {
  it('reads a library path job and applies every default', () => {
    const settings = settingsOf({ [Inputs.LibraryPath]: '/Jobs/Refresh sales' })
    expect(settings).toEqual({
      serverUrl: 'https://spotfire.example.com',
      clientId: '0123abcd.oauth-clients.spotfire.tibco.com',
      clientSecret: SECRET,
      clientAuthMethod: 'basic',
      scope: DEFAULT_SCOPE,
      requestTimeoutMs: 30_000,
      abortOnCancel: true,
      jobs: [{ kind: 'library-path', path: '/Jobs/Refresh sales' }],
      wait: true,
      timeoutMs: 30 * 60_000,
      pollIntervalMs: 15_000,
      failOnJobFailure: true,
      abortOnTimeout: true,
      maxParallel: 4,
      failFast: false,
      uploads: [],
      libraryOverwrite: false,
      dryRun: false,
      warnings: [],
    })
    expect(settings).not.toHaveProperty('caCertificates')
  })

  it('reads every input the action declares', () => {
    const src = source({ ...BASE, ...LIBRARY })
    getSettings(src)
    expect(new Set(src.asked)).toEqual(new Set(Object.values(Inputs)))
  })

  it('reads every optional input when given', () => {
    const settings = settingsOf({
      ...LIBRARY,
      [Inputs.ClientAuthMethod]: 'POST',
      [Inputs.Scope]: '  api.rest.automation-services-job.execute \n  api.rest.other ',
      [Inputs.Wait]: 'False',
      [Inputs.Timeout]: '1h30m',
      [Inputs.PollInterval]: '2s',
      [Inputs.RequestTimeout]: '90',
      [Inputs.FailOnJobFailure]: 'FALSE',
      [Inputs.AbortOnTimeout]: 'false',
      [Inputs.AbortOnCancel]: 'false',
      [Inputs.MaxParallel]: '64',
      [Inputs.FailFast]: 'true',
      [Inputs.DryRun]: 'TRUE',
    })
    expect(settings).toMatchObject({
      clientAuthMethod: 'post',
      scope: 'api.rest.automation-services-job.execute api.rest.other',
      wait: false,
      timeoutMs: 5_400_000,
      pollIntervalMs: 2_000,
      requestTimeoutMs: 90_000,
      failOnJobFailure: false,
      abortOnTimeout: false,
      abortOnCancel: false,
      maxParallel: 64,
      failFast: true,
      dryRun: true,
      warnings: [],
    })
  })

  it('trims the client id and secret', () => {
    const settings = settingsOf({
      ...LIBRARY,
      [Inputs.ClientId]: '  my-id \n',
      [Inputs.ClientSecret]: `\t${SECRET} `,
    })
    expect(settings.clientId).toBe('my-id')
    expect(settings.clientSecret).toBe(SECRET)
  })

  it.each([
    ['basic', 'basic'],
    ['post', 'post'],
    ['client_secret_basic', 'basic'],
    ['client_secret_post', 'post'],
    ['Client_Secret_Post', 'post'],
    ['BASIC', 'basic'],
    ['', 'basic'],
  ])('reads the client-auth-method %j as %j', (method, expected) => {
    expect(settingsOf({ ...LIBRARY, [Inputs.ClientAuthMethod]: method }).clientAuthMethod).toBe(
      expected,
    )
  })

  it.each([
    ['1', 1],
    ['8', 8],
    ['64', 64],
  ])('reads max-parallel %j', (text, value) => {
    expect(settingsOf({ ...LIBRARY, [Inputs.MaxParallel]: text }).maxParallel).toBe(value)
  })

  it('accepts wait: false for jobs it starts', () => {
    expect(settingsOf({ ...LIBRARY, [Inputs.Wait]: 'false' }).wait).toBe(false)
  })

  it('follows job ids with wait: true', () => {
    expect(settingsOf({ [Inputs.JobId]: JOB_ID }).jobs).toEqual([{ kind: 'job-id', jobId: JOB_ID }])
  })
})

describe('getSettings: warnings', () => {
  it('warns, without failing, about a poll-interval under 1s', () => {
    const settings = settingsOf({ ...LIBRARY, [Inputs.PollInterval]: '500ms' })
    expect(settings.pollIntervalMs).toBe(500)
    expect(settings.warnings).toEqual([
      'poll-interval 500ms is under 1 s: accepted, but on a real network that is more load on the server than it buys (checks are never closer than 250 ms apart).',
    ])
  })

  it('warns, without failing, about a request-timeout under 1s', () => {
    const settings = settingsOf({ ...LIBRARY, [Inputs.RequestTimeout]: '999ms' })
    expect(settings.requestTimeoutMs).toBe(999)
    expect(settings.warnings).toEqual([
      'request-timeout 999ms is under 1 s: accepted, but on a real network that is too short for many answers, which would then count as failures.',
    ])
  })

  it('warns that a bare timeout under 60 counts seconds: 45 is probably minutes in the user’s head', () => {
    const settings = settingsOf({ ...LIBRARY, [Inputs.Timeout]: '45' })
    expect(settings.timeoutMs).toBe(45_000)
    expect(settings.warnings).toEqual([
      'timeout 45 means 45 seconds: a number without a unit counts seconds. Write 45m for minutes, or 45s to say seconds and drop this warning.',
    ])
  })

  it.each(['45s', '90', '60', '45m', '1h'])('does not warn about timeout %s', (timeout) => {
    expect(settingsOf({ ...LIBRARY, [Inputs.Timeout]: timeout }).warnings).toEqual([])
  })

  it('does not warn at 1s', () => {
    expect(
      settingsOf({ ...LIBRARY, [Inputs.PollInterval]: '1s', [Inputs.RequestTimeout]: '1000ms' })
        .warnings,
    ).toEqual([])
  })

  it('gives every warning, named as told', () => {
    const settings = getSettings(
      source(
        {
          ...BASE,
          ...LIBRARY,
          [Inputs.ServerUrl]: 'http://spotfire.internal',
          [Inputs.PollInterval]: '100ms',
          [Inputs.RequestTimeout]: '200ms',
        },
        undefined,
        CLI,
      ),
    )
    expect(settings.warnings).toEqual([
      expect.stringMatching(/^--server-url uses http:\/\//),
      expect.stringMatching(/^--request-timeout 200ms is under 1 s/),
      expect.stringMatching(/^--poll-interval 100ms is under 1 s/),
    ])
  })

  it('gives no warnings for inputs that are also wrong', () => {
    const error = inputErrorOf({ ...BASE, ...LIBRARY, [Inputs.PollInterval]: '0' })
    expect(error.problems).toEqual([
      "Invalid poll-interval '0'. Expected a duration such as 90s, 15m or 1h30m.",
    ])
  })
})

describe('getSettings: invalid inputs', () => {
  it('reports every problem at once, in one InputError, in input order', () => {
    const error = inputErrorOf(ALL_WRONG)
    expect(error).toBeInstanceOf(InputError)
    expect(error.name).toBe('InputError')
    expect(error.problems).toEqual([
      "Invalid server-url 'ftp://spotfire.example.com': the scheme must be https or http. Expected the server base URL, such as https://spotfire.example.com.",
      'Input client-secret is required.',
      "Invalid client-auth-method 'bearer'. Expected basic (client_secret_basic) or post (client_secret_post).",
      "Invalid request-timeout 'never'. Expected a duration such as 90s, 15m or 1h30m.",
      "Invalid abort-on-cancel 'no'. Expected true or false.",
      'Invalid ca-certificate: 1 certificate cannot be parsed. Expected PEM text (-----BEGIN CERTIFICATE----- ...) or the path of a PEM file.',
      'Invalid variables line 1. Expected NAME=value, where NAME is letters, digits and _ (not starting with a digit).',
      "Invalid library-path 'Jobs/A'. Expected an absolute library path such as /Jobs/Refresh sales.",
      "Invalid job-id 'nope'. Expected a job id, such as 7d5cf4e0-9106-4884-8fba-cc3065428382.",
      "Invalid timeout 'soon'. Expected a duration such as 90s, 15m or 1h30m.",
      "Invalid poll-interval '0'. Expected a duration such as 90s, 15m or 1h30m.",
      "Invalid fail-on-job-failure 'x'. Expected true or false.",
      "Invalid abort-on-timeout 'y'. Expected true or false.",
      "Invalid max-parallel '65'. Expected a whole number from 1 to 64.",
      "Invalid fail-fast 'maybe'. Expected true or false.",
      "Invalid dry-run 'perhaps'. Expected true or false.",
      'job-id follows jobs that are running, which wait: false would not do. Expected wait: true.',
    ])
    expect(error.message).toBe(
      `${error.problems.length} inputs are invalid:\n${error.problems.map((p) => `- ${p}`).join('\n')}`,
    )
  })

  it('uses the problem itself as the message when there is only one', () => {
    const error = inputErrorOf({ ...BASE, ...LIBRARY, [Inputs.Wait]: 'maybe' })
    expect(error.problems).toHaveLength(1)
    expect(error.message).toBe("Invalid wait 'maybe'. Expected true or false.")
  })

  it('reports every missing required input and that there is nothing to do', () => {
    expect(inputErrorOf({}).problems).toEqual([
      'Input server-url is required.',
      'Input client-id is required.',
      'Input client-secret is required.',
      'Nothing to do: no job and no upload given. Expected library-path, library-id, job-xml, job-file or job-id for jobs, or library-upload for uploads.',
    ])
  })

  it.each([['0'], ['65'], ['-1'], ['two'], ['1.5']])('reports max-parallel %j', (text) => {
    expect(problemsOf({ ...LIBRARY, [Inputs.MaxParallel]: text })).toEqual([
      `Invalid max-parallel '${text}'. Expected a whole number from 1 to 64.`,
    ])
  })

  it.each([[Inputs.FailFast], [Inputs.DryRun], [Inputs.Wait], [Inputs.FailOnJobFailure]])(
    'reports a %s that is not a boolean',
    (input) => {
      expect(problemsOf({ ...LIBRARY, [input]: 'yes' })).toEqual([
        `Invalid ${input} 'yes'. Expected true or false.`,
      ])
    },
  )

  it.each([['bearer'], ['client_secret_jwt'], ['private_key_jwt'], ['basic post']])(
    'reports the client-auth-method %j',
    (method) => {
      expect(problemsOf({ ...LIBRARY, [Inputs.ClientAuthMethod]: method })).toEqual([
        `Invalid client-auth-method '${method}'. Expected basic (client_secret_basic) or post (client_secret_post).`,
      ])
    },
  )

  it('shows a bad client-auth-method on one line, cut', () => {
    const problems = problemsOf({
      ...LIBRARY,
      [Inputs.ClientAuthMethod]: `basic\n::error::forged ${'x'.repeat(100)}`,
    })
    expect(problems).toHaveLength(1)
    expect(problems[0]).not.toContain('\n')
    expect(problems[0]).toContain('characters cut')
  })

  it('reports durations longer than a timer can wait', () => {
    expect(problemsOf({ ...LIBRARY, [Inputs.Timeout]: '600h' })).toEqual([
      "Invalid timeout '600h'. Expected at most 24 days.",
    ])
  })

  it('refuses wait: false with job-id, whatever else is given', () => {
    const expected = [
      'job-id follows jobs that are running, which wait: false would not do. Expected wait: true.',
    ]
    expect(problemsOf({ [Inputs.JobId]: JOB_ID, [Inputs.Wait]: 'FALSE' })).toEqual(expected)
    expect(problemsOf({ ...LIBRARY, [Inputs.JobId]: JOB_ID, [Inputs.Wait]: 'false' })).toEqual(
      expected,
    )
  })

  it('never throws anything but one InputError, whose problems are single lines without stacks', () => {
    const hostile = [
      '\u0000',
      'a\nb\r\nc',
      '${',
      '<',
      '%0A::error::x',
      '*',
      '[',
      '**/*',
      '../../../../etc/passwd',
      '/dev/zero',
      'x'.repeat(100_000),
      '\u202e\u2028',
      '-----BEGIN CERTIFICATE-----',
    ]
    for (const value of hostile) {
      const all = Object.fromEntries(Object.values(Inputs).map((name) => [name, value]))
      let thrown: unknown
      try {
        getSettings(source(all, memoryFs({ '/ws/a.xml': job() })))
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(InputError)
      const { problems } = thrown as InputError
      expect(problems.length).toBeGreaterThan(0)
      for (const problem of problems) {
        expect(problem).not.toMatch(STACK)
        expect(problem).not.toMatch(/[\n\r\u2028]/)
        expect(problem.length).toBeLessThan(1000)
      }
    }
  })

  it('never throws anything but InputError on a real workspace', () => {
    const workspace = tempTree({ 'a.xml': job(), 'dir/b.xml': '<x' })
    for (const file of ['*/*', '**/*.xml', 'dir', '.', '..', '/dev/null', '/dev/zero']) {
      expect(() =>
        getSettings({
          input: (name) => ({ ...BASE, [Inputs.JobFile]: file })[name] ?? '',
          workspace,
        }),
      ).toThrow(InputError)
    }
  })
})

describe('getSettings: how inputs are named', () => {
  it('names inputs by the name hook and required ones by the describe hook', () => {
    const error = inputErrorOf(ALL_WRONG, undefined, CLI)
    expect(error.problems).toEqual([
      expect.stringMatching(/^Invalid --server-url 'ftp:/),
      '--client-secret (or SPOTFIRE_CLIENT_SECRET) is required.',
      expect.stringMatching(/^Invalid --client-auth-method 'bearer'/),
      expect.stringMatching(/^Invalid --request-timeout 'never'/),
      expect.stringMatching(/^Invalid --abort-on-cancel 'no'/),
      expect.stringMatching(/^Invalid --ca-certificate: /),
      expect.stringMatching(/^Invalid --variables line 1\./),
      expect.stringMatching(/^Invalid --library-path 'Jobs\/A'/),
      expect.stringMatching(/^Invalid --job-id 'nope'/),
      expect.stringMatching(/^Invalid --timeout 'soon'/),
      expect.stringMatching(/^Invalid --poll-interval '0'/),
      expect.stringMatching(/^Invalid --fail-on-job-failure 'x'/),
      expect.stringMatching(/^Invalid --abort-on-timeout 'y'/),
      expect.stringMatching(/^Invalid --max-parallel '65'/),
      expect.stringMatching(/^Invalid --fail-fast 'maybe'/),
      expect.stringMatching(/^Invalid --dry-run 'perhaps'/),
      '--job-id follows jobs that are running, which --wait: false would not do. Expected --wait: true.',
    ])
  })

  it('never names an input without the hook', () => {
    const fs = memoryFs({ '/ws/a.xml': JOB_WITH_REGION, '/ws/dir/x': '' })
    const setups: Record<string, string>[] = [
      {},
      ALL_WRONG,
      { [Inputs.JobXml]: '<bad', [Inputs.Variables]: 'A=1\nA=2' },
      { [Inputs.JobFile]: 'a.xml\ndir\nnone/*.xml\nmissing.xml' },
      { [Inputs.JobFile]: 'a.xml', [Inputs.JobXml]: JOB_WITH_REGION },
      { [Inputs.LibraryId]: `x\n${LIBRARY_ID}\n${LIBRARY_ID}`, [Inputs.Variables]: 'A=1' },
      { [Inputs.CaCertificate]: 'none.pem', [Inputs.ServerUrl]: 'http://x' },
    ]
    for (const inputs of setups) {
      const { problems } = inputErrorOf(inputs, fs, CLI)
      expect(problems.length).toBeGreaterThan(0)
      for (const problem of problems) {
        for (const name of Object.values(Inputs)) {
          // Every mention of an input's name is the hooked one.
          expect(problem).not.toMatch(new RegExp(`(^|[^-\\w])${name}(?![-\\w])`))
        }
      }
    }
  })

  it('names the job-xml and job-file sources of a problem by the hook', () => {
    const fs = memoryFs({ '/ws/a.xml': '<a' })
    expect(
      inputErrorOf({ ...BASE, [Inputs.JobXml]: '<a', [Inputs.JobFile]: 'a.xml' }, fs, CLI).problems,
    ).toEqual([
      expect.stringMatching(/^--job-xml: The job XML is not well-formed/),
      expect.stringMatching(/^--job-file 'a\.xml': The job XML is not well-formed/),
    ])
  })
})

describe('getSettings: the client secret stays secret', () => {
  const setups: Record<string, string>[] = [
    { [Inputs.ServerUrl]: '' },
    { [Inputs.ServerUrl]: 'not a url' },
    { [Inputs.ServerUrl]: `https://id:${SECRET}@spotfire.example.com` },
    { [Inputs.ClientAuthMethod]: 'nope', [Inputs.Wait]: 'nope', [Inputs.Timeout]: 'nope' },
    { [Inputs.LibraryId]: 'nope' },
    { [Inputs.JobXml]: '<bad', [Inputs.Variables]: 'x y' },
    { [Inputs.JobXml]: JOB_WITH_REGION },
    { [Inputs.JobFile]: 'missing.xml', [Inputs.CaCertificate]: 'missing.pem' },
    { [Inputs.ClientId]: '' },
  ]

  it.each(setups.map((inputs, index) => [index, inputs] as const))(
    'never puts the secret in an error message (setup %d)',
    (_index, inputs) => {
      const error = inputErrorOf({ ...BASE, ...LIBRARY, ...inputs })
      expect(error.problems.length).toBeGreaterThan(0)
      expect(error.message).not.toContain(SECRET)
    },
  )
})

describe('getConnectionSettings', () => {
  it('reads only what it takes to reach the server', () => {
    const fs = memoryFs({})
    const src = source({ ...BASE, [Inputs.ClientAuthMethod]: 'client_secret_post' }, fs)
    expect(getConnectionSettings(src)).toEqual({
      serverUrl: 'https://spotfire.example.com',
      clientId: '0123abcd.oauth-clients.spotfire.tibco.com',
      clientSecret: SECRET,
      clientAuthMethod: 'post',
      scope: DEFAULT_SCOPE,
      requestTimeoutMs: 30_000,
      abortOnCancel: true,
    })
    for (const name of JOB_INPUTS) expect(src.asked).not.toContain(name)
    expect(fs.reads).toEqual([])
    expect(fs.lists).toEqual([])
  })

  it('ignores job inputs that changed or vanished since the main step', () => {
    const src = source(
      {
        ...BASE,
        [Inputs.JobFile]: 'gone.xml\njobs/*.xml',
        [Inputs.Variables]: 'bad',
        [Inputs.Wait]: 'maybe',
        [Inputs.JobId]: 'x',
      },
      memoryFs({}),
    )
    expect(getConnectionSettings(src).serverUrl).toBe('https://spotfire.example.com')
  })

  it('reads the CA certificate file', () => {
    const fs = memoryFs({ '/ws/ca.pem': 'no pem here' })
    expect(() =>
      getConnectionSettings(source({ ...BASE, [Inputs.CaCertificate]: 'ca.pem' }, fs)),
    ).toThrow(/^Invalid ca-certificate: no certificate found/)
    expect(fs.reads).toEqual(['/ws/ca.pem'])
  })

  it('reports every connection problem at once', () => {
    let thrown: unknown
    try {
      getConnectionSettings(
        source({ [Inputs.ClientAuthMethod]: 'x', [Inputs.RequestTimeout]: 'y' }, undefined, CLI),
      )
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(InputError)
    expect((thrown as InputError).problems).toEqual([
      '--server-url (or SPOTFIRE_SERVER_URL) is required.',
      '--client-id (or SPOTFIRE_CLIENT_ID) is required.',
      '--client-secret (or SPOTFIRE_CLIENT_SECRET) is required.',
      expect.stringMatching(/^Invalid --client-auth-method 'x'/),
      expect.stringMatching(/^Invalid --request-timeout 'y'/),
    ])
  })
})

describe('action.yml and the code agree', () => {
  interface ActionYml {
    inputs: Record<string, { default?: unknown; required?: boolean }>
  }
  const action = parse(
    readFileSync(new URL('../../../action.yml', import.meta.url), 'utf8'),
  ) as ActionYml
  /**
   * Inputs the code reads that action.yml may not declare yet (being added elsewhere): skipped
   * while undeclared, checked like the others once declared.
   */
  const NOT_YET_DECLARED = [
    Inputs.JobId,
    Inputs.MaxParallel,
    Inputs.FailFast,
    Inputs.DryRun,
  ].filter((name) => !(name in action.inputs))

  it('declares the same default as INPUT_DEFAULTS for every input both know', () => {
    for (const [name, value] of Object.entries(INPUT_DEFAULTS)) {
      if (NOT_YET_DECLARED.includes(name as (typeof NOT_YET_DECLARED)[number])) continue
      expect([name, action.inputs[name] === undefined]).toEqual([name, false])
      expect([name, String(action.inputs[name]?.default)]).toEqual([name, value])
    }
  })

  it('declares no default that INPUT_DEFAULTS lacks', () => {
    const declared = Object.entries(action.inputs)
      .filter(([, input]) => input.default !== undefined)
      .map(([name]) => name)
    for (const name of declared) expect([name, name in INPUT_DEFAULTS]).toEqual([name, true])
  })

  it('declares no input the code does not read, and every other one', () => {
    const code = Object.values(Inputs) as string[]
    expect(Object.keys(action.inputs).filter((name) => !code.includes(name))).toEqual([])
    expect(
      code.filter(
        (name) =>
          !(name in action.inputs) &&
          !NOT_YET_DECLARED.includes(name as (typeof NOT_YET_DECLARED)[number]),
      ),
    ).toEqual([])
  })

  it('marks as required exactly the inputs getSettings requires', () => {
    const required = Object.entries(action.inputs)
      .filter(([, input]) => input.required === true)
      .map(([name]) => `Input ${name} is required.`)
    const missing = inputErrorOf({}).problems.filter((p) => p.endsWith(' is required.'))
    expect(missing.sort()).toEqual(required.sort())
  })
})
