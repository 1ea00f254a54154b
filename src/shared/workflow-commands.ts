/**
 * The runner reads a workflow command from any output line that starts with `::` (after white
 * space) or that holds `##[` anywhere (the old syntax). Lines this action prints may carry text
 * from the server or from files: a zero-width space makes such a line look the same and mean
 * nothing.
 */
const ZERO_WIDTH_SPACE = '\u200b'

/**
 * Every line of `text`, made inert; line breaks stay where they are. A line is what the runner
 * reads as one (TextReader.ReadLine): it ends at \r\n, \n or a lone \r. The white space it trims
 * before `::` is .NET's (Char.IsWhiteSpace): JavaScript's \s, and U+0085.
 */
export function defuse(text: string): string {
  return text.replace(/[^\r\n]+/g, (line) =>
    line
      .replace(/##\[/g, `##${ZERO_WIDTH_SPACE}[`)
      .replace(/^([\s\u0085]*):(?=:)/, `$1:${ZERO_WIDTH_SPACE}`),
  )
}
