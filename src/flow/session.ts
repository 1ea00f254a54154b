import { VERSION } from '../shared/version.js'
import type { ConnectionSettings } from '../settings/index.js'
import { SpotfireClient } from '../spotfire/client.js'
import { createTransport, type Transport } from '../spotfire/http.js'
import { pacedTransport } from '../spotfire/paced-transport.js'
import { LibraryClient } from '../spotfire/library.js'
import { TokenProvider } from '../spotfire/token.js'
import type { Clock, Logger, Vocabulary } from '../spotfire/types.js'
import type { LibraryPort } from '../uploads/library-port.js'

export interface SessionHooks {
  clock: Clock
  logger: Logger
  /** Every token, as soon as it is received (the action masks it, the CLI redacts it). */
  onToken: (token: string) => void
  transport?: Transport
  /** Replaces the library client (tests). */
  library?: LibraryPort
  random?: () => number
  /** How messages name settings; the action's input names by default. */
  words?: Vocabulary
}

/** A client for the server in the settings, with one token cache for every job. */
export interface Session {
  client: SpotfireClient
  /** The Library REST API v2, for uploads; the same token cache. */
  library: LibraryPort
  /** Ends a token request under way and closes the connections. */
  close(): void
}

export const USER_AGENT = `spotfire-automation-services-action/${VERSION}`

export function openSession(settings: ConnectionSettings, hooks: SessionHooks): Session {
  const { clock, logger } = hooks
  const words = hooks.words === undefined ? {} : { words: hooks.words }
  const network =
    hooks.transport ??
    createTransport({
      requestTimeoutMs: settings.requestTimeoutMs,
      userAgent: USER_AGENT,
      logger,
      ...words,
      ...(settings.caCertificates === undefined ? {} : { caCertificates: settings.caCertificates }),
    })
  // One gate for every request of the session: Retry-After holds them all, and a failing server
  // gets at most one a second.
  const transport = pacedTransport(network, clock)
  const random = hooks.random === undefined ? {} : { random: hooks.random }
  const tokens = new TokenProvider({
    serverUrl: settings.serverUrl,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    authMethod: settings.clientAuthMethod,
    scope: settings.scope,
    requestTimeoutMs: settings.requestTimeoutMs,
    transport,
    clock,
    logger,
    onToken: hooks.onToken,
    ...random,
    ...words,
  })
  // Both APIs of the server share the transport's gate and the one token cache.
  const api = {
    serverUrl: settings.serverUrl,
    transport,
    tokens,
    clock,
    logger,
    ...random,
    ...words,
  }
  const client = new SpotfireClient({ ...api, requestTimeoutMs: settings.requestTimeoutMs })
  return {
    client,
    library: hooks.library ?? new LibraryClient(api),
    close: () => {
      tokens.close()
      if (hooks.transport === undefined) network.dispose()
    },
  }
}
