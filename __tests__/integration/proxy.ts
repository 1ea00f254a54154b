import { createServer, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'

/**
 * A CONNECT proxy on 127.0.0.1, as on a self-hosted runner behind a corporate proxy: it tunnels
 * every CONNECT to the simulator's port on loopback, whatever host was asked for, or refuses
 * with the given status (a proxy policy that does not allow the server).
 */
export interface TestProxy {
  url: string
  /** The `host:port` of every CONNECT request, in order. */
  connects: string[]
  close(): Promise<void>
}

export async function startProxy(
  options: { tunnelTo: number } | { refuse: number },
): Promise<TestProxy> {
  const connects: string[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((_request, response) => {
    response.writeHead(405).end()
  })
  server.on('connect', (request, client: Socket) => {
    connects.push(request.url ?? '')
    sockets.add(client)
    if ('refuse' in options) {
      client.end(`HTTP/1.1 ${options.refuse} Refused by policy\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    const upstream = connect(options.tunnelTo, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    const drop = (): void => {
      upstream.destroy()
      client.destroy()
    }
    upstream.on('error', drop)
    client.on('error', drop)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => {
          resolve()
        })
      }),
  }
}
