// "Did you mean" hints: the known key, namespace or value a typo most likely meant.

/** How many edits make a typo: 1 up to 4 characters, 2 up to 8, 3 beyond. */
const typoLimit = (word: string) => (word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3)

/**
 * The known key (or namespace) within a typo's distance of `key`, ignoring case, if any: what
 * "did you mean" hints name. Edits are insertions, deletions, substitutions and transpositions of
 * two adjacent characters ("deyn" is one edit from "deny").
 */
export function closestKey(key: string, known: Iterable<string>): string | undefined {
  const word = key.toLowerCase()
  const limit = typoLimit(word)
  let best: string | undefined
  let bestDistance = limit + 1
  for (const candidate of known) {
    const d = editDistance(word, candidate.toLowerCase(), bestDistance)
    if (d < bestDistance) {
      bestDistance = d
      best = candidate
    }
  }
  return best
}

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions), giving up
 * (returning `cap`) once every path is at least `cap`.
 */
export function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap
  let before: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, (before[j - 2] as number) + 1)
      current.push(value)
      if (value < rowMin) rowMin = value
    }
    // A transposition costs at least the diagonal before it, so no later row gets below this one.
    if (rowMin >= cap) return cap
    before = previous
    previous = current
  }
  return Math.min(previous[b.length] as number, cap)
}
