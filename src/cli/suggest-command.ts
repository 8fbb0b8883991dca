/** The known command closest to what was typed, if it is close enough to be a typo. */
export function closestCommand(
  typed: string,
  known: string[],
  distance: (a: string, b: string) => number,
): string | undefined {
  let best: { id: string; score: number } | undefined
  for (const id of new Set(known)) {
    // Compare against as many words as were typed: `lock aquire` vs `lock acquire`.
    const score = distance(typed, id)
    if (!best || score < best.score) best = { id, score }
  }
  if (!best) return undefined
  // A typo changes a few characters, not most of the word.
  return best.score <= Math.max(2, Math.floor(best.id.length / 3)) ? best.id : undefined
}
