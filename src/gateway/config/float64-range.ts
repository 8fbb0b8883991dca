import type { KeyPath } from '../../core/source-text.ts'

/** A value met on the walk, with the way back to the root (the path is built only when needed). */
interface Visit {
  item: unknown
  key: string | number | undefined
  parent: Visit | undefined
}

const pathOf = (visit: Visit): KeyPath => {
  const path: Array<string | number> = []
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) path.push(at.key)
  return path.reverse()
}

/**
 * Where the document holds a number JSON.parse read as ±Infinity (1e400): Go's encoding/json
 * cannot read it into a float64, and KrakenD refuses the whole file. At most `limit` places. The
 * walk keeps its own stack: a file may nest as deep as Go reads (10000 levels), deeper than
 * Node's call stack goes.
 */
export function numbersBeyondFloat64(value: unknown, limit = 5): KeyPath[] {
  const found: KeyPath[] = []
  const stack: Visit[] = [{ item: value, key: undefined, parent: undefined }]
  while (stack.length > 0 && found.length < limit) {
    const visit = stack.pop() as Visit
    const { item } = visit
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) found.push(pathOf(visit))
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push({ item: item[i], key: i, parent: visit })
    } else if (typeof item === 'object' && item !== null) {
      const entries = Object.entries(item)
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, entry] = entries[i] as [string, unknown]
        stack.push({ item: entry, key, parent: visit })
      }
    }
  }
  return found
}
