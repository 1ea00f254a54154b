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
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}
