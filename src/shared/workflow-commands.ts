/**
 * CI runners read commands from the output of the steps they run:
 * - GitHub, from any line that starts with `::` (after white space) or that holds `##[` anywhere
 *   (the old syntax);
 * - Azure Pipelines, from `##vso[` anywhere in a line of stdout or stderr (and `##[` formats it);
 * - TeamCity, from `##teamcity[` anywhere in a line.
 * Lines this program prints may carry text from the server or from files: a zero-width space makes
 * such a line look the same and mean nothing.
 */
const ZERO_WIDTH_SPACE = '\u200b'

/**
 * After `##` and before the name: an ordinal search no longer finds the prefix, and a search that
 * steps over the zero-width space (a culture-sensitive .NET IndexOf) reads the command from one
 * character too early, `[task.…`, which names no command. Case does not matter to every runner,
 * and .NET compares upper cases: `u` folds ſ to s as well.
 */
const PREFIXED = /##(?=\[|vso\[|teamcity\[)/giu

/**
 * Every line of `text`, made inert; line breaks stay where they are. A line is what the runner
 * reads as one (TextReader.ReadLine): it ends at \r\n, \n or a lone \r. The white space it trims
 * before `::` is .NET's (Char.IsWhiteSpace): JavaScript's \s, and U+0085.
 */
export function defuse(text: string): string {
  return text.replace(/[^\r\n]+/g, (line) =>
    line
      .replace(PREFIXED, `##${ZERO_WIDTH_SPACE}`)
      .replace(/^([\s\u0085]*):(?=:)/, `$1:${ZERO_WIDTH_SPACE}`),
  )
}
