import { isIP } from 'node:net'
import { shown } from '../spotfire/text.js'

/**
 * The server base URL without a trailing `/` or `/spotfire`, or '' after a problem. `name` is how
 * the input is called where the user set it.
 */
export function parseServerUrl(
  text: string,
  name: string,
  problems: string[],
  warnings: string[],
): string {
  if (text === '') return ''
  // Echo the URL in errors without anything before its last @: a user:password there could be a
  // secret, which may itself hold @, / or : and make the URL unparsable. One line, bounded.
  const echoed = shown(text.replace(/^([a-z][a-z\d+.-]*:\/\/)?[\s\S]*@/i, '$1***@'), 200)
  const expected = 'Expected the server base URL, such as https://spotfire.example.com.'
  let url: URL
  try {
    url = new URL(text)
  } catch {
    problems.push(`Invalid ${name} '${echoed}'. ${expected}`)
    return ''
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push(`Invalid ${name} '${echoed}': the scheme must be https or http. ${expected}`)
    return ''
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    problems.push(
      `Invalid ${name}: it must not contain credentials, a query or a fragment. ${expected}`,
    )
    return ''
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/spotfire$/i, '')
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    warnings.push(
      `${name} uses http://: the client secret and tokens cross the network unencrypted. Use https:// unless the server is on a trusted network.`,
    )
  }
  return `${url.protocol}//${url.host}${path}`
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host === '::1') return true
  return isIP(host) === 4 && host.startsWith('127.')
}
