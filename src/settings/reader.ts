import { resolve } from 'node:path'
import { MAX_DURATION_MS, parseDuration } from '../shared/duration.js'
import { shown } from '../spotfire/text.js'
import { FileProblem, nodeFileSystem, type FileSystem } from './files.js'

/** Where settings come from: inputs by name (empty string when unset), files relative to `workspace`. */
export interface SettingsSource {
  input: (name: string) => string
  workspace: string
  /** What the workspace is called in messages: `the workspace` on the runner, `the current directory` on the CLI. */
  workspaceName?: string
  files?: FileSystem
  /** How an input is named in messages: `timeout` on the runner, `--timeout` on the CLI. */
  name?: (input: string) => string
  /** How a missing required input is named: `Input client-secret` on the runner. */
  describe?: (input: string) => string
  /** Why a required input may be empty where it comes from, and what to do: said after the problem. */
  whyEmpty?: (input: string) => string | undefined
  /**
   * Inputs given that the action does not have (the runner passes every `with:` key): each is
   * checked for a near miss of a real one, such as `library_path`.
   */
  unknownInputs?: () => { name: string; value: string }[]
}

const DURATION_HINT = 'Expected a duration such as 90s, 15m or 1h30m.'

/** Typed readers for inputs that collect every problem instead of stopping at the first. */
export class Reader {
  readonly problems: string[] = []
  readonly warnings: string[] = []
  readonly files: FileSystem

  constructor(
    readonly source: SettingsSource,
    private readonly defaults: Readonly<Record<string, string>>,
  ) {
    this.files = source.files ?? nodeFileSystem
  }

  name(input: string): string {
    return this.source.name?.(input) ?? input
  }

  /** The input as given, untrimmed: for multi-line text such as job XML. */
  raw(input: string): string {
    return this.source.input(input)
  }

  /** The trimmed input, or its default when empty. */
  get(input: string): string {
    const value = this.source.input(input).trim()
    return value === '' ? (this.defaults[input] ?? '') : value
  }

  required(input: string): string {
    const value = this.get(input)
    if (value === '') {
      const why = this.source.whyEmpty?.(input)
      this.problems.push(
        `${this.source.describe?.(input) ?? `Input ${input}`} is required.${why === undefined ? '' : ` ${why}`}`,
      )
    }
    return value
  }

  /** Non-blank lines, trimmed; lines starting with # are comments. */
  lines(input: string): string[] {
    return this.source
      .input(input)
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
  }

  boolean(input: string): boolean {
    const value = this.get(input)
    if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
    this.problems.push(`Invalid ${this.name(input)} '${shown(value, 40)}'. Expected true or false.`)
    return false
  }

  duration(input: string): number {
    const value = this.get(input)
    const ms = parseDuration(value)
    if (ms === undefined) {
      this.problems.push(`Invalid ${this.name(input)} '${shown(value, 40)}'. ${DURATION_HINT}`)
    } else if (ms > MAX_DURATION_MS) {
      this.problems.push(
        `Invalid ${this.name(input)} '${shown(value, 40)}'. Expected at most 24 days.`,
      )
    }
    return ms ?? 0
  }

  integer(input: string, min: number, max: number): number {
    const value = this.get(input)
    const number = /^\d+$/.test(value) ? Number(value) : NaN
    if (!(number >= min && number <= max)) {
      this.problems.push(
        `Invalid ${this.name(input)} '${shown(value, 40)}'. Expected a whole number from ${min} to ${max}.`,
      )
      return min
    }
    return number
  }

  /** A workspace file's bytes, or undefined after recording why it cannot be read. */
  readFile(input: string, path: string, maxBytes: number): Buffer | undefined {
    try {
      return this.files.read(resolve(this.source.workspace, path), maxBytes)
    } catch (error) {
      const why = error instanceof FileProblem ? error.message : 'it cannot be read'
      this.problems.push(
        `Cannot read ${this.name(input)} '${shown(path, 200)}': ${why}. Expected a file path relative to ${this.source.workspaceName ?? 'the workspace'}.`,
      )
      return undefined
    }
  }

  /** Runs one check; whatever it throws becomes a problem beside the others, never a crash. */
  guard(what: string, check: () => void): void {
    try {
      check()
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      this.problems.push(`${what}: it could not be checked (${shown(reason, 200)}).`)
    }
  }
}
