import type { ClientOptions } from '../../src/spotfire/client.js'
import type { Transport } from '../../src/spotfire/http.js'
import { TokenProvider } from '../../src/spotfire/token.js'
import { silentLogger } from '../../src/spotfire/types.js'
import type { FakeClock } from './fake-clock.js'

/** What either client (jobs or library) is built from: one server, one token cache, quiet. */
export function clientOptions(
  serverUrl: string,
  transport: Transport,
  clock: FakeClock,
  scope: string,
): ClientOptions {
  const tokens = new TokenProvider({
    serverUrl,
    clientId: 'id',
    clientSecret: 'secret',
    authMethod: 'basic',
    scope,
    transport,
    clock,
    logger: silentLogger,
    onToken: () => undefined,
  })
  return { serverUrl, transport, tokens, clock, logger: silentLogger, random: () => 0.5 }
}
