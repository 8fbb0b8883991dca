// proxy.sequential_propagated_params (lura's sequential merger): values of earlier responses
// handed to later backends as request params named `Resp<i>_<a.b>` (`Resp<i>` for the whole
// body of a no-op backend). Nothing of ours reads them but backend-level CEL (`req_params`).
import { GoNumber } from './go-json.ts'

export interface PropagatedParam {
  /** Which earlier backend the value comes from. */
  index: number
  /** Dot path in that backend's data; empty for its whole (no-op) body. */
  path: string[]
  /** Param name as stored in the request context (`resp0_a.b`; lura shows it as `Resp0_a.b`). */
  key: string
}

const PROPAGATED = /[Rr]esp(\d+)_?([\w\-.]+)?/g

/** The entries of the list as lura reads them: every `respN[_path]` match, N below the backend count. */
export function parsePropagated(entries: string[], backendCount: number): PropagatedParam[] {
  const out: PropagatedParam[] = []
  for (const entry of entries)
    for (const match of entry.matchAll(PROPAGATED)) {
      const index = Number(match[1])
      if (!Number.isSafeInteger(index) || index >= backendCount) continue
      const tail = match[2] ?? ''
      out.push({
        index,
        path: tail === '' ? [] : tail.split('.'),
        key: `resp${match[1]}${tail === '' ? '' : `_${tail}`}`,
      })
    }
  return out
}

/** Go's %v of a decoded JSON value. */
function goPrint(value: unknown): string {
  if (value === null || value === undefined) return '<nil>'
  if (Array.isArray(value)) return `[${value.map(goPrint).join(' ')}]`
  if (typeof value === 'object' && !(value instanceof GoNumber)) {
    const obj = value as Record<string, unknown>
    return `map[${Object.keys(obj)
      .sort()
      .map((k) => `${k}:${goPrint(obj[k])}`)
      .join(' ')}]`
  }
  return String(value)
}

/** The value lura propagates for a field path: walks maps as far as it can (a missing or
 * non-map step stops the walk where it is), then reads the last key; lists join with ",". */
export function propagatedField(data: Record<string, unknown>, path: string[]): string | undefined {
  let here = data
  for (const k of path.slice(0, -1)) {
    const next = here[k]
    if (typeof next !== 'object' || next === null || Array.isArray(next) || next instanceof GoNumber) break
    here = next as Record<string, unknown>
  }
  const last = path[path.length - 1] as string
  if (!(last in here)) return undefined
  const value = here[last]
  if (Array.isArray(value)) return value.map(goPrint).join(',')
  return goPrint(value)
}
