import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import {
  type CliIo,
  environmentName,
  EXIT,
  exitCode,
  flagWords,
  HELP,
  parseArgs,
  resultJson,
  runCli,
} from '../../src/cli/cli.js'
import { Inputs } from '../../src/shared/constants.js'
import type { JobResult } from '../../src/jobs/outcome.js'
import { jobJson } from '../../src/report/outputs.js'
import { runVerdict } from '../../src/report/verdict.js'
import { InputError, type Settings } from '../../src/settings/index.js'
import { failed, result, resultFor } from './report-fixtures.js'

const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, unknown> }

/** The problems parseArgs reports, or [] when it reports none. */
function problemsOf(argv: string[]): string[] {
  try {
    parseArgs(argv)
    return []
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as InputError).problems
  }
}

describe('parseArgs', () => {
  it('reads --name value and --name=value for action inputs', () => {
    const args = parseArgs(['--server-url', 'https://s', '--library-path=/Jobs/A b', '--json'])
    expect(args).toEqual({
      inputs: { 'server-url': 'https://s', 'library-path': '/Jobs/A b' },
      json: true,
      debug: false,
      help: false,
      version: false,
    })
  })

  it('keeps everything after the first = as the value, = and line breaks included', () => {
    expect(parseArgs(['--variable=C=x=y']).inputs.variables).toBe('C=x=y')
    expect(parseArgs(['--job-xml=<a b="1"/>\n<c/>']).inputs['job-xml']).toBe('<a b="1"/>\n<c/>')
    expect(parseArgs(['--scope=']).inputs.scope).toBe('')
  })

  it('takes the next argument as the value, even one that looks like a flag', () => {
    expect(parseArgs(['--client-secret', '--starts-with-dashes']).inputs['client-secret']).toBe(
      '--starts-with-dashes',
    )
  })

  it.each([Inputs.LibraryPath, Inputs.LibraryId, Inputs.JobFile, Inputs.JobId])(
    'joins a repeated --%s into lines, in order',
    (name) => {
      const args = parseArgs([`--${name}`, 'first', `--${name}=second`, `--${name}`, 'third'])
      expect(args.inputs[name]).toBe('first\nsecond\nthird')
    },
  )

  it('joins a repeated --library-upload into lines and reads --library-overwrite alone as true', () => {
    const args = parseArgs([
      '--library-upload',
      'a.dxp -> /R/',
      '--library-overwrite',
      '--library-upload=b.sbdf -> /R/B',
    ])
    expect(args.inputs).toEqual({
      'library-upload': 'a.dxp -> /R/\nb.sbdf -> /R/B',
      'library-overwrite': 'true',
    })
  })

  it('joins --variable and --variables into lines', () => {
    const args = parseArgs(['--variables', 'A=1\nB=2', '--variable', 'C=3', '--variable=D=x=y'])
    expect(args.inputs.variables).toBe('A=1\nB=2\nC=3\nD=x=y')
  })

  it.each([
    Inputs.ServerUrl,
    Inputs.ClientSecret,
    Inputs.JobXml,
    Inputs.Timeout,
    Inputs.MaxParallel,
    Inputs.FailFast,
  ])('refuses --%s given twice', (name) => {
    expect(problemsOf([`--${name}`, 'true', `--${name}=false`])).toEqual([
      `Option --${name} is given twice. Expected it once.`,
    ])
  })

  it.each([Inputs.DryRun, Inputs.FailFast, Inputs.Wait, Inputs.AbortOnCancel])(
    'reads --%s alone as true, before another flag or at the end',
    (name) => {
      expect(parseArgs([`--${name}`]).inputs[name]).toBe('true')
      const args = parseArgs([`--${name}`, '--json'])
      expect(args.inputs[name]).toBe('true')
      expect(args.json).toBe(true)
    },
  )

  it('reads the value after a boolean flag when it is true or false', () => {
    expect(parseArgs(['--fail-fast', 'false']).inputs['fail-fast']).toBe('false')
    expect(parseArgs(['--dry-run', 'TRUE']).inputs['dry-run']).toBe('TRUE')
    expect(parseArgs(['--wait=false']).inputs.wait).toBe('false')
    expect(parseArgs(['--fail-fast', 'false', '--library-path', '/a']).inputs).toEqual({
      'fail-fast': 'false',
      'library-path': '/a',
    })
  })

  it('does not take a path after a boolean flag as its value', () => {
    const args = parseArgs(['--dry-run', '--library-path', '/Jobs/A'])
    expect(args.inputs).toEqual({ 'dry-run': 'true', 'library-path': '/Jobs/A' })
  })

  it('reads --json, --debug, --help and -h', () => {
    expect(parseArgs(['--json', '--debug'])).toMatchObject({ json: true, debug: true, help: false })
    expect(parseArgs(['--help']).help).toBe(true)
    expect(parseArgs(['-h']).help).toBe(true)
  })

  it('reports every unknown option and missing value at once', () => {
    expect(
      problemsOf(['--bogus', '--timeout', '1', '--timeout', '2', '--Server-Url', 'x', '--scope']),
    ).toEqual([
      "Unknown option '--bogus'.",
      'Option --timeout is given twice. Expected it once.',
      "Unknown option '--Server-Url'. Did you mean --server-url?",
      'Option --scope needs a value.',
    ])
  })

  it('does not echo the value of a mistyped option', () => {
    const problems = problemsOf(['--client-secrt=TopSecret123', '--clientsecret', 'TopSecret456'])
    expect(problems).toEqual([
      "Unknown option '--client-secrt'. Did you mean --client-secret?",
      "Unknown option '--clientsecret'. Did you mean --client-secret?",
    ])
    expect(problems.join(' ')).not.toMatch(/TopSecret/)
  })

  it('reports a mistyped option once, not its value as another option', () => {
    expect(problemsOf(['--libary-path', '/Samples/Refresh sales', '--json'])).toEqual([
      "Unknown option '--libary-path'. Did you mean --library-path?",
    ])
  })

  it('does not echo an argument that is not an option: it may be a value', () => {
    // BUG fixed: a stray argument (a secret split by the shell, or passed without its flag) was
    // printed back as "Unknown option '<the argument>'".
    const problems = problemsOf(['--client-secret', 'Top', 'Secret123', '--json'])
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/argument 3/)
    expect(problems.join(' ')).not.toContain('Secret123')
    expect(problemsOf(['TopSecret789']).join(' ')).not.toContain('TopSecret789')
  })
})

describe('environmentName', () => {
  it.each([
    ['client-secret', 'SPOTFIRE_CLIENT_SECRET'],
    ['server-url', 'SPOTFIRE_SERVER_URL'],
    ['fail-on-job-failure', 'SPOTFIRE_FAIL_ON_JOB_FAILURE'],
    ['max-parallel', 'SPOTFIRE_MAX_PARALLEL'],
  ])('names the variable for %s %s', (input, name) => {
    expect(environmentName(input)).toBe(name)
  })
})

describe('HELP', () => {
  it('documents every action input as a flag', () => {
    const names = Object.keys(action.inputs)
    expect(names.length).toBeGreaterThan(10)
    for (const name of names) expect(HELP).toMatch(new RegExp(`^  --${name} `, 'm'))
  })

  it('documents every input the code knows, new ones included', () => {
    for (const name of Object.values(Inputs)) expect(HELP).toMatch(new RegExp(`^  --${name} `, 'm'))
  })

  it('documents --variable, --json, --debug and --help', () => {
    for (const flag of ['--variable', '--json', '--debug', '--help']) {
      expect(HELP).toMatch(new RegExp(`^  ${flag} `, 'm'))
    }
  })

  it('says how to pass options as environment variables, and the exit codes', () => {
    expect(HELP).toContain('SPOTFIRE_CLIENT_SECRET')
    // The codes of Spotfire's own Client Job Sender.
    for (const code of [
      '0  every job finished',
      '1  invalid options',
      '2  a job failed on the server',
      '3  a failure on this side',
    ]) {
      expect(HELP).toContain(code)
    }
    expect(HELP).toContain('{"ok":false,"outcome":"invalid-options"')
  })
})

const settings = (failOnJobFailure: boolean): Settings => ({
  serverUrl: 'https://spotfire.example.com',
  clientId: 'id',
  clientSecret: 'secret',
  clientAuthMethod: 'basic',
  scope: 'api.rest.automation-services-job.execute',
  requestTimeoutMs: 30_000,
  abortOnCancel: true,
  jobs: [],
  wait: true,
  timeoutMs: 1_800_000,
  pollIntervalMs: 15_000,
  failOnJobFailure,
  abortOnTimeout: true,
  maxParallel: 4,
  failFast: false,
  uploads: [],
  libraryOverwrite: false,
  dryRun: false,
  warnings: [],
})

describe('resultJson', () => {
  it('says ok with the outcome of the first job when every job succeeded', () => {
    const results = [result(), resultFor({ kind: 'started' })]
    expect(resultJson(results, settings(true))).toEqual({
      ok: true,
      outcome: 'finished',
      verdict: runVerdict(results, { ...settings(true), words: flagWords }, () => true),
      jobs: results.map(jobJson),
      uploads: [],
    })
  })

  it('gives the outcome of the first job that did not succeed', () => {
    const results = [result(), failed(), resultFor({ kind: 'timed-out' })]
    const json = resultJson(results, settings(true))
    expect(json.ok).toBe(false)
    expect(json.outcome).toBe('failed')
    expect(json.verdict).toMatch(/^1 of 3 jobs finished\./)
  })

  it('lets a failed job pass with fail-on-job-failure false, and no other failure', () => {
    const json = resultJson([result(), failed()], settings(false))
    expect(json.ok).toBe(true)
    expect(json.outcome).toBe('finished')
    const other = resultJson([failed(), resultFor({ kind: 'gave-up' })], settings(false))
    expect(other.ok).toBe(false)
    expect(other.outcome).toBe('gave-up')
  })
})

describe('runCli with invalid options', () => {
  const run = async (
    argv: string[],
    env: Record<string, string> = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> => {
    let stdout = ''
    let stderr = ''
    const io: CliIo = {
      stdout: (text) => {
        stdout += text
      },
      stderr: (text) => {
        stderr += text
      },
      env,
      cwd: tmpdir(),
      cancelSignal: new AbortController().signal,
    }
    const code = await runCli(argv, io)
    return { code, stdout, stderr }
  }

  it('prints the problems as JSON with --json and exits 1, naming flags', async () => {
    const { code, stdout, stderr } = await run([
      '--timeout',
      'soon',
      '--library-path',
      '/a',
      '--json',
    ])
    expect(code).toBe(EXIT.usage)
    expect(code).toBe(1)
    const json = JSON.parse(stdout) as Record<string, unknown>
    expect(json).toMatchObject({ ok: false, outcome: 'invalid-options' })
    expect(Object.keys(json)).toEqual(['ok', 'outcome', 'verdict', 'jobs', 'uploads', 'problems'])
    expect(json.verdict).toContain("Invalid --timeout 'soon'.")
    expect(json.problems).toContain('--server-url (or SPOTFIRE_SERVER_URL) is required.')
    expect(json.verdict).not.toMatch(/\bInput /)
    expect(stderr).toContain('Run spotfire-as-job --help for the options.')
  })

  it('prints nothing on stdout without --json, and the problems on stderr', async () => {
    const { code, stdout, stderr } = await run(['--max-parallel', '0'])
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toContain('--max-parallel')
    expect(stderr).toContain('--client-secret (or SPOTFIRE_CLIENT_SECRET) is required.')
  })

  it('reports unknown options as invalid options, with --json', async () => {
    const { code, stdout } = await run(['--bogus=1', '--json'])
    expect(code).toBe(1)
    expect(JSON.parse(stdout)).toEqual({
      ok: false,
      outcome: 'invalid-options',
      verdict: "Unknown option '--bogus'.",
      jobs: [],
      uploads: [],
      problems: ["Unknown option '--bogus'."],
    })
  })

  it('takes settings from SPOTFIRE_ variables, and still reports what is missing', async () => {
    const { code, stderr } = await run(['--library-path', '/a'], {
      SPOTFIRE_SERVER_URL: 'https://spotfire.example.com',
      SPOTFIRE_CLIENT_ID: 'id',
      SPOTFIRE_TIMEOUT: 'never',
    })
    expect(code).toBe(1)
    expect(stderr).not.toContain('--server-url')
    // The value came from the environment: the message says where.
    expect(stderr).toContain("Invalid timeout (from SPOTFIRE_TIMEOUT) 'never'")
    expect(stderr).toContain('--client-secret (or SPOTFIRE_CLIENT_SECRET) is required.')
  })

  it('never prints the client secret, even in a problem that quotes a value', async () => {
    const secret = 'TopSecret-4f9a1c'
    const { code, stdout, stderr } = await run(
      ['--server-url', `not a url ${secret}`, '--library-path', '/a', '--json'],
      { SPOTFIRE_CLIENT_ID: 'id', SPOTFIRE_CLIENT_SECRET: secret },
    )
    expect(code).toBe(1)
    expect(`${stdout}${stderr}`).toContain('--server-url')
    expect(`${stdout}${stderr}`).not.toContain(secret)
  })

  it('never prints a secret given with a line break at its end, as files often have', async () => {
    const secret = 'TopSecret-77c0d2'
    const { stdout, stderr } = await run(
      ['--server-url', `not a url ${secret}`, '--library-path', '/a', '--json'],
      { SPOTFIRE_CLIENT_ID: 'id', SPOTFIRE_CLIENT_SECRET: `${secret}\n` },
    )
    expect(`${stdout}${stderr}`).not.toContain(secret)
  })

  it('prints the help on stdout and exits 0 with --help', async () => {
    const { code, stdout } = await run(['--help'])
    expect(code).toBe(EXIT.ok)
    expect(stdout).toBe(HELP)
  })
})

describe('exitCode: the Client Job Sender codes', () => {
  it.each<[string, JobResult[], number]>([
    ['every job finished', [result(), result()], 0],
    ['started, with wait false', [resultFor({ kind: 'started' })], 0],
    ['a job failed on the server', [result(), failed()], 2],
    [
      'the server found no such job',
      [resultFor({ kind: 'not-started', refused: true, mayHaveStarted: false })],
      2,
    ],
    [
      'a start that failed on this side',
      [resultFor({ kind: 'not-started', refused: false, mayHaveStarted: true })],
      3,
    ],
    ['a timeout', [resultFor({ kind: 'timed-out' })], 3],
    ['a give-up', [resultFor({ kind: 'gave-up' })], 3],
    ['a cancellation', [resultFor({ kind: 'cancelled', by: 'run' })], 3],
    [
      'an internal error, with a failed job: ours, not the server’s',
      [failed(), resultFor({ kind: 'cancelled', by: 'internal-error' })],
      3,
    ],
    [
      'a job an internal error kept from starting',
      [resultFor({ kind: 'skipped', because: 'internal-error' })],
      3,
    ],
    [
      'the highest wins: a failed job and a timeout',
      [failed(), resultFor({ kind: 'timed-out' })],
      3,
    ],
    [
      'fail-fast: the job that failed gives the code, not those it stopped',
      [
        failed(),
        resultFor({ kind: 'cancelled', by: 'fail-fast' }),
        resultFor({ kind: 'skipped', because: 'fail-fast' }),
      ],
      2,
    ],
    [
      'jobs skipped at the timeout',
      [result(), resultFor({ kind: 'skipped', because: 'timeout' })],
      3,
    ],
  ])('%s', (_name, results, code) => {
    expect(exitCode(results, true)).toBe(code)
  })

  it('agrees with ok: jobs fail-fast stopped fail the run, even when the failure is excused', () => {
    const results = [
      failed(),
      resultFor({ kind: 'cancelled', by: 'fail-fast' }),
      resultFor({ kind: 'skipped', because: 'fail-fast' }),
    ]
    expect(exitCode(results, false)).toBe(2)
    expect(resultJson(results, settings(false)).ok).toBe(false)
  })

  it('lets a failed job pass with fail-on-job-failure false, but not a timeout', () => {
    expect(exitCode([failed()], false)).toBe(0)
    expect(exitCode([failed(), resultFor({ kind: 'timed-out' })], false)).toBe(3)
  })
})

describe('runCli suggests the likely fix', () => {
  const run = async (
    argv: string[],
    env: Record<string, string> = {},
    cwd = tmpdir(),
  ): Promise<{ code: number; stderr: string }> => {
    let stderr = ''
    const code = await runCli(argv, {
      stdout: () => undefined,
      stderr: (text) => {
        stderr += text
      },
      env,
      cwd,
      cancelSignal: new AbortController().signal,
    })
    return { code, stderr }
  }

  it('a library path without its flag', async () => {
    const { code, stderr } = await run(['/Jobs/Refresh sales'])
    expect(code).toBe(1)
    expect(stderr).toContain('it looks like a library path. Expected --library-path before it.')
  })

  it('--job-xml given the path of a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-hint-'))
    writeFileSync(join(dir, 'job.xml'), '<as:Job/>')
    const { code, stderr } = await run(['--job-xml', 'job.xml'], {}, dir)
    expect(code).toBe(1)
    expect(stderr).toContain(
      "--job-xml takes job XML text, and 'job.xml' is a file. Expected --job-file job.xml.",
    )
  })

  it('a variable close to one that is defined', async () => {
    const xml =
      '<as:Job xmlns:as="urn:tibco:spotfire.dxp.automation"><as:Tasks><T>${REGON}</T></as:Tasks></as:Job>'
    const { stderr } = await run(['--job-xml', xml, '--variable', 'REGION=EMEA'])
    expect(stderr).toContain("defines 'REGION': did you mean 'REGON'?")
    expect(stderr).toContain('--variable')
  })

  it('names a value that came from the environment by its variable', async () => {
    const { stderr } = await run([], { SPOTFIRE_LIBRARY_PATH: 'Jobs/no slash' })
    expect(stderr).toContain("Invalid library-path (from SPOTFIRE_LIBRARY_PATH) 'Jobs/no slash'")
  })
})
