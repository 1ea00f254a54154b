import type { Endpoint } from './types.js'

interface Route {
  endpoint: Endpoint
  method: string
  pattern: RegExp
}

const ROUTES: readonly Route[] = [
  { endpoint: 'token', method: 'POST', pattern: /^\/spotfire\/oauth2\/token$/ },
  {
    endpoint: 'metadata',
    method: 'GET',
    pattern: /^\/spotfire\/\.well-known\/oauth-authorization-server$/,
  },
  {
    endpoint: 'start-library',
    method: 'POST',
    pattern: /^\/spotfire\/api\/rest\/as\/job\/start-library$/,
  },
  {
    endpoint: 'start-content',
    method: 'POST',
    pattern: /^\/spotfire\/api\/rest\/as\/job\/start-content$/,
  },
  {
    endpoint: 'status',
    method: 'GET',
    pattern: /^\/spotfire\/api\/rest\/as\/job\/status\/([^/]*)$/,
  },
  {
    endpoint: 'abort',
    method: 'POST',
    pattern: /^\/spotfire\/api\/rest\/as\/job\/abort\/([^/]*)$/,
  },
  {
    endpoint: 'library-items',
    method: 'GET',
    pattern: /^\/spotfire\/api\/rest\/library\/v2\/items$/,
  },
  {
    endpoint: 'library-folder',
    method: 'POST',
    pattern: /^\/spotfire\/api\/rest\/library\/v2\/items$/,
  },
  {
    endpoint: 'upload-begin',
    method: 'POST',
    pattern: /^\/spotfire\/api\/rest\/library\/v2\/upload$/,
  },
  {
    endpoint: 'upload-chunk',
    method: 'POST',
    pattern: /^\/spotfire\/api\/rest\/library\/v2\/upload\/([^/]+)$/,
  },
]

export type RouteMatch =
  { endpoint: Endpoint; param: string } | { endpoint: 'unknown'; allow?: string }

/** `allow` is set when the path exists but the method does not fit (answered 405). */
export function route(method: string, pathname: string): RouteMatch {
  // One path may serve two methods (GET and POST /items), as two endpoints.
  const allowed: string[] = []
  for (const candidate of ROUTES) {
    const match = candidate.pattern.exec(pathname)
    if (match === null) continue
    if (candidate.method !== method) {
      allowed.push(candidate.method)
      continue
    }
    return { endpoint: candidate.endpoint, param: match[1] ?? '' }
  }
  return allowed.length === 0
    ? { endpoint: 'unknown' }
    : { endpoint: 'unknown', allow: allowed.join(', ') }
}

/** The one method each endpoint answers. */
export function endpointMethod(endpoint: Endpoint): string {
  return ROUTES.find((candidate) => candidate.endpoint === endpoint)?.method ?? ''
}

export const ENDPOINTS: readonly Endpoint[] = ROUTES.map((candidate) => candidate.endpoint)

/** The real server answers 401 on any unauthenticated REST path, known or not. */
export function needsBearer(pathname: string): boolean {
  return pathname.startsWith('/spotfire/api/rest/') || pathname.startsWith('/spotfire/rest/')
}

/** What `config-web-service-api` switches on and off; the token endpoint lies outside it. */
export function isPublicApiPath(pathname: string): boolean {
  return pathname === '/spotfire/api/rest' || pathname.startsWith('/spotfire/api/rest/')
}
