import type { KeyPath } from '../../core/source-text.ts'

/**
 * Where the document holds a number JSON.parse read as ±Infinity (1e400): Go's encoding/json
 * cannot read it into a float64, and KrakenD refuses the whole file. At most `limit` places.
 */
export function numbersBeyondFloat64(value: unknown, limit = 5): KeyPath[] {
  const found: KeyPath[] = []
  const visit = (item: unknown, at: KeyPath) => {
    if (found.length >= limit) return
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) found.push(at)
    } else if (Array.isArray(item)) for (const [i, entry] of item.entries()) visit(entry, [...at, i])
    else if (typeof item === 'object' && item !== null)
      for (const [key, entry] of Object.entries(item)) visit(entry, [...at, key])
  }
  visit(value, [])
  return found
}
