import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { startSimulator, type Simulator } from '../../src/simulator/index.js'
import { basicAuth } from './helpers.js'

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url), 'utf8')
const cert = fixture('cert.pem')
const key = fixture('key.pem')

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ tls: { cert, key } })
})
afterAll(async () => {
  await sim.close()
})

function post(url: string, body: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          Authorization: basicAuth('demo-client', 'demo-secret'),
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        ...(ca === undefined ? {} : { ca }),
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: text })
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

describe('HTTPS', () => {
  it('serves https on 127.0.0.1 with the given certificate', async () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const answer = await post(
      `${sim.url}/spotfire/oauth2/token`,
      'grant_type=client_credentials',
      cert,
    )
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body)).toMatchObject({ token_type: 'Bearer' })
  })

  it('is refused by a client that does not trust the certificate', async () => {
    await expect(
      post(`${sim.url}/spotfire/oauth2/token`, 'grant_type=client_credentials'),
    ).rejects.toThrow(/self[- ]signed/i)
  })
})
