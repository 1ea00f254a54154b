import { readFileSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { environmentName, HELP, parseArgs, runCli } from '../../src/cli.js'
import { InputError } from '../../src/settings.js'

const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, unknown> }

describe('parseArgs', () => {
  it('reads --name value and --name=value for action inputs', () => {
    const args = parseArgs(['--server-url', 'https://s', '--library-path=/Jobs/A b', '--json'])
    expect(args.inputs).toEqual({ 'server-url': 'https://s', 'library-path': '/Jobs/A b' })
    expect(args.json).toBe(true)
  })

  it('joins repeated --variable with --variables into lines', () => {
    const args = parseArgs(['--variables', 'A=1', '--variable', 'B=2', '--variable=C=x=y'])
    expect(args.inputs.variables).toBe('A=1\nB=2\nC=x=y')
  })

  it('reports every unknown option and missing value at once', () => {
    let problems: string[] = []
    try {
      parseArgs(['--bogus', '--timeout'])
    } catch (error) {
      problems = (error as InputError).problems
    }
    expect(problems).toEqual(["Unknown option '--bogus'.", 'Option --timeout needs a value.'])
  })
})

describe('secrets on the command line', () => {
  it('does not echo the value of a mistyped option', () => {
    let message = ''
    try {
      parseArgs(['--client-secrt=TopSecret123'])
    } catch (error) {
      message = (error as InputError).message
    }
    expect(message).toBe("Unknown option '--client-secrt'.")
  })
})

describe('typos', () => {
  it('reports a mistyped option once, not its value as another option', () => {
    let problems: string[] = []
    try {
      parseArgs(['--libary-path', '/Samples/Refresh sales', '--json'])
    } catch (error) {
      problems = (error as InputError).problems
    }
    expect(problems).toEqual(["Unknown option '--libary-path'."])
  })
})

describe('help and environment', () => {
  it('documents every action input as a flag', () => {
    for (const name of Object.keys(action.inputs)) expect(HELP).toContain(`--${name} `)
  })

  it('names environment variables SPOTFIRE_ + the input', () => {
    expect(environmentName('client-secret')).toBe('SPOTFIRE_CLIENT_SECRET')
  })

  it('exits 2 with the problems on invalid input, before any request', async () => {
    let stderr = ''
    const code = await runCli(['--server-url', 'ftp://x', '--library-path', '/a'], {
      stdout: () => undefined,
      stderr: (text) => {
        stderr += text
      },
      env: { SPOTFIRE_CLIENT_ID: 'id' },
      cwd: '/',
      cancelSignal: new AbortController().signal,
    })
    expect(code).toBe(2)
    expect(stderr).toContain('the scheme must be https or http')
    expect(stderr).toContain('--client-secret (or SPOTFIRE_CLIENT_SECRET) is required.')
  })
})
