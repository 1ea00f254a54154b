import type { IncomingMessage } from 'node:http'

/** What a handler decides; faults may still change how (or whether) it is sent. */
export interface SimResponse {
  status: number
  headers: Record<string, string>
  body: string
}

const JSON_TYPE = 'application/json; charset=utf-8'

export function json(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): SimResponse {
  return { status, headers: { 'Content-Type': JSON_TYPE, ...headers }, body: JSON.stringify(value) }
}

export function text(status: number, body: string): SimResponse {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body }
}

export function errorJson(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): SimResponse {
  return json(status, { error: message }, headers)
}

export function html(status: number, title: string): SimResponse {
  const page = `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1><hr><p>simulated proxy</p></body></html>\n`
  return { status, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: page }
}

/** Tomcat's own 404 page: what a Spotfire Server answers for a web application path it lacks. */
export function containerNotFound(): SimResponse {
  const title = 'HTTP Status 404 – Not Found'
  const page = `<!doctype html><html lang="en"><head><title>${title}</title></head><body><h1>${title}</h1><hr class="line" /><p><b>Type</b> Status Report</p><p><b>Description</b> The origin server did not find a current representation for the target resource or is not willing to disclose that one exists.</p><hr class="line" /><h3>Apache Tomcat</h3></body></html>`
  return { status: 404, headers: { 'Content-Type': 'text/html;charset=utf-8' }, body: page }
}

/** An API gateway's (Kong's) 404 for a path it has no route for: JSON, but not the API's. */
export function gatewayNotFound(): SimResponse {
  return json(404, { message: 'no Route matched with those values' })
}

/** Spring Boot's JSON error page for a 404, as a Java service in front of the API answers it. */
export function springNotFound(path: string, now: number): SimResponse {
  return json(404, {
    timestamp: new Date(now).toISOString(),
    status: 404,
    error: 'Not Found',
    path,
  })
}

/** Envoy's answer when the upstream took the request but reset before its headers. */
export const UPSTREAM_RESET_TEXT =
  'upstream connect error or disconnect/reset before headers. reset reason: connection termination'

/** Envoy's answer when no backend is up: nothing reached the application. */
export const NO_UPSTREAM_TEXT = 'no healthy upstream'

/** What a debug page shows: the request line and every header as sent, credentials included. */
export function echoText(request: IncomingMessage): string {
  const lines = [`${request.method ?? ''} ${request.url ?? ''} HTTP/${request.httpVersion}`]
  const raw = request.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) lines.push(`${raw[i] ?? ''}: ${raw[i + 1] ?? ''}`)
  return `${lines.join('\n')}\n`
}

/** The media type without parameters, lower case; '' when absent. */
export function mediaType(request: IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
}

export function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

const MAX_BODY_BYTES = 5 * 1024 * 1024

export async function readBody(request: IncomingMessage): Promise<string | undefined> {
  return (await readBytes(request, MAX_BODY_BYTES))?.toString('utf8')
}

/** The body's bytes; undefined when there are more than `max`. */
export async function readBytes(
  request: IncomingMessage,
  max: number,
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > max) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}
