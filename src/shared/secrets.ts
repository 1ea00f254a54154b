import { EscapedValue, hideAll } from '../spotfire/redact.js'
import { basicCredentials } from '../spotfire/token.js'

/**
 * Values that must never be printed, and every form they travel in: the Basic credential, and each
 * value written plainly or escaped (URL and form encoding, HTML entities, JSON \u escapes), so that
 * a server that echoes a request back cannot put them on the screen or in a file.
 */
export class Secrets {
  private readonly values = new Map<string, EscapedValue>()

  add(value: string): void {
    // Shorter values would blank out ordinary words; the runner's own masking covers them.
    if (value.length < 4 || this.values.has(value)) return
    this.values.set(value, new EscapedValue(value))
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
    if (this.values.size === 0) return text
    return hideAll(text, this.values.values())
  }
}
