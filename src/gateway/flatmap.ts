// KrakenD's `proxy.flatmap_filter` operations (move, del, append) with the semantics of
// github.com/krakend/flatmap's tree (v1.2.0, as lura runs it): the data becomes a tree of labelled
// edges, an array's items are edges labelled "0", "1", ... that keep their labels when a sibling
// is deleted or moved away (so `a.1` still means the second original item), a container whose
// edges are all removed turns into null, and `*` matches every edge. A move whose source and
// destination have the same depth relabels the last segment in place, a shorter destination
// promotes the value towards the root, a longer one nests it under the source's parent. Our own
// code; the rules were read from that package.
//
// The tree is built lazily: a container becomes edges only when an operation walks into it, and
// what no operation touched is handed back as it was decoded.
import { GoNumber, isGoStruct } from './go-json.ts'

export interface FlatmapOp {
  type: 'move' | 'del' | 'append'
  /** Each argument split on dots. */
  args: string[][]
}

type Container = Record<string, unknown> | unknown[]

interface Edge {
  label: string
  node: TreeNode
}

interface TreeNode {
  /** What the node stands for when it has no edges (Go's node.Value; null for a container emptied). */
  value: unknown
  /** Its edges expand to an array (labels ignored) rather than an object. */
  collection: boolean
  /** undefined while the node still is `raw`, a non-empty container nobody walked into. */
  edges: Edge[] | undefined
  raw: Container | undefined
}

const WILDCARD = '*'

const GO_TYPED = Symbol('a Go value of a concrete type')

/**
 * Marks a decoded value whose Go type is neither map[string]interface{} nor []interface{} (an RSS
 * feed's []*gofeed.Item, []string, map[string]string): lura's manipulations, which assert those
 * two types, take it whole.
 */
export function goTypedValue<T extends object>(value: T): T {
  Object.defineProperty(value, GO_TYPED, { value: true })
  return value
}

/** Whether `value` was marked by goTypedValue. */
export const isGoTypedValue = (value: object): boolean =>
  (value as { [GO_TYPED]?: boolean })[GO_TYPED] === true

/**
 * Whether lura's manipulations (allow, deny, target, flatmap) walk into `value`: only Go's
 * map[string]interface{} and []interface{} do; a number, a struct (lura's error from
 * return_error_details, its fields kept in their order) or a typed value is taken whole.
 */
export const isGoContainer = (value: unknown): value is Container =>
  typeof value === 'object' &&
  value !== null &&
  !(value instanceof GoNumber) &&
  !isGoStruct(value) &&
  !isGoTypedValue(value)

const isContainer = isGoContainer

function isEmptyContainer(value: Container): boolean {
  if (Array.isArray(value)) return value.length === 0
  for (const _ in value) return false
  return true
}

const newNode = (): TreeNode => ({ value: null, collection: false, edges: [], raw: undefined })

function edgesOf(node: TreeNode): Edge[] {
  if (node.edges !== undefined) return node.edges
  const raw = node.raw as Container
  const edges: Edge[] = []
  if (Array.isArray(raw)) for (const [i, item] of raw.entries()) edges.push(childEdge(String(i), item))
  else for (const key of Object.keys(raw)) edges.push(childEdge(key, raw[key]))
  node.edges = edges
  node.raw = undefined
  return edges
}

function childEdge(label: string, value: unknown): Edge {
  const node = newNode()
  flatten(node, value)
  return { label, node }
}

/** Go's node.flatten: a value poured into a node, merged with the edges it already has. */
function flatten(node: TreeNode, value: unknown): void {
  node.collection = Array.isArray(value)
  if (!isContainer(value) || isEmptyContainer(value)) {
    node.value = value === undefined ? null : value
    return
  }
  if (node.edges === undefined && node.raw === value) return
  if (node.edges !== undefined && node.edges.length === 0) {
    node.edges = undefined
    node.raw = value
    return
  }
  if (Array.isArray(value)) for (const [i, item] of value.entries()) add(node, [String(i)], item)
  else for (const key of Object.keys(value)) add(node, [key], value[key])
}

const findEdge = (node: TreeNode, label: string): Edge | undefined =>
  edgesOf(node).find((e) => e.label === label)

function add(node: TreeNode, path: string[], value: unknown): void {
  let here = node
  for (const label of path) {
    let edge = findEdge(here, label)
    if (!edge) {
      edge = { label, node: newNode() }
      edgesOf(here).push(edge)
    }
    here = edge.node
  }
  flatten(here, value)
}

const isLeaf = (node: TreeNode): boolean => node.edges !== undefined && node.edges.length === 0

function del(node: TreeNode, path: string[]): void {
  const [step, ...rest] = path
  if (step === undefined || isLeaf(node)) return
  const edges = edgesOf(node)
  if (step === WILDCARD) {
    if (rest.length > 0) for (const e of edges) del(e.node, rest)
    else edges.length = 0
    return
  }
  const i = edges.findIndex((e) => e.label === step)
  if (i === -1) return
  if (rest.length === 0) edges.splice(i, 1)
  else del((edges[i] as Edge).node, rest)
}

/** Go's node.Get: the expanded value at `path` (`*` gives a list), null when nothing is there. */
function get(node: TreeNode, path: string[]): unknown {
  if (path.length === 0) return expand(node)
  const edges = edgesOf(node)
  if (edges.length === 0) return null
  const [step, ...rest] = path as [string, ...string[]]
  if (step === WILDCARD) return edges.map((e) => get(e.node, rest))
  const edge = edges.find((e) => e.label === step)
  return edge ? get(edge.node, rest) : null
}

function expand(node: TreeNode): unknown {
  if (node.edges === undefined) return node.raw
  if (node.edges.length === 0) return node.value
  if (node.collection) return node.edges.map((e) => expand(e.node))
  const out: Record<string, unknown> = {}
  for (const e of node.edges) {
    if (e.label === '__proto__') Object.defineProperty(out, e.label, ownValue(expand(e.node)))
    else out[e.label] = expand(e.node)
  }
  return out
}

const ownValue = (value: unknown): PropertyDescriptor => ({
  value,
  enumerable: true,
  writable: true,
  configurable: true,
})

interface Candidate {
  node: TreeNode
  /** Labels from the root to `node`. */
  path: string[]
}

/** The nodes `steps` reach from the root: a label takes its first matching edge, `*` every edge. */
function collect(root: TreeNode, steps: string[]): Candidate[] {
  let current: Candidate[] = [{ node: root, path: [] }]
  for (const step of steps) {
    const next: Candidate[] = []
    for (const { node, path } of current)
      for (const e of edgesOf(node)) {
        if (step !== WILDCARD && e.label !== step) continue
        next.push({ node: e.node, path: [...path, e.label] })
        if (step !== WILDCARD) break
      }
    current = next
  }
  return current
}

function move(root: TreeNode, src: string[], dst: string[]): void {
  const last = src[src.length - 1]
  const dstLast = dst[dst.length - 1]
  if (last === undefined || dstLast === undefined) return
  const candidates = collect(root, src.slice(0, -1))
  const relabel = src.length === dst.length
  const moved: Array<{ from: Candidate; edge: Edge }> = []
  for (const from of candidates) {
    const edges = edgesOf(from.node)
    const i = edges.findIndex((e) => e.label === last)
    if (i === -1) continue
    const edge = edges[i] as Edge
    if (relabel) {
      edge.label = dstLast
      continue
    }
    edges.splice(i, 1)
    moved.push({ from, edge })
  }
  if (relabel) return
  if (src.length > dst.length) {
    // Promotion: walk the destination from the root as far as it exists (`*` takes the source's label).
    for (const { from, edge } of moved) {
      let parent = root
      for (const [i, step] of dst.slice(0, -1).entries()) {
        const found = findEdge(parent, step === WILDCARD ? (from.path[i] as string) : step)
        if (!found) break
        parent = found.node
      }
      edge.label = dstLast
      edgesOf(parent).push(edge)
    }
    return
  }
  // Embedding: the destination's extra segments are found or created under the source's parent.
  const between = dst.slice(src.length - 1, -1)
  for (const { from, edge } of moved) {
    let parent = from.node
    for (const step of between) {
      let found = findEdge(parent, step)
      if (!found) {
        found = { label: step, node: newNode() }
        edgesOf(parent).push(found)
      }
      parent = found.node
    }
    edge.label = dstLast
    edgesOf(parent).push(edge)
  }
}

function append(root: TreeNode, src: string[], dst: string[]): void {
  // Go asserts []interface{} on both: a typed list (an rss answer's items, categories) stops it
  const from = get(root, src)
  if (!Array.isArray(from) || !isContainer(from)) return
  const to = get(root, dst)
  if (!Array.isArray(to) || !isContainer(to)) return
  add(root, dst, [...to, ...from])
  del(root, src)
}

/** Applies the operations in order; returns the resulting data. */
export function applyFlatmap(data: Record<string, unknown>, ops: FlatmapOp[]): Record<string, unknown> {
  const root = newNode()
  flatten(root, data)
  for (const op of ops) {
    const [a, b] = op.args
    if (op.type === 'del') for (const path of op.args) del(root, path)
    else if (a && b && op.type === 'move') move(root, a, b)
    else if (a && b && op.type === 'append') append(root, a, b)
  }
  const out = expand(root)
  // Go keeps the result only if it is an object (an emptied root is nil: nothing).
  return isContainer(out) && !Array.isArray(out) ? out : {}
}
