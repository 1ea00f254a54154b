import { basicCredentials } from '../spotfire/token.js'

/**
 * Values that must never be printed, and every form they travel in (the Basic credential, URL
 * encoding): a server that echoes a request back cannot put them on the screen or in a file.
 */
export class Secrets {
  private readonly values = new Set<string>()

  add(value: string): void {
    // Shorter values would blank out ordinary words; the runner's own masking covers them.
    if (value.length < 4) return
    this.values.add(value)
    this.values.add(encodeURIComponent(value))
    // A form body (client_secret_post) writes a space as + and encodes !'()~ too.
    this.values.add(new URLSearchParams({ v: value }).toString().slice('v='.length))
  }

  /** The client's id and secret: the secret, and the Basic credential made of both. */
  addClient(clientId: string, clientSecret: string): void {
    if (clientSecret === '') return
    this.add(clientSecret)
    this.add(basicCredentials(clientId, clientSecret).slice('Basic '.length))
  }

  /**
   * Every stretch of text that any value covers becomes one `***`: a value inside another, values
   * that overlap in part and repeats of one value are hidden whole, whatever order they came in.
   */
  redact(text: string): string {
    if (this.values.size === 0 || text === '') return text
    const hidden = new Uint8Array(text.length)
    let found = false
    for (const value of this.values) {
      for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) {
        hidden.fill(1, at, at + value.length)
        found = true
      }
    }
    if (!found) return text
    const parts: string[] = []
    let start = 0
    for (let i = 0; i <= text.length; i++) {
      const isHidden = i < text.length && hidden[i] === 1
      const wasHidden = i > 0 && hidden[i - 1] === 1
      if (isHidden === wasHidden && i < text.length) continue
      if (i > start) parts.push(wasHidden ? '***' : text.slice(start, i))
      start = i
    }
    return parts.join('')
  }
}
