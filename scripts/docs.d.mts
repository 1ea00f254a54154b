// Types for scripts/docs.mjs, so the unit tests can import its pure functions.

export interface ActionDefinition {
  description?: unknown
  required?: unknown
  default?: unknown
}

export type ActionEntries = Record<string, ActionDefinition | null>

export declare const OUT_OF_DATE_MESSAGE: string

/** Escapes what a GitHub-flavoured Markdown table cell cannot hold: `|` and line breaks. */
export declare function escapeCell(text: string): string

/** `text` as inline code, with a longer backtick fence when the text itself holds backticks. */
export declare function inlineCode(text: string): string

/** A Markdown table with every column padded to its widest cell, as Prettier prints it. */
export declare function markdownTable(header: string[], rows: string[][]): string

/** The `inputs` and `outputs` mappings of action.yml's text, checked for shape. */
export declare function readAction(actionYmlText: string): {
  inputs: ActionEntries
  outputs: ActionEntries
}

/** The Inputs table: input, required, default, description. */
export declare function renderInputsTable(inputs: ActionEntries): string

/** The Outputs table: output, description. */
export declare function renderOutputsTable(outputs: ActionEntries): string

/** The usage block: a step with every input, its description as comments and its default. */
export declare function renderUsage(inputs: ActionEntries, uses?: string): string

/** Puts `content` between `<!-- name:start -->` and `<!-- name:end -->`, touching nothing else. */
export declare function replaceBetweenMarkers(text: string, name: string, content: string): string

/** README.md's text with the Inputs and Outputs tables generated from action.yml's text. */
export declare function renderTables(actionYmlText: string, readmeText: string): string
