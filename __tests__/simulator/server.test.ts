import { describe, expect, it } from '@jest/globals'
import { connect } from 'node:net'
import { startSimulator } from '../../src/simulator/index.js'
import { call } from './helpers.js'

describe('startSimulator', () => {
  it('listens on a random port of 127.0.0.1 and reports its url', async () => {
    const sim = await startSimulator()
    try {
      expect(sim.port).toBeGreaterThan(0)
      expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`)
      expect(sim.requests).toEqual([])
      expect(sim.jobs).toEqual([])
    } finally {
      await sim.close()
    }
  })

  it('closes with a client still in the middle of a request', async () => {
    const sim = await startSimulator()
    const socket = connect(sim.port, '127.0.0.1')
    socket.on('error', () => undefined) // the reset is the expected outcome
    await new Promise((resolve) => socket.once('connect', resolve))
    // Headers not finished: Node counts the connection as busy, so server.close() alone would wait.
    socket.write('GET /spotfire/nothing HTTP/1.1\r\nHost: x\r\n')
    const ended = new Promise((resolve) => socket.once('close', resolve))
    await sim.close()
    await ended
    expect(socket.destroyed).toBe(true)
  })

  it('fails to start on a port in use', async () => {
    const first = await startSimulator()
    try {
      await expect(startSimulator({ port: first.port })).rejects.toThrow(/EADDRINUSE/)
    } finally {
      await first.close()
    }
  })

  it('rejects a negative token lifetime', async () => {
    await expect(startSimulator({ tokenLifetimeSeconds: -1 })).rejects.toThrow(RangeError)
  })

  it('records requests to unknown paths as endpoint unknown', async () => {
    const sim = await startSimulator()
    try {
      await call(sim, 'GET', '/favicon.ico', undefined)
      await call(sim, 'GET', '/favicon.ico', undefined)
      expect(sim.requests.map((r) => [r.endpoint, r.n, r.url])).toEqual([
        ['unknown', 1, '/favicon.ico'],
        ['unknown', 2, '/favicon.ico'],
      ])
    } finally {
      await sim.close()
    }
  })
})
