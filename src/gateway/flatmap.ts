// KrakenD's `proxy.flatmap_filter` operations (move, del, append) on decoded JSON, with the
// semantics of github.com/krakend/flatmap's tree: dot paths, `*` matches every key or array item,
// a move whose source and destination have the same depth renames the last segment in place, a
// shorter destination promotes the value towards the root, a longer one nests it under the
// source's parent. Our own code; the rules were read from that package.
import { GoNumber } from './go-json.ts'

export interface FlatmapOp {
  type: 'move' | 'del' | 'append'
  /** Each argument split on dots. */
  args: string[][]
}

type Node = Record<string, unknown> | unknown[]
const WILDCARD = '*'

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !(value instanceof GoNumber)

function childKeys(node: Node): string[] {
  return Array.isArray(node) ? node.map((_, i) => String(i)) : Object.keys(node)
}

function getChild(node: Node, label: string): unknown {
  if (Array.isArray(node)) {
    const i = Number(label)
    return Number.isInteger(i) && String(i) === label ? node[i] : undefined
  }
  return Object.hasOwn(node, label) ? node[label] : undefined
}

function hasChild(node: Node, label: string): boolean {
  if (Array.isArray(node)) {
    const i = Number(label)
    return Number.isInteger(i) && String(i) === label && i >= 0 && i < node.length
  }
  return Object.hasOwn(node, label)
}

function removeChild(node: Node, label: string): unknown {
  const value = getChild(node, label)
  if (Array.isArray(node)) node.splice(Number(label), 1)
  else delete node[label]
  return value
}

function attach(node: Node, label: string, value: unknown): void {
  if (Array.isArray(node)) node.push(value)
  else node[label] = value
}

interface Found {
  node: Node
  path: string[]
}

/** The containers reached by walking `steps` from `root` (`*` fans out). */
function collect(root: Node, steps: string[]): Found[] {
  let current: Found[] = [{ node: root, path: [] }]
  for (const step of steps) {
    const next: Found[] = []
    for (const { node, path } of current) {
      if (step === WILDCARD) {
        for (const key of childKeys(node)) {
          const child = getChild(node, key)
          if (isNode(child)) next.push({ node: child, path: [...path, key] })
        }
      } else {
        const child = getChild(node, step)
        if (isNode(child)) next.push({ node: child, path: [...path, step] })
      }
    }
    current = next
  }
  return current
}

/** The tree keeps no value for a container whose children were all removed: it expands to null. */
function isEmptied(node: Node): boolean {
  return Array.isArray(node) ? node.length === 0 : Object.keys(node).length === 0
}

/** Deletes `path` under `node`; true when that left `node` without children. */
function del(node: Node, path: string[]): boolean {
  const [step, ...rest] = path
  if (step === undefined || isEmptied(node)) return false
  if (step === WILDCARD) {
    if (rest.length > 0) {
      for (const key of childKeys(node)) {
        const child = getChild(node, key)
        if (isNode(child) && del(child, rest)) setChild(node, key, null)
      }
      return false
    }
    if (Array.isArray(node)) node.length = 0
    else for (const key of Object.keys(node)) delete node[key]
    return true
  }
  if (!hasChild(node, step)) return false
  if (rest.length === 0) {
    removeChild(node, step)
    return isEmptied(node)
  }
  const child = getChild(node, step)
  if (isNode(child) && del(child, rest)) setChild(node, step, null)
  return false
}

function setChild(node: Node, label: string, value: unknown): void {
  if (Array.isArray(node)) node[Number(label)] = value
  else node[label] = value
}

/** After a move took the last child out of `found`, the tree shows that container as null. */
function nullIfEmptied(root: Node, found: Found): void {
  if (found.path.length === 0 || !isEmptied(found.node)) return
  const parent = get(root, found.path.slice(0, -1))
  if (isNode(parent)) setChild(parent, found.path[found.path.length - 1] as string, null)
}

function get(node: unknown, path: string[]): unknown {
  if (path.length === 0) return node
  if (!isNode(node)) return undefined
  const [step, ...rest] = path as [string, ...string[]]
  if (step === WILDCARD) return childKeys(node).map((key) => get(getChild(node, key), rest))
  return hasChild(node, step) ? get(getChild(node, step), rest) : undefined
}

function move(root: Node, src: string[], dst: string[]): void {
  const last = src[src.length - 1]
  const dstLast = dst[dst.length - 1]
  if (last === undefined || dstLast === undefined) return
  const parents = collect(root, src.slice(0, -1))
  if (src.length === dst.length) {
    for (const { node } of parents) {
      if (!hasChild(node, last) || Array.isArray(node)) continue
      const value = node[last]
      delete node[last]
      node[dstLast] = value
    }
    return
  }
  const moved: Array<{ parent: Found; value: unknown }> = []
  for (const parent of parents) {
    if (hasChild(parent.node, last)) moved.push({ parent, value: removeChild(parent.node, last) })
  }
  if (src.length > dst.length) {
    for (const { parent, value } of moved) {
      let target: Node = root
      for (const [i, step] of dst.slice(0, -1).entries()) {
        const label = step === WILDCARD ? (parent.path[i] ?? step) : step
        const child = getChild(target, label)
        if (!isNode(child)) break
        target = child
      }
      attach(target, dstLast, value)
    }
    for (const { parent } of moved) nullIfEmptied(root, parent)
    return
  }
  for (const { parent, value } of moved) {
    let target = parent.node
    for (const step of dst.slice(src.length - 1, -1)) {
      let child = getChild(target, step)
      if (!isNode(child)) {
        child = {}
        attach(target, step, child)
      }
      target = child as Node
    }
    attach(target, dstLast, value)
  }
}

function append(root: Node, src: string[], dst: string[]): void {
  const from = get(root, src)
  const to = get(root, dst)
  if (!Array.isArray(from) || !Array.isArray(to)) return
  to.push(...from)
  del(root, src)
}

/** Applies the operations in order, in place; returns the data. */
export function applyFlatmap(data: Record<string, unknown>, ops: FlatmapOp[]): Record<string, unknown> {
  for (const op of ops) {
    const [a, b] = op.args
    if (op.type === 'del') for (const path of op.args) del(data, path)
    else if (a && b && op.type === 'move') move(data, a, b)
    else if (a && b && op.type === 'append') append(data, a, b)
  }
  return data
}
