// lura's merge of a parallel endpoint's answers (the later answer's value wins on a key two share,
// top level only), made as one new object with its keys already in Go's order. Written into the
// first answer with Object.assign, a merge of three 16-key answers left a dictionary-mode object:
// slow to enumerate, to order for the JSON writer and to write. A combination of answer shapes
// that recurs gets a generated object literal instead, reading each value under a constant key.

import {
  compareGoKeys,
  GENERATE_AFTER,
  generated,
  isArrayIndex,
  type Shape,
  shapeOf,
} from './go-json-order.ts'
import { isGoStruct } from './go-json-values.ts'

type Data = Record<string, unknown>
type Merge = (parts: Data[]) => Data

/** One answer's shape in a combination: what follows it, and the merge once the combination ends here. */
interface MergeNode {
  next: Map<Shape, MergeNode> | undefined
  uses: number
  /** Null once it is known that no merge is generated for the combination. */
  merge: Merge | null | undefined
}

const roots = new Map<Shape, MergeNode>()
/** The combinations known are bounded: shapes outside it take lura's merge as written. */
let nodesLeft = 4096
const MAX_PARTS = 16
const MAX_KEYS = 256

/**
 * The merge of `parts` (in arrival order) with its keys in Go's order, or undefined where it is not
 * made that way (the caller merges as lura does): a combination not seen often enough yet, an
 * answer without keys, one that is no plain map (a nil map, a struct), a key V8 keeps out of order
 * (an array index) or an own `__proto__`.
 */
export function mergedInGoOrder(parts: Data[]): Data | undefined {
  const n = parts.length
  if (n < 2 || n > MAX_PARTS) return undefined
  let level = roots
  let node: MergeNode | undefined
  for (let i = 0; i < n; i += 1) {
    const part = parts[i] as Data
    if (Object.getPrototypeOf(part) !== Object.prototype || isGoStruct(part)) return undefined
    const keys = Object.keys(part)
    if (keys.length === 0) return undefined
    const shape = shapeOf(keys)
    if (!shape.cached) return undefined
    node = level.get(shape)
    if (node === undefined) {
      if (nodesLeft === 0) return undefined
      nodesLeft -= 1
      node = { next: undefined, uses: 0, merge: undefined }
      level.set(shape, node)
    }
    if (i + 1 < n) level = node.next ??= new Map()
  }
  const end = node as MergeNode
  if (end.merge) return end.merge(parts)
  if (end.merge === undefined) {
    end.uses += 1
    if (end.uses >= GENERATE_AFTER) end.merge = mergeFor(parts) ?? null
  }
  return undefined
}

/** The generated merge of answers shaped as `parts` are. */
function mergeFor(parts: Data[]): Merge | undefined {
  const from = new Map<string, number>()
  for (const [i, part] of parts.entries()) for (const key of Object.keys(part)) from.set(key, i)
  if (from.size > MAX_KEYS || from.has('__proto__')) return undefined
  const keys = [...from.keys()]
  if (keys.some(isArrayIndex)) return undefined
  keys.sort(compareGoKeys)
  const reads = parts.map((_, i) => `p${i}=p[${i}]`).join(',')
  const fields = keys.map((key) => {
    const literal = JSON.stringify(key)
    return `${literal}:p${from.get(key)}[${literal}]`
  })
  return generated<Merge>(['p'], `const ${reads};return {${fields.join(',')}}`)
}
