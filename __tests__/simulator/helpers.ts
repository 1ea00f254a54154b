import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http'
import { DEFAULT_CLIENT, type Simulator } from '../../src/simulator/index.js'

export const JOB_API = '/spotfire/api/rest/as/job'
export const TOKEN_PATH = '/spotfire/oauth2/token'
export const ZERO = '00000000-0000-0000-0000-000000000000'

export const JOB_XML = `<?xml version="1.0" encoding="utf-8"?>
<as:Job xmlns:as="urn:tibco:spotfire.dxp.automation">
  <as:Tasks>
    <OpenAnalysisFromLibrary xmlns="urn:tibco:spotfire.dxp.automation.tasks">
      <as:Title>Open the weekly sales analysis</as:Title>
      <AnalysisPath>/Sales/Weekly overview</AnalysisPath>
    </OpenAnalysisFromLibrary>
  </as:Tasks>
</as:Job>
`

/** A clock the test moves by hand. */
export function manualClock(start = 1_700_000_000_000): {
  now: () => number
  advance: (ms: number) => void
} {
  let time = start
  return {
    now: () => time,
    advance: (ms) => {
      time += ms
    },
  }
}

/** RFC 6749 §2.3.1: form-urlencode id and secret, then base64 "id:secret". */
export function basicAuth(id: string, secret: string): string {
  const encode = (text: string) => encodeURIComponent(text).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`
}

export interface Answer {
  status: number
  headers: Headers
  text: string
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text) as unknown
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

export async function requestToken(
  sim: Simulator,
  form: Record<string, string> = { grant_type: 'client_credentials' },
  headers: Record<string, string> = {
    Authorization: basicAuth(DEFAULT_CLIENT.id, DEFAULT_CLIENT.secret),
  },
): Promise<Answer> {
  const response = await fetch(`${sim.url}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  })
  return answer(response)
}

/** A token for the default demo client. */
export async function getToken(sim: Simulator): Promise<string> {
  const { status, json } = await requestToken(sim)
  if (status !== 200) throw new Error(`token request answered ${status}`)
  return (json as { access_token: string }).access_token
}

export async function call(
  sim: Simulator,
  method: 'GET' | 'POST',
  path: string,
  token: string | undefined,
  init: { body?: string; contentType?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (token !== undefined) headers.Authorization = `Bearer ${token}`
  if (init.contentType !== undefined) headers['Content-Type'] = init.contentType
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
    redirect: 'manual',
  })
  return answer(response)
}

/** A signed-in client for the job API. */
export interface JobApi {
  startLibrary: (query: string) => Promise<Answer>
  startContent: (xml: string, contentType?: string) => Promise<Answer>
  status: (id: string) => Promise<Answer>
  abort: (id: string, reason?: string) => Promise<Answer>
}

export async function jobApi(sim: Simulator): Promise<JobApi> {
  const token = await getToken(sim)
  return {
    startLibrary: (query) => call(sim, 'POST', `${JOB_API}/start-library?${query}`, token),
    startContent: (xml, contentType = 'application/xml') =>
      call(sim, 'POST', `${JOB_API}/start-content`, token, { body: xml, contentType }),
    status: (id) => call(sim, 'GET', `${JOB_API}/status/${id}`, token),
    abort: (id, reason) =>
      call(
        sim,
        'POST',
        `${JOB_API}/abort/${id}${reason === undefined ? '' : `?reason=${encodeURIComponent(reason)}`}`,
        token,
      ),
  }
}

export interface JobBody {
  JobId: string
  StatusCode: string
  Message: string
}

export function jobBody(answer: Answer): JobBody {
  return answer.json as JobBody
}

/** Polls a job n times and returns the status codes it answered. */
export async function pollStatuses(api: JobApi, id: string, n: number): Promise<string[]> {
  const statuses: string[] = []
  for (let i = 0; i < n; i++) statuses.push(jobBody(await api.status(id)).StatusCode)
  return statuses
}

/** Waits for a condition the server reaches on its own (no fixed sleeps). */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time')
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** A request whose answer the test reads as it arrives: fetch would hide the chunks. */
export function rawRequest(
  sim: Simulator,
  method: 'GET' | 'POST',
  path: string,
  token: string,
): Promise<{ request: ClientRequest; response: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${sim.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}` },
      agent: false,
    })
    request.once('response', (response) => {
      resolve({ request, response })
    })
    request.once('error', reject)
    request.end()
  })
}

/** The timers keeping the process alive, to see that the simulator let go of one. */
export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length
}
