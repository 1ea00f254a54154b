import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startSimulator, type Lifecycle, type Simulator } from '../../src/simulator/index.js'
import { JOB_XML, jobApi, jobBody, pollStatuses, type JobApi, ZERO } from './helpers.js'

const QUICK: Lifecycle = {
  phases: [
    { status: 'Queued', polls: 1 },
    { status: 'InProgress', polls: 1 },
  ],
  final: { status: 'Finished', message: '' },
}

let sim: Simulator
let api: JobApi
beforeEach(async () => {
  sim = await startSimulator({ inlineLifecycle: QUICK })
  api = await jobApi(sim)
})
afterEach(async () => {
  await sim.close()
})

const failingJob = (title: string, reason: string): string => `<?xml version="1.0"?>
<as:Job xmlns:as="urn:tibco:spotfire.dxp.automation">
  <as:Tasks>
    <OpenAnalysisFromLibrary xmlns="urn:tibco:spotfire.dxp.automation.tasks">
      <as:Title>Open</as:Title>
      <AnalysisPath>/Sales</AnalysisPath>
    </OpenAnalysisFromLibrary>
    <x:SimulatedFailure xmlns:x="urn:example:dry-run">
      <as:Title>${title}</as:Title>
      <x:Reason>${reason}</x:Reason>
    </x:SimulatedFailure>
    <SimulatedFailure xmlns="urn:tibco:spotfire.dxp.automation.tasks">
      <as:Title>Never reached</as:Title>
      <Reason>-</Reason>
    </SimulatedFailure>
  </as:Tasks>
</as:Job>`

describe('start-content', () => {
  it('creates a job from application/xml and runs the inline lifecycle', async () => {
    const start = jobBody(await api.startContent(JOB_XML))
    expect(start.StatusCode).toBe('Queued')
    expect(sim.jobs[0]?.source).toEqual({ kind: 'content', xml: JOB_XML })
    expect(await pollStatuses(api, start.JobId, 3)).toEqual(['Queued', 'InProgress', 'Finished'])
  })

  it.each(['application/xml; charset=utf-8', 'text/xml', 'Application/XML;charset=UTF-8'])(
    'accepts Content-Type %s',
    async (contentType) => {
      const answer = await api.startContent(JOB_XML, contentType)
      expect(answer.status).toBe(200)
      expect(jobBody(answer).StatusCode).toBe('Queued')
    },
  )

  it.each(['text/plain', 'application/json', 'application/x-www-form-urlencoded'])(
    'answers 415 to Content-Type %s and creates no job',
    async (contentType) => {
      expect((await api.startContent(JOB_XML, contentType)).status).toBe(415)
      expect(sim.jobs).toHaveLength(0)
    },
  )

  const unparseable = [
    ['malformed XML', '<as:Job xmlns:as="urn:tibco:spotfire.dxp.automation"><as:Tasks></as:Job>'],
    ['an empty body', ''],
    ['a root other than Job', '<as:Jobs xmlns:as="urn:tibco:spotfire.dxp.automation"/>'],
    ['Job in another namespace', '<Job xmlns="urn:tibco:spotfire.dxp.automation.tasks"/>'],
    ['Job without a namespace', '<Job><Tasks/></Job>'],
    ['an undeclared prefix', '<as:Job><as:Tasks/></as:Job>'],
    ['two roots', '<Job xmlns="urn:tibco:spotfire.dxp.automation"/><Job/>'],
  ]

  it.each(unparseable)('answers %s with 200 NotSet and the zero id by default', async (_, xml) => {
    const answer = await api.startContent(xml)
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual({ JobId: ZERO, StatusCode: 'NotSet', Message: expect.any(String) })
    expect(sim.jobs).toHaveLength(0)
  })

  it.each(unparseable)('answers %s with 400 text in the http400 variant', async (_, xml) => {
    sim.update({ unparseableJob: 'http400' })
    const answer = await api.startContent(xml)
    expect(answer.status).toBe(400)
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(answer.text).toContain('could not be parsed')
    expect(sim.jobs).toHaveLength(0)
  })

  it('accepts a default-namespace Job root and a byte order mark', async () => {
    const xml = '\uFEFF<Job xmlns="urn:tibco:spotfire.dxp.automation"><Tasks/></Job>'
    expect(jobBody(await api.startContent(xml)).StatusCode).toBe('Queued')
  })

  it('fails at the first SimulatedFailure task with its title and reason', async () => {
    const start = jobBody(
      await api.startContent(failingJob('Export &amp; mail', 'No analysis loaded.')),
    )
    expect(await pollStatuses(api, start.JobId, 3)).toEqual(['Queued', 'InProgress', 'Failed'])
    expect(jobBody(await api.status(start.JobId)).Message).toBe(
      "Task 2 'Export & mail' failed with: No analysis loaded.",
    )
    expect(sim.jobs[0]?.history).toEqual(['Queued', 'InProgress', 'Failed'])
  })

  it('uses an inline lifecycle set by update() for new jobs', async () => {
    sim.update({ inlineLifecycle: { phases: [], final: { status: 'Canceled', message: 'x' } } })
    expect(jobBody(await api.startContent(JOB_XML))).toMatchObject({
      StatusCode: 'Canceled',
      Message: 'x',
    })
  })
})
