import { describe, expect, it } from '@jest/globals'
import { EventEmitter } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import {
  CliUsageError,
  parseCliArgs,
  runSimulatorCli,
  USAGE,
  type CliIo,
} from '../../src/simulator/cli.js'
import { libraryJobId } from '../../src/simulator/cli-specs.js'
import { SAMPLE_LIBRARY } from '../../src/simulator/index.js'
import { basicAuth } from './helpers.js'
import { VERSION } from '../../src/shared/version.js'

describe('parseCliArgs', () => {
  it('defaults to demo-client on 127.0.0.1:8080 over HTTP', () => {
    expect(parseCliArgs([])).toEqual({
      kind: 'run',
      options: {
        host: '127.0.0.1',
        port: 8080,
        clientId: 'demo-client',
        clientSecret: 'demo-secret',
        authMethod: 'any',
        tokenLifetimeSeconds: 3600,
        libraryJobs: [],
        libraryItems: [],
        faults: [],
        logRequests: false,
        printCredentials: false,
      },
    })
  })

  it('reads every flag, as --flag value or --flag=value', () => {
    const command = parseCliArgs([
      '--host',
      '0.0.0.0',
      '--port=0',
      '--client-id',
      'abc.oauth-clients.spotfire.tibco.com',
      '--client-secret=s3=cret',
      '--auth-method',
      'post',
      '--token-lifetime',
      '120',
      '--tls-cert',
      'cert.pem',
      '--tls-key=key.pem',
    ])
    expect(command).toEqual({
      kind: 'run',
      options: {
        host: '0.0.0.0',
        port: 0,
        clientId: 'abc.oauth-clients.spotfire.tibco.com',
        clientSecret: 's3=cret',
        authMethod: 'post',
        tokenLifetimeSeconds: 120,
        tls: { certFile: 'cert.pem', keyFile: 'key.pem' },
        libraryJobs: [],
        libraryItems: [],
        faults: [],
        logRequests: false,
        printCredentials: false,
      },
    })
  })

  it('answers --help and -h with help, whatever else is given', () => {
    expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' })
    expect(parseCliArgs(['--port', '1', '-h'])).toEqual({ kind: 'help' })
  })

  it.each([
    [['--verbose'], 'Unknown option --verbose.'],
    [['--prot', '8080'], 'Unknown option --prot. Did you mean --port?'],
    [['--log-request'], 'Unknown option --log-request. Did you mean --log-requests?'],
    [['--library-jbo=/A=1s'], 'Unknown option --library-jbo. Did you mean --library-job?'],
    [['--verison'], 'Unknown option --verison. Did you mean --version?'],
    [['8080'], "Unexpected argument '8080'."],
    [['--port'], 'Option --port needs a value.'],
    [['--port', '--host', 'x'], 'Option --port needs a value.'],
    [['--client-id='], 'Option --client-id needs a value.'],
    [['--port', 'http'], "Option --port must be a whole number 0 to 65535, not 'http'."],
    [['--port', '65536'], "Option --port must be a whole number 0 to 65535, not '65536'."],
    [['--port', '-1'], "Option --port must be a whole number 0 to 65535, not '-1'."],
    [['--port=80.5'], "Option --port must be a whole number 0 to 65535, not '80.5'."],
    [
      ['--token-lifetime', '0'],
      "Option --token-lifetime must be a whole number at least 1, not '0'.",
    ],
    [['--auth-method', 'jwt'], "Option --auth-method must be basic, post or any, not 'jwt'."],
    [
      ['--tls-cert', 'c.pem'],
      'Options --tls-cert and --tls-key go together: give both or neither.',
    ],
    [['--tls-key', 'k.pem'], 'Options --tls-cert and --tls-key go together: give both or neither.'],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError)
    expect(() => parseCliArgs(argv)).toThrow(message)
  })
})

/** Captures output; signals are a private emitter so the test process is left alone. */
function fakeIo(): CliIo & { lines: string[]; errors: string[]; emitter: EventEmitter } {
  const emitter = new EventEmitter()
  const lines: string[] = []
  const errors: string[] = []
  return {
    lines,
    errors,
    emitter,
    out: (line) => lines.push(line),
    err: (line) => errors.push(line),
    readFile: (path) => readFileSync(path, 'utf8'),
    signals: emitter,
  }
}

describe('runSimulatorCli', () => {
  it('prints the url, the client id and the sample library, then stops on SIGTERM', async () => {
    const io = fakeIo()
    const run = await runSimulatorCli(['--port', '0', '--client-id', 'ci-client'], io)
    expect(run.exitCode).toBe(0)
    const url = /^Spotfire simulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(
      io.lines[0] ?? '',
    )?.[1]
    expect(url).toBeDefined()
    const printed = io.lines.join('\n')
    expect(printed).toContain('ci-client')
    expect(printed).not.toContain('demo-secret')
    for (const item of SAMPLE_LIBRARY) {
      expect(printed).toContain(item.path)
      expect(printed).toContain(item.id)
    }
    const metadata = await fetch(`${url ?? ''}/spotfire/.well-known/oauth-authorization-server`)
    expect(metadata.status).toBe(200)

    expect(io.emitter.listenerCount('SIGTERM')).toBe(1)
    io.emitter.emit('SIGTERM')
    await run.stop()
    expect(io.emitter.listenerCount('SIGINT')).toBe(0)
    await expect(fetch(`${url ?? ''}/spotfire/oauth2/token`)).rejects.toThrow()
  })

  it('serves HTTPS with --tls-cert and --tls-key', async () => {
    const io = fakeIo()
    const fixture = (name: string) =>
      fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url))
    const run = await runSimulatorCli(
      ['--port=0', '--tls-cert', fixture('cert.pem'), '--tls-key', fixture('key.pem')],
      io,
    )
    try {
      expect(io.lines[0]).toMatch(/^Spotfire simulator listening on https:\/\/127\.0\.0\.1:\d+$/)
    } finally {
      await run.stop()
    }
  })

  it('prints the usage for --help and starts nothing', async () => {
    const io = fakeIo()
    const run = await runSimulatorCli(['--help'], io)
    expect(run.exitCode).toBe(0)
    expect(io.lines).toEqual([USAGE])
    expect(io.emitter.listenerCount('SIGINT')).toBe(0)
  })

  it('prints the version for --version, exit 0, and starts nothing', async () => {
    expect(parseCliArgs(['--port', '1', '--version'])).toEqual({ kind: 'version' })
    const io = fakeIo()
    const run = await runSimulatorCli(['--version'], io)
    expect(run.exitCode).toBe(0)
    expect(io.lines).toEqual([VERSION])
    expect(io.emitter.listenerCount('SIGINT')).toBe(0)
  })

  it('exits 1, as the CLI does, with the reason and a --help hint on bad usage', async () => {
    const io = fakeIo()
    const run = await runSimulatorCli(['--prot', '8080'], io)
    expect(run.exitCode).toBe(1)
    expect(io.errors).toEqual([
      'Unknown option --prot. Did you mean --port? Run with --help for usage.',
    ])
    expect(io.lines).toEqual([])
  })

  it('exits 1 when the port is in use, suggesting --port 0', async () => {
    const holder = createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    try {
      const port = (holder.address() as AddressInfo).port
      const io = fakeIo()
      const run = await runSimulatorCli(['--port', String(port)], io)
      expect(run.exitCode).toBe(1)
      expect(io.errors).toEqual([
        `The simulator could not start: port ${port} on 127.0.0.1 is in use. Stop what holds it, or give --port 0 for any free port.`,
      ])
      expect(io.lines).toEqual([])
    } finally {
      await new Promise((resolve) => holder.close(resolve))
    }
  })

  it('exits 1 when the certificate cannot be read', async () => {
    const io = fakeIo()
    const run = await runSimulatorCli(
      ['--port=0', '--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'],
      io,
    )
    expect(run.exitCode).toBe(1)
    expect(io.errors[0]).toMatch(/^The simulator could not start: .*cert\.pem/)
  })

  it('runs --library-job, --fault, --log-requests and --print-credentials together', async () => {
    const io = fakeIo()
    const run = await runSimulatorCli(
      [
        '--port=0',
        '--client-id',
        'ci-client',
        '--client-secret',
        'ci-secret-123',
        '--library-job',
        "/CI/Export=1ms:Failed:Task 1 'Export' failed with: disk: full",
        '--fault',
        'POST:start-library:busy:2',
        '--fault',
        'GET:status:not-found',
        '--log-requests',
        '--print-credentials',
      ],
      io,
    )
    try {
      expect(run.exitCode).toBe(0)
      const url = /^Spotfire simulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(
        io.lines[0] ?? '',
      )?.[1]
      if (url === undefined) throw new Error(`no url in ${io.lines[0] ?? ''}`)
      // What a script would eval: the credentials it needs, from the banner alone.
      const env = new Map(
        io.lines.flatMap((line) => {
          const match = /^(SPOTFIRE_(?:CLIENT_ID|CLIENT_SECRET|SERVER_URL))=(.*)$/.exec(line)
          return match?.[1] === undefined ? [] : [[match[1], match[2] ?? '']]
        }),
      )
      expect(env).toEqual(
        new Map([
          ['SPOTFIRE_SERVER_URL', url],
          ['SPOTFIRE_CLIENT_ID', 'ci-client'],
          ['SPOTFIRE_CLIENT_SECRET', 'ci-secret-123'],
        ]),
      )
      const id = libraryJobId('/CI/Export')
      expect(io.lines).toContain(
        `  /CI/Export  id ${id}  InProgress 0.001 s -> Failed: Task 1 'Export' failed with: disk: full`,
      )
      expect(io.lines).toContain('Faults: POST:start-library:busy:2, GET:status:not-found')
      const bannerLength = io.lines.length

      const tokenAnswer = await fetch(`${url}/spotfire/oauth2/token`, {
        method: 'POST',
        headers: {
          Authorization: basicAuth(
            env.get('SPOTFIRE_CLIENT_ID') ?? '',
            env.get('SPOTFIRE_CLIENT_SECRET') ?? '',
          ),
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      })
      const { access_token: token } = (await tokenAnswer.json()) as { access_token: string }
      const api = async (method: string, path: string) => {
        const response = await fetch(`${url}/spotfire/api/rest/as/job/${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}` },
        })
        return { status: response.status, body: (await response.json()) as Record<string, string> }
      }
      const start = `start-library?path=${encodeURIComponent('/CI/Export')}`
      expect((await api('POST', start)).body.StatusCode).toBe('Busy')
      expect((await api('POST', start)).body.StatusCode).toBe('Busy')
      const started = await api('POST', `start-library?id=${id}`)
      expect(started.body.StatusCode).toBe('InProgress')
      const jobId = started.body.JobId ?? ''
      expect((await api('GET', `status/${jobId}`)).status).toBe(404)
      let final = await api('GET', `status/${jobId}`)
      // 1 ms of InProgress: poll until the server has moved on by itself.
      while (final.body.StatusCode === 'InProgress') final = await api('GET', `status/${jobId}`)
      expect(final.body).toEqual({
        JobId: jobId,
        StatusCode: 'Failed',
        Message: "Task 1 'Export' failed with: disk: full",
      })

      const log = io.lines.slice(bannerLength)
      expect(log.slice(0, 5)).toEqual([
        'POST /spotfire/oauth2/token -> 200',
        'POST /spotfire/api/rest/as/job/start-library -> busy',
        'POST /spotfire/api/rest/as/job/start-library -> busy',
        'POST /spotfire/api/rest/as/job/start-library -> 200',
        `GET /spotfire/api/rest/as/job/status/${jobId} -> not-found`,
      ])
      expect(
        log
          .slice(5)
          .every((line) => line === `GET /spotfire/api/rest/as/job/status/${jobId} -> 200`),
      ).toBe(true)
      const printed = log.join('\n')
      for (const secret of [token, 'ci-secret-123', 'path=', '?', 'Bearer', 'Basic']) {
        expect(printed).not.toContain(secret)
      }
    } finally {
      await run.stop()
    }
  })

  it('shows request bodies with --log-bodies, secrets and tokens redacted, chunks by size', async () => {
    const io = fakeIo()
    const run = await runSimulatorCli(
      ['--port=0', '--client-secret', 'ci-secret-123', '--log-requests', '--log-bodies'],
      io,
    )
    try {
      const url = (io.lines[0] ?? '').replace('Spotfire simulator listening on ', '')
      const bannerLength = io.lines.length
      const tokenAnswer = await fetch(`${url}/spotfire/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=demo-client&client_secret=ci-secret-123',
      })
      const { access_token: token } = (await tokenAnswer.json()) as { access_token: string }
      const xml = `<Job><Note>Region=North</Note><Key>Bearer ${token}</Key>\n::error::x</Job>`
      await fetch(`${url}/spotfire/api/rest/as/job/start-content`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/xml' },
        body: xml,
      })
      await fetch(`${url}/spotfire/api/rest/library/v2/upload/some-job`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: 'chunk-bytes-not-for-the-log',
      })
      const printed = io.lines.slice(bannerLength).join('\n')
      expect(printed).toContain('POST /spotfire/oauth2/token -> 200')
      expect(printed).toContain(
        '  body: grant_type=client_credentials&client_id=demo-client&client_secret=***',
      )
      expect(printed).toContain('<Note>Region=North</Note><Key>Bearer ***</Key>')
      expect(printed).toContain('  body: upload chunk, 27 bytes, not shown')
      expect(printed).not.toMatch(/^::error::/m)
      for (const secret of [token, 'ci-secret-123', 'chunk-bytes', 'Authorization']) {
        expect(printed).not.toContain(secret)
      }
    } finally {
      await run.stop()
    }
  })

  it('refuses --log-bodies without --log-requests', () => {
    expect(() => parseCliArgs(['--log-bodies'])).toThrow(
      'Option --log-bodies goes with --log-requests.',
    )
  })

  it('keeps the secret out of the banner without --print-credentials, and logs nothing', async () => {
    const io = fakeIo()
    const run = await runSimulatorCli(['--port=0', '--client-secret', 'hidden-secret'], io)
    try {
      const url = (io.lines[0] ?? '').replace('Spotfire simulator listening on ', '')
      expect(io.lines.join('\n')).not.toMatch(/hidden-secret|SPOTFIRE_/)
      const bannerLength = io.lines.length
      await fetch(`${url}/spotfire/.well-known/oauth-authorization-server`)
      expect(io.lines).toHaveLength(bannerLength)
      expect(io.lines.some((line) => line.startsWith('Faults:'))).toBe(false)
    } finally {
      await run.stop()
    }
  })

  it('exits 1 on a bad --fault before it starts anything', async () => {
    const io = fakeIo()
    const run = await runSimulatorCli(['--port=0', '--fault', 'GET:token:busy'], io)
    expect(run.exitCode).toBe(1)
    expect(io.errors).toEqual([
      "Option --fault: token answers POST requests, not GET (in 'GET:token:busy'). Run with --help for usage.",
    ])
    expect(io.lines).toEqual([])
  })
})
