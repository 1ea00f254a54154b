import { describe, expect, it } from '@jest/globals'
import { CliUsageError, parseCliArgs, type CliOptions } from '../../src/simulator/cli.js'
import {
  cliFaultPlan,
  libraryJobId,
  parseFaultSpec,
  requestLogLine,
} from '../../src/simulator/cli-specs.js'
import { SAMPLE_LIBRARY } from '../../src/simulator/index.js'

function run(argv: string[]): CliOptions {
  const command = parseCliArgs(argv)
  if (command.kind !== 'run') throw new Error('expected a run command')
  return command.options
}

describe('--library-job', () => {
  it('reads PATH=DURATION[:STATUS[:MESSAGE]] into an InProgress phase and a final status', () => {
    const { libraryJobs } = run([
      '--library-job',
      '/Jobs/Nightly=90',
      "--library-job=/Jobs/Export report=2m:failed:Task 1 'Export' failed with: a=b: c",
      '--library-job',
      '/Jobs/Stopped=1h30m:Canceled',
      '--library-job',
      '/Jobs/Gone=500ms:Missing:',
    ])
    expect(libraryJobs.map((item) => [item.path, item.lifecycle])).toEqual([
      [
        '/Jobs/Nightly',
        {
          phases: [{ status: 'InProgress', ms: 90_000 }],
          final: { status: 'Finished', message: '' },
        },
      ],
      [
        '/Jobs/Export report',
        {
          phases: [{ status: 'InProgress', ms: 120_000 }],
          final: { status: 'Failed', message: "Task 1 'Export' failed with: a=b: c" },
        },
      ],
      [
        '/Jobs/Stopped',
        {
          phases: [{ status: 'InProgress', ms: 5_400_000 }],
          final: { status: 'Canceled', message: '' },
        },
      ],
      [
        '/Jobs/Gone',
        { phases: [{ status: 'InProgress', ms: 500 }], final: { status: 'Missing', message: '' } },
      ],
    ])
  })

  it('reads queued=QUEUED,DURATION into a Queued phase before the InProgress one', () => {
    const { libraryJobs } = run([
      '--library-job',
      '/Jobs/Nightly=queued=5s,2m:Failed:Disk full',
      '--library-job',
      '/Jobs/Wait=Queued=500ms,1s',
    ])
    expect(libraryJobs.map((item) => item.lifecycle)).toEqual([
      {
        phases: [
          { status: 'Queued', ms: 5_000 },
          { status: 'InProgress', ms: 120_000 },
        ],
        final: { status: 'Failed', message: 'Disk full' },
      },
      {
        phases: [
          { status: 'Queued', ms: 500 },
          { status: 'InProgress', ms: 1_000 },
        ],
        final: { status: 'Finished', message: '' },
      },
    ])
  })

  it('gives each path a GUID that is the same on every run and differs between paths', () => {
    const [a, b] = run(['--library-job', '/Jobs/A=1s', '--library-job', '/Jobs/B=1s']).libraryJobs
    expect(a?.id).toBe(libraryJobId('/Jobs/A'))
    expect(a?.id).toBe(run(['--library-job', '/Jobs/A=5m:Failed']).libraryJobs[0]?.id)
    expect(a?.id).not.toBe(b?.id)
    // UUID v5 of the path (checked against Python's uuid.uuid5), pinned: ids in users' scripts
    // must keep working across versions.
    expect(libraryJobId('/Jobs/A')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
    expect(libraryJobId('/Jobs/A')).toBe('996ff072-5078-5a7b-a6ae-ffb060eb6a8d')
  })

  it.each([
    [['--library-job', 'Jobs/A=1s'], "needs a library path starting with /, not 'Jobs/A'"],
    [['--library-job', '/Jobs/A'], 'must be PATH=[queued=QUEUED,]DURATION[:STATUS[:MESSAGE]]'],
    [['--library-job', '/Jobs/A='], "needs a DURATION like 90, 90s, 2m, 1h30m or 500ms, not ''"],
    [['--library-job', '/Jobs/A=soon'], "DURATION like 90, 90s, 2m, 1h30m or 500ms, not 'soon'"],
    [['--library-job', '/Jobs/A=0'], "not '0'"],
    [['--library-job', '/Jobs/A=queued=5s'], "needs queued=QUEUED,DURATION, not 'queued=5s'"],
    [
      ['--library-job', '/Jobs/A=queued=soon,1s'],
      "a QUEUED like 90, 90s, 2m, 1h30m or 500ms, not 'soon'",
    ],
    [
      ['--library-job', '/Jobs/A=queued=1s,later'],
      "DURATION like 90, 90s, 2m, 1h30m or 500ms, not 'later'",
    ],
    [
      ['--library-job', '/Jobs/A=1s:Done'],
      "STATUS of Finished, Failed, Canceled, Missing, not 'Done'",
    ],
    [['--library-job', '/Jobs/A=1s::x'], "STATUS of Finished, Failed, Canceled, Missing, not ''"],
    [['--library-job', '/Jobs/A=1s', '--library-job', '/Jobs/A=2s'], '/Jobs/A is already in'],
    [['--library-job', `${SAMPLE_LIBRARY[0]?.path ?? ''}=1s`], 'is already in the library'],
    [['--library-job'], 'Option --library-job needs a value.'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError)
    expect(() => parseCliArgs(argv)).toThrow(message)
  })
})

describe('--fault', () => {
  it('reads METHOD:ENDPOINT:KIND[:N] for every kind', () => {
    const { faults } = run([
      '--fault',
      'POST:start-library:busy:2',
      '--fault=*:start-content:busy-with-job',
      '--fault',
      'get:status:http-503',
      '--fault',
      'GET:status:html-502:3',
      '--fault',
      'POST:token:reset-before',
      '--fault',
      'POST:abort:reset-after',
      '--fault',
      'GET:metadata:slow-250',
      '--fault',
      '*:token:truncated',
      '--fault',
      '*:status:trickle',
      '--fault',
      'POST:abort:not-found',
      '--fault',
      '*:token:echo',
      '--fault',
      'GET:status:json-404',
      '--fault',
      'POST:abort:spring-404',
      '--fault',
      'GET:status:other-job',
      '--fault',
      'POST:start-library:upstream-reset',
      '--fault',
      'POST:start-library:no-upstream',
      '--fault',
      'POST:start-content:created-201',
      '--fault',
      'POST:start-content:created-202',
      '--fault',
      'POST:start-library:braced-id',
    ])
    expect(faults.map(({ endpoint, fault, count }) => [endpoint, fault, count])).toEqual([
      ['start-library', { type: 'busy' }, 2],
      ['start-content', { type: 'busy', withJob: true }, 1],
      ['status', { type: 'http', status: 503 }, 1],
      ['status', { type: 'http', status: 502, html: true }, 3],
      ['token', { type: 'reset-before' }, 1],
      ['abort', { type: 'reset-after' }, 1],
      ['metadata', { type: 'slow', ms: 250 }, 1],
      ['token', { type: 'truncated' }, 1],
      ['status', { type: 'trickle' }, 1],
      ['abort', { type: 'not-found' }, 1],
      ['token', { type: 'echo' }, 1],
      ['status', { type: 'json-404', style: 'gateway' }, 1],
      ['abort', { type: 'json-404', style: 'spring' }, 1],
      ['status', { type: 'other-job' }, 1],
      ['start-library', { type: 'upstream-reset' }, 1],
      ['start-library', { type: 'no-upstream' }, 1],
      ['start-content', { type: 'created', status: 201 }, 1],
      ['start-content', { type: 'created', status: 202 }, 1],
      ['start-library', { type: 'braced-id' }, 1],
    ])
    expect(faults[0]?.spec).toBe('POST:start-library:busy:2')
  })

  it.each([
    ['POST:start-library', 'must be METHOD:ENDPOINT:KIND[:N]'],
    ['POST:start-library:busy:2:3', 'must be METHOD:ENDPOINT:KIND[:N]'],
    ['PUT:start-library:busy', "METHOD of GET, POST or *, not 'PUT'"],
    [
      'POST:start-job:busy',
      "ENDPOINT of token, metadata, start-library, start-content, status, abort, library-items, library-folder, upload-begin, upload-chunk, not 'start-job'",
    ],
    ['GET:start-library:busy', 'start-library answers POST requests, not GET'],
    ['POST:status:http-500', 'status answers GET requests, not POST'],
    ['POST:token:explode', 'KIND of http-<status>, html-<status>, busy, busy-with-job'],
    ['POST:token:http-5000', "not 'http-5000'"],
    ['POST:token:http-100', 'status from 200 to 599'],
    ['POST:token:slow-soon', "not 'slow-soon'"],
    ['GET:status:busy', "a 'busy' fault only fits start-library and start-content, not status"],
    ['*:token:not-found', "a 'not-found' fault only fits status and abort, not token"],
    ['GET:status:created-201', "a 'created-201' fault only fits start-library and start-content"],
    ['*:token:spring-404', "a 'spring-404' fault only fits status and abort, not token"],
    ['POST:start-library:busy:0', "N to be a whole number at least 1, not '0'"],
    ['POST:start-library:busy:x', "not 'x'"],
  ])('refuses %s', (spec, message) => {
    expect(() => parseCliArgs(['--fault', spec])).toThrow(CliUsageError)
    expect(() => parseCliArgs(['--fault', spec])).toThrow(message)
  })

  it('plays faults on one endpoint one after another, each for its N requests', () => {
    const plan = cliFaultPlan(
      run([
        '--fault',
        'POST:start-library:busy:2',
        '--fault',
        'GET:status:not-found',
        '--fault',
        'POST:start-library:http-503',
      ]).faults,
    )
    expect([1, 2, 3, 4].map((n) => plan('start-library', n))).toEqual([
      { type: 'busy' },
      { type: 'busy' },
      { type: 'http', status: 503 },
      undefined,
    ])
    expect([1, 2].map((n) => plan('status', n))).toEqual([{ type: 'not-found' }, undefined])
    expect(plan('token', 1)).toBeUndefined()
  })
})

describe('switches', () => {
  it('reads --log-requests and --print-credentials, which take no value', () => {
    expect(run(['--log-requests', '--print-credentials'])).toMatchObject({
      logRequests: true,
      printCredentials: true,
    })
    expect(() => parseCliArgs(['--log-requests=yes'])).toThrow(
      'Option --log-requests takes no value.',
    )
    expect(() => parseCliArgs(['--print-credentials=1'])).toThrow(
      'Option --print-credentials takes no value.',
    )
  })

  it('logs a request by method, path and status, or by the fault played', () => {
    const base = { method: 'GET', path: '/spotfire/api/rest/as/job/status/x', n: 1 } as const
    expect(requestLogLine({ ...base, endpoint: 'status', status: 200 })).toBe(
      'GET /spotfire/api/rest/as/job/status/x -> 200',
    )
    expect(
      requestLogLine({
        ...base,
        endpoint: 'status',
        fault: { type: 'http', status: 502, html: true },
      }),
    ).toBe('GET /spotfire/api/rest/as/job/status/x -> html-502')
    expect(
      requestLogLine({ ...base, endpoint: 'status', fault: { type: 'busy', withJob: true } }),
    ).toBe('GET /spotfire/api/rest/as/job/status/x -> busy-with-job')
  })

  it.each([
    'GET:status:json-404',
    'GET:status:spring-404',
    'GET:status:other-job',
    'POST:start-library:upstream-reset',
    'POST:start-library:no-upstream',
    'POST:start-library:created-201',
    'POST:start-library:created-202',
    'POST:start-library:braced-id',
  ])('logs %s by the kind given', (spec) => {
    const { endpoint, fault } = parseFaultSpec(spec)
    const line = requestLogLine({ method: 'GET', path: '/p', n: 1, endpoint, fault })
    expect(line).toBe(`GET /p -> ${spec.split(':')[2] ?? ''}`)
  })
})
