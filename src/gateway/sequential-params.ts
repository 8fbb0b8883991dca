// proxy.sequential_propagated_params (lura's sequential merger): values of earlier responses
// handed to later backends as request params named `Resp<i>_<a.b>` (`Resp<i>` for the whole
// body of a no-op backend). Nothing of ours reads them but backend-level CEL (`req_params`).
import { isGoContainer } from './flatmap.ts'
import { GoFloat64 } from './go-float.ts'
import { goFormatFloat32E } from './go-float32.ts'
import { isGoNilMap } from './go-json.ts'
import { goNilText, goPrint, keepGoFeedNils } from './go-print.ts'
import { setOwnKey } from './own-keys.ts'

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

const isMap = (value: unknown): value is Record<string, unknown> =>
  isGoContainer(value) && !Array.isArray(value)

/**
 * The text lura's sequential merger hands on for a field path: it walks map[string]interface{}
 * values as far as it can (a missing step or any other value, krakend-rss's typed fields
 * included, stops the walk where it is, without failing), then reads the last key there. A list
 * ([]interface{}) joins its items' %v with ",", the rest is Go's %v. undefined when the key is
 * not there.
 */
export function propagatedField(
  data: Record<string, unknown> | undefined,
  path: string[],
): string | undefined {
  if (data === undefined) return undefined
  let here = data
  for (const k of path.slice(0, -1)) {
    const next = Object.hasOwn(here, k) ? here[k] : undefined
    if (!isMap(next)) break
    here = next
  }
  const last = path[path.length - 1] as string
  if (!Object.hasOwn(here, last)) return undefined
  const value = here[last]
  if (value === null) return goNilText(here, last)
  // lura's `case float64`: a Lambda answer's number (GoFloat64); a list's items print with %v.
  if (value instanceof GoFloat64) return goFormatFloat32E(value.value)
  if (typeof value === 'number' && !Number.isFinite(value)) return goFormatFloat32E(value)
  return Array.isArray(value) && isGoContainer(value) ? value.map(goPrint).join(',') : goPrint(value)
}

type Data = Record<string, unknown>

/**
 * The values lura's sequential merger hands on, with its side effects: a value once found for a
 * name is kept (its registry, and the request params it stays in, so a later backend reuses it
 * even where the data changed or lacks it), and every answer is merged into the first answer's
 * map (combineData writes into it), so `resp0_*` read after the second backend see the later
 * answers' fields, theirs winning.
 */
export class SequentialValues {
  /** What lura's parts[i].Data is by now: the answers, the accumulator's one written into. */
  readonly #views: Array<Data | undefined> = []
  /** The merge accumulator's map: one of #views (or a fresh map), copied before the first write. */
  #merged: Data | undefined
  #mergedView = -1
  #mergedOwned = false
  readonly #found = new Map<string, string>()

  /** Backend `i` answered `data` (its formatted data): lura keeps it and merges it. */
  answered(i: number, data: Data): void {
    this.#views[i] = data
    const merged = this.#merged
    if (merged === undefined || (isGoNilMap(merged) && !isGoNilMap(data))) {
      this.#mergeInto(data, i, false)
      return
    }
    if (isGoNilMap(data)) {
      if (isGoNilMap(merged)) this.#mergeInto({}, -1, true)
      return
    }
    if (!this.#mergedOwned) {
      const copy: Data = {}
      for (const key of Object.keys(merged)) setOwnKey(copy, key, merged[key])
      keepGoFeedNils(merged, copy)
      this.#mergeInto(copy, this.#mergedView, true)
      if (this.#mergedView >= 0) this.#views[this.#mergedView] = copy
    }
    for (const key of Object.keys(data)) setOwnKey(this.#merged as Data, key, data[key])
  }

  #mergeInto(map: Data, view: number, owned: boolean): void {
    this.#merged = map
    this.#mergedView = view
    this.#mergedOwned = owned
  }

  /** The text for `name` (`resp0_a.b`) from backend `index`'s data at `path`, as lura finds it. */
  text(name: string, index: number, path: string[]): string | undefined {
    const known = this.#found.get(name)
    if (known) return known
    const text = propagatedField(this.#views[index], path)
    if (text === undefined) return known
    this.#found.set(name, text)
    return text
  }
}
