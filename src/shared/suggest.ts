/** The candidate closest to `word` by edit distance, when it is close enough to be a typo. */
export function closest(
  word: string,
  candidates: Iterable<string>,
  maxDistance = Math.max(1, Math.min(3, Math.floor(word.length / 3))),
): string | undefined {
  let best: string | undefined
  let bestDistance = maxDistance + 1
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance && candidate !== word) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** Levenshtein distance, with a swap of two neighbours counting as one edit (libary, REGON). */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...Array<number>(b.length).fill(0),
  ])
  for (let j = 0; j <= b.length; j++) (rows[0] ?? [])[j] = j
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] ?? []
    const above = rows[i - 1] ?? []
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] ?? 0, (rows[i - 2]?.[j - 2] ?? 0) + 1)
      }
    }
  }
  return rows[a.length]?.[b.length] ?? 0
}
