import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type Lifecycle, type Simulator } from '../../src/simulator/index.js'
import { baseInputs, ledgerOf, runAction, SAMPLE_JOB, shownLog } from './harness.js'

const QUICK: Lifecycle = {
  phases: [
    { status: 'Queued', polls: 1 },
    { status: 'InProgress', polls: 1 },
  ],
  final: { status: 'Finished', message: '' },
}
const FAILING: Lifecycle = {
  phases: [{ status: 'InProgress', polls: 1 }],
  final: {
    status: 'Failed',
    message: "Task 1 'Export Data to File' failed with: No analysis loaded.",
  },
}
const REFRESH_ID = '5f0c2a1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b'
const FAILING_ID = '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'

let sim: Simulator
beforeEach(async () => {
  sim = await startSimulator({
    library: [
      { path: '/Jobs/Refresh sales', id: REFRESH_ID, lifecycle: QUICK },
      { path: '/Jobs/Failing export', id: FAILING_ID, lifecycle: FAILING },
    ],
    inlineLifecycle: QUICK,
  })
})
afterEach(async () => {
  await sim.close()
})

const statusPolls = (): number => sim.requests.filter((r) => r.endpoint === 'status').length

describe('a library job by path', () => {
  it('waits through Queued and InProgress to Finished and reports it', async () => {
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'library-path': '/Jobs/Refresh sales' }),
    })

    expect(run.exitCode).toBe(0)
    expect(sim.jobs).toHaveLength(1)
    const job = sim.jobs[0]
    expect(job?.source).toEqual({ kind: 'library', path: '/Jobs/Refresh sales' })
    expect(job?.history).toEqual(['Queued', 'InProgress', 'Finished'])
    expect(run.outputs).toMatchObject({
      'job-id': job?.id,
      status: 'Finished',
      'timed-out': 'false',
    })
    expect(Number(run.outputs['duration-seconds'])).toBeGreaterThanOrEqual(0)
    // One line per status change, not one per poll.
    expect(run.log).toMatch(/Queued -> InProgress after [\d.]+ s/)
    expect(run.log).toMatch(/InProgress -> Finished after [\d.]+ s/)
    expect(run.log.match(/->/g)).toHaveLength(2)
    expect(run.summary).toContain(
      `| ✅ | \`/Jobs/Refresh sales\`<br><sub>\`${job?.id ?? ''}\`</sub> | Finished |`,
    )
    expect(run.annotations.filter((a) => a.level === 'error')).toEqual([])
  })

  it('accepts a server URL with a trailing /spotfire/', async () => {
    const run = await runAction({
      inputs: baseInputs(`${sim.url}/spotfire/`, { 'library-path': '/Jobs/Refresh sales' }),
    })
    expect(run.exitCode).toBe(0)
    expect(
      sim.requests.every(
        (r) => r.url.startsWith('/spotfire/') && !r.url.startsWith('/spotfire/spotfire'),
      ),
    ).toBe(true)
  })
})

describe('a library job by id', () => {
  it('starts it with ?id= and finishes', async () => {
    const run = await runAction({ inputs: baseInputs(sim.url, { 'library-id': REFRESH_ID }) })
    expect(run.exitCode).toBe(0)
    expect(sim.requests.find((r) => r.endpoint === 'start-library')?.url).toContain(
      `id=${REFRESH_ID}`,
    )
    expect(run.outputs.status).toBe('Finished')
    expect(run.summary).toContain(`library id ${REFRESH_ID}`)
  })
})

describe('an inline job', () => {
  it('sends job-xml as application/xml', async () => {
    const xml = SAMPLE_JOB.replace('${REGION}', 'EMEA')
    const run = await runAction({ inputs: baseInputs(sim.url, { 'job-xml': xml }) })
    expect(run.exitCode).toBe(0)
    const start = sim.requests.find((r) => r.endpoint === 'start-content')
    expect(start?.headers['content-type']).toMatch(/^application\/xml/)
    expect(start?.body).toContain('Region="EMEA";')
    expect(run.outputs.status).toBe('Finished')
  })
})

describe('a job file with variables', () => {
  it('replaces ${NAME} with the XML-escaped value and $${ with a literal ${', async () => {
    const job = SAMPLE_JOB.replace(
      '</AnalysisPath>',
      () => '</AnalysisPath><!-- $${NOT_A_VARIABLE} -->',
    )
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'job-file': 'jobs/weekly.xml',
        variables: 'REGION=EMEA & "North" <1>',
      }),
      files: { 'jobs/weekly.xml': job },
    })
    expect(run.exitCode).toBe(0)
    const body = sim.requests.find((r) => r.endpoint === 'start-content')?.body ?? ''
    expect(body).toContain('Region="EMEA &amp; &quot;North&quot; &lt;1&gt;";')
    expect(body).toContain('<!-- ${NOT_A_VARIABLE} -->')
    expect(run.summary).toContain('`jobs/weekly.xml`')
  })

  it('names an undefined variable and sends nothing', async () => {
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'job-file': 'weekly.xml', variables: 'OTHER=1' }),
      files: { 'weekly.xml': SAMPLE_JOB },
    })
    expect(run.exitCode).toBe(1)
    expect(run.annotations.find((a) => a.level === 'error')?.message).toContain("'REGION'")
    expect(sim.requests).toEqual([])
  })
})

describe('a failed job', () => {
  it('fails the step with the server message verbatim in an error annotation', async () => {
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'library-path': '/Jobs/Failing export' }),
    })
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((a) => a.level === 'error').map((a) => a.message)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain("Task 1 'Export Data to File' failed with: No analysis loaded.")
    expect(run.outputs.status).toBe('Failed')
    expect(run.outputs.message).toBe(
      "Task 1 'Export Data to File' failed with: No analysis loaded.",
    )
    expect(run.summary).toContain('| Failed |')
    expect(run.summary).toContain('Next step')
  })

  it('succeeds with fail-on-job-failure: false and still tells the status', async () => {
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'library-path': '/Jobs/Failing export',
        'fail-on-job-failure': 'false',
      }),
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.status).toBe('Failed')
    expect(run.annotations.filter((a) => a.level === 'error')).toEqual([])
    expect(
      run.annotations.some(
        (a) => a.level === 'warning' && a.message.includes('No analysis loaded.'),
      ),
    ).toBe(true)
  })
})

describe('a job the server cannot find', () => {
  it('fails with the path in the message and never polls the zero id', async () => {
    const run = await runAction({ inputs: baseInputs(sim.url, { 'library-path': '/Jobs/Nope' }) })
    expect(run.exitCode).toBe(1)
    const error = run.annotations.find((a) => a.level === 'error')?.message ?? ''
    expect(error).toContain("'/Jobs/Nope'")
    expect(error).toContain('Job file not found or no access.')
    expect(statusPolls()).toBe(0)
    expect(run.outputs['job-id']).toBe('')
    // The start went out, and its answer said no job was made: nothing for the post step.
    expect(run.state.job_0).toBe('')
    expect(ledgerOf(run)).toEqual([])
  })
})

describe('wait: false', () => {
  it('returns right after the start with the job id and its first status', async () => {
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'library-path': '/Jobs/Refresh sales', wait: 'false' }),
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['job-id']).toBe(sim.jobs[0]?.id)
    expect(run.outputs.status).toBe('Queued')
    expect(statusPolls()).toBe(0)
    // Nothing for the post step to abort.
    expect(run.state.job_0).toBe('')
    expect(ledgerOf(run)).toEqual([])
  })
})

describe('statuses that end the wait as failures', () => {
  it('fails on a job that vanishes (Missing)', async () => {
    sim.update({
      inlineLifecycle: {
        phases: [{ status: 'InProgress', polls: 1 }],
        final: { status: 'Missing' },
      },
    })
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'job-xml': SAMPLE_JOB.replace('${REGION}', 'x') }),
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.status).toBe('Missing')
  })

  it('fails on NotSet', async () => {
    sim.update({
      inlineLifecycle: {
        phases: [{ status: 'Queued', polls: 1 }],
        final: { status: 'NotSet', message: 'Could not parse the job.' },
      },
    })
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'job-xml': SAMPLE_JOB.replace('${REGION}', 'x') }),
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ status: 'NotSet', message: 'Could not parse the job.' })
  })
})

describe('a job the server cannot parse', () => {
  const NO_TASKS = '<as:Job xmlns:as="urn:tibco:spotfire.dxp.automation"></as:Job>'

  it('fails on a NotSet answer with the zero job id, without polling', async () => {
    const run = await runAction({ inputs: baseInputs(sim.url, { 'job-xml': NO_TASKS }) })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ status: 'NotSet', 'job-id': '' })
    expect(run.annotations.find((a) => a.level === 'error')?.message).toContain(
      'Could not start the inline job',
    )
    expect(statusPolls()).toBe(0)
  })

  it('fails on a 400 answer, with the server text', async () => {
    sim.update({ unparseableJob: 'http400' })
    const run = await runAction({ inputs: baseInputs(sim.url, { 'job-xml': NO_TASKS }) })
    expect(run.exitCode).toBe(1)
    expect(run.annotations.find((a) => a.level === 'error')?.message).toContain('HTTP 400')
    expect(sim.requests.filter((r) => r.endpoint === 'start-content')).toHaveLength(1)
  })
})

describe('timeout', () => {
  it('stops waiting, sets timed-out and aborts the job with a reason naming the run', async () => {
    sim.update({
      inlineLifecycle: { phases: [{ status: 'InProgress' }], final: { status: 'Finished' } },
    })
    const run = await runAction({
      inputs: baseInputs(sim.url, {
        'job-xml': SAMPLE_JOB.replace('${REGION}', 'x'),
        timeout: '1s',
      }),
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs['timed-out']).toBe('true')
    expect(sim.jobs[0]?.abortReasons).toHaveLength(1)
    expect(sim.jobs[0]?.abortReasons[0]).toContain(
      'https://github.com/example/repo/actions/runs/4242',
    )
    expect(run.outputs.status).toBe('Canceled')
    expect(run.state.job_0).toBe('')
    expect(ledgerOf(run)).toEqual([])
    expect(run.annotations.find((a) => a.level === 'error')?.message).toContain(
      'did not finish within 1 s',
    )
  })
})

describe('credentials', () => {
  it('fails at once on a wrong secret, naming the likely causes, without retrying', async () => {
    const run = await runAction({
      inputs: {
        ...baseInputs(sim.url, { 'library-path': '/Jobs/Refresh sales' }),
        'client-secret': 'wrong-secret',
      },
    })
    expect(run.exitCode).toBe(1)
    const error = run.annotations.find((a) => a.level === 'error')?.message ?? ''
    expect(error).toContain('refused the client credentials')
    expect(error).toContain('client-secret')
    expect(sim.requests.filter((r) => r.endpoint === 'token')).toHaveLength(1)
    expect(sim.jobs).toHaveLength(0)
    expect(shownLog(run)).not.toContain('wrong-secret')
  })

  it('uses client_secret_post when asked to', async () => {
    sim.update({
      clients: [
        {
          id: 'post-client',
          secret: 'post-secret',
          authMethod: 'post',
          scopes: ['api.rest.automation-services-job.execute'],
        },
      ],
    })
    const run = await runAction({
      inputs: {
        ...baseInputs(sim.url, { 'library-path': '/Jobs/Refresh sales' }),
        'client-id': 'post-client',
        'client-secret': 'post-secret',
        'client-auth-method': 'post',
      },
    })
    expect(run.exitCode).toBe(0)
    const token = sim.requests.find((r) => r.endpoint === 'token')
    expect(token?.headers.authorization).toBeUndefined()
    expect(new URLSearchParams(token?.body).get('client_id')).toBe('post-client')
  })

  it('explains a client registered without the scope', async () => {
    sim.update({
      clients: [{ id: 'demo-client', secret: 'demo-secret', authMethod: 'any', scopes: ['other'] }],
    })
    const run = await runAction({
      inputs: baseInputs(sim.url, { 'library-path': '/Jobs/Refresh sales' }),
    })
    expect(run.exitCode).toBe(1)
    expect(run.annotations.find((a) => a.level === 'error')?.message).toContain(
      '-Sapi.rest.automation-services-job.execute',
    )
  })
})
