// gin's radix tree (v1.12.0 tree.go) as its own TypeScript: the same node layout, the same
// lookup with its limited backtracking, its trailing-slash hint and its case-insensitive search.
// KrakenD's routing is whatever this tree decides, including where it gives up: after taking a
// static branch it returns to a skipped parameter only in some cases (`/admin/{id}` beside
// `/{a}/{b}/{c}` leaves `/admin/y/x` unmatched), so a general backtracking router lets through
// requests KrakenD refuses.
//
// Paths are byte strings: one character per byte (Go's string), UTF-8 written as its bytes.
// Node priorities are left out: indices are unique per node, so the order of children never
// changes what a lookup finds.

import { findFolded } from './gin-tree-case.ts'

export const Kind = { Static: 0, Root: 1, Param: 2, CatchAll: 3 } as const
type KindValue = (typeof Kind)[keyof typeof Kind]

export interface GinNode<T> {
  path: string
  /** The first byte of each static child, in children order. */
  indices: string
  /** The last child is a parameter or catch-all. */
  wildChild: boolean
  kind: KindValue
  children: GinNode<T>[]
  value: T | undefined
}

/** A static branch taken where a wildcard sibling was possible: where gin may come back to. */
export interface SkippedNode<T> {
  path: string
  node: GinNode<T>
  paramsCount: number
}

export interface TreeLookup<T> {
  value: T | undefined
  /** Parameter names and values (bytes), in path order; catch-all values start with `/`. */
  params: Array<[string, string]>
  /** gin's tsr: the path with/without a trailing slash has a route. */
  tsr: boolean
}

/** gin's "panic" at registration: the route set cannot be built and KrakenD does not start. */
export class GinRouteError extends Error {}

/**
 * gin's panic while routing: the request's skipped stack is allocated with room for as many
 * entries as the longest route has `/`, and the 405 lookups of one request can fill it (each
 * starts with what the previous ones left). Go's server then drops the connection unanswered.
 */
export class SkippedNodesOverflow extends Error {
  constructor(wanted: number, capacity: number) {
    super(`runtime error: slice bounds out of range [:${wanted}] with capacity ${capacity}`)
  }
}

const newNode = <T>(path = '', kind: KindValue = Kind.Static): GinNode<T> => ({
  path,
  indices: '',
  wildChild: false,
  kind,
  children: [],
  value: undefined,
})

export class GinTree<T> {
  private root: GinNode<T> = newNode<T>()

  /** Registers a route in gin form (`/a/:id`, `/b/*rest`), bytes as one character each. */
  add(path: string, value: T): void {
    let n = this.root
    const fullPath = path
    if (n.path === '' && n.children.length === 0) {
      insertChild(n, path, fullPath, value)
      n.kind = Kind.Root
      return
    }
    for (;;) {
      const i = commonPrefixLength(path, n.path)
      if (i < n.path.length) {
        const child: GinNode<T> = { ...n, path: n.path.slice(i), kind: Kind.Static }
        n.children = [child]
        n.indices = n.path[i] as string
        n.path = path.slice(0, i)
        n.value = undefined
        n.wildChild = false
      }
      if (i === path.length) {
        if (n.value !== undefined)
          throw new GinRouteError(`handlers are already registered for path '${fullPath}'`)
        n.value = value
        return
      }
      path = path.slice(i)
      const c = path[0] as string
      if (n.kind === Kind.Param && c === '/' && n.children.length === 1) {
        n = n.children[0] as GinNode<T>
        continue
      }
      const at = n.indices.indexOf(c)
      if (at !== -1) {
        n = n.children[at] as GinNode<T>
        continue
      }
      if (c !== ':' && c !== '*' && n.kind !== Kind.CatchAll) {
        n.indices += c
        const child = newNode<T>()
        addChild(n, child)
        n = child
      } else if (n.wildChild) {
        n = n.children[n.children.length - 1] as GinNode<T>
        const w = n.path
        if (
          path.startsWith(w) &&
          n.kind !== Kind.CatchAll &&
          (w.length >= path.length || path[w.length] === '/')
        )
          continue
        const segment = n.kind === Kind.CatchAll ? path : (path.split('/')[0] as string)
        throw new GinRouteError(
          `'${segment}' in new path '${fullPath}' conflicts with existing wildcard '${w}'`,
        )
      }
      insertChild(n, path, fullPath, value)
      return
    }
  }

  /**
   * gin's getValue. `skipped` is the request's stack, shared by every lookup of one request as
   * gin shares it (the 405 lookups start with what the first one left). The path still to match
   * is always a suffix of the request path, so it is kept as an offset.
   */
  lookup(
    full: string,
    skipped: SkippedNode<T>[],
    wantParams = true,
    capacity = Number.POSITIVE_INFINITY,
  ): TreeLookup<T> {
    let n = this.root
    let pos = 0
    let paramsCount = 0
    const params: Array<[string, string]> = []
    /** A node restored from `skipped` is gin's copy without indices: only its wildcard child. */
    let restored = false
    for (;;) {
      const prefix = n.path
      const rest = full.length - pos
      if (rest > prefix.length && full.startsWith(prefix, pos)) {
        pos += prefix.length
        const at = restored ? -1 : indexOfByte(n.indices, full.charCodeAt(pos))
        restored = false
        if (at !== -1) {
          if (n.wildChild) {
            if (skipped.length >= capacity) throw new SkippedNodesOverflow(skipped.length + 1, capacity)
            skipped.push({ path: full.slice(pos - prefix.length), node: n, paramsCount })
          }
          n = n.children[at] as GinNode<T>
          continue
        }
        const atSlash = full.length - pos === 1 && full.charCodeAt(pos) === SLASH
        if (!n.wildChild) {
          const back = atSlash ? undefined : popResumable(skipped, full.length - pos)
          if (back !== undefined) {
            ;({ n, pos, paramsCount } = this.resume(back, full, params))
            restored = true
            continue
          }
          return { value: undefined, params, tsr: atSlash && n.value !== undefined }
        }
        n = n.children[n.children.length - 1] as GinNode<T>
        paramsCount++
        if (n.kind === Kind.CatchAll) {
          if (wantParams) params.push([n.path.slice(2), full.slice(pos)])
          return { value: n.value, params, tsr: false }
        }
        let end = full.indexOf('/', pos)
        if (end === -1) end = full.length
        if (wantParams) params.push([n.path.slice(1), full.slice(pos, end)])
        if (end < full.length) {
          if (n.children.length > 0) {
            pos = end
            n = n.children[0] as GinNode<T>
            continue
          }
          return { value: undefined, params, tsr: full.length === end + 1 }
        }
        if (n.value !== undefined) return { value: n.value, params, tsr: false }
        const c = n.children.length === 1 ? (n.children[0] as GinNode<T>) : undefined
        const tsr =
          c !== undefined &&
          ((c.path === '/' && c.value !== undefined) || (c.path === '' && c.indices === '/'))
        return { value: undefined, params, tsr }
      }
      const wasRestored = restored
      restored = false
      if (rest === prefix.length && full.startsWith(prefix, pos)) {
        const isSlash = prefix === '/'
        if (n.value === undefined && !isSlash) {
          const back = popResumable(skipped, rest)
          if (back !== undefined) {
            ;({ n, pos, paramsCount } = this.resume(back, full, params))
            restored = true
            continue
          }
        }
        if (n.value !== undefined) return { value: n.value, params, tsr: false }
        if (isSlash && n.wildChild && n.kind !== Kind.Root) return { value: undefined, params, tsr: true }
        if (isSlash && n.kind === Kind.Static) return { value: undefined, params, tsr: true }
        const slash = wasRestored ? -1 : indexOfByte(n.indices, SLASH)
        if (slash === -1) return { value: undefined, params, tsr: false }
        const c = n.children[slash] as GinNode<T>
        const tsr =
          (c.path.length === 1 && c.value !== undefined) ||
          (c.kind === Kind.CatchAll && c.children[0]?.value !== undefined)
        return { value: undefined, params, tsr }
      }
      const path = full.slice(pos)
      const tsr =
        path === '/' ||
        (prefix.length === path.length + 1 &&
          prefix.charCodeAt(path.length) === SLASH &&
          prefix.startsWith(path) &&
          n.value !== undefined)
      if (!tsr && path !== '/') {
        const back = popResumable(skipped, rest)
        if (back !== undefined) {
          ;({ n, pos, paramsCount } = this.resume(back, full, params))
          restored = true
          continue
        }
      }
      return { value: undefined, params, tsr }
    }
  }

  /** Going back to a skipped branch: its path, its node, the parameters it had. */
  private resume(back: SkippedNode<T>, full: string, params: Array<[string, string]>) {
    if (params.length > back.paramsCount) params.length = back.paramsCount
    return { n: back.node, pos: full.length - back.path.length, paramsCount: back.paramsCount }
  }

  /** gin's findCaseInsensitivePath: the route's spelling of a path that matches but for case. */
  findCaseInsensitive(path: string, fixTrailingSlash: boolean): string | undefined {
    return findFolded(this.root, path, '', [0, 0, 0, 0], fixTrailingSlash)
  }
}

const SLASH = 47

/**
 * gin going back: the latest skipped branch whose path ends with the rest of the path (all are
 * suffixes of the same request path: one at least as long); shorter ones, which another method's
 * lookup left, are dropped on the way.
 */
function popResumable<T>(skipped: SkippedNode<T>[], restLength: number): SkippedNode<T> | undefined {
  for (let back = skipped.pop(); back !== undefined; back = skipped.pop())
    if (back.path.length >= restLength) return back
  return undefined
}

function indexOfByte(indices: string, byte: number): number {
  for (let i = 0; i < indices.length; i++) if (indices.charCodeAt(i) === byte) return i
  return -1
}

function commonPrefixLength(a: string, b: string): number {
  const max = Math.min(a.length, b.length)
  let i = 0
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++
  return i
}

/** Adds a child, keeping the wildcard child last. */
function addChild<T>(n: GinNode<T>, child: GinNode<T>): void {
  if (n.wildChild && n.children.length > 0) n.children.splice(n.children.length - 1, 0, child)
  else n.children.push(child)
}

/** The first `:name` or `*name` in a route and whether its name is free of further wildcards. */
function findWildcard(path: string): { wildcard: string; at: number; valid: boolean } | undefined {
  for (let start = 0; start < path.length; start++) {
    const c = path[start]
    if (c === '\\') throw new GinRouteError(`invalid escape string in path '${path}'`)
    if (c !== ':' && c !== '*') continue
    let end = start + 1
    let valid = true
    while (end < path.length && path[end] !== '/') {
      if (path[end] === ':' || path[end] === '*') valid = false
      end++
    }
    return { wildcard: path.slice(start, end), at: start, valid }
  }
  return undefined
}

function insertChild<T>(n: GinNode<T>, path: string, fullPath: string, value: T): void {
  for (;;) {
    const found = findWildcard(path)
    if (found === undefined) break
    const { wildcard, valid } = found
    let at = found.at
    if (!valid)
      throw new GinRouteError(
        `only one wildcard per path segment is allowed, has: '${wildcard}' in path '${fullPath}'`,
      )
    if (wildcard.length < 2)
      throw new GinRouteError(`wildcards must be named with a non-empty name in path '${fullPath}'`)
    if (wildcard[0] === ':') {
      if (at > 0) {
        n.path = path.slice(0, at)
        path = path.slice(at)
      }
      const child = newNode<T>(wildcard, Kind.Param)
      addChild(n, child)
      n.wildChild = true
      n = child
      if (wildcard.length < path.length) {
        path = path.slice(wildcard.length)
        const next = newNode<T>()
        addChild(n, next)
        n = next
        continue
      }
      n.value = value
      return
    }
    if (at + wildcard.length !== path.length)
      throw new GinRouteError(
        `catch-all routes are only allowed at the end of the path in path '${fullPath}'`,
      )
    if (n.path.endsWith('/'))
      throw new GinRouteError(
        `catch-all wildcard '${path}' in new path '${fullPath}' conflicts with existing path segment`,
      )
    at--
    if (at < 0 || path[at] !== '/') throw new GinRouteError(`no / before catch-all in path '${fullPath}'`)
    n.path = path.slice(0, at)
    const holder = newNode<T>('', Kind.CatchAll)
    holder.wildChild = true
    addChild(n, holder)
    n.indices = '/'
    const leaf = newNode<T>(path.slice(at), Kind.CatchAll)
    leaf.value = value
    holder.children = [leaf]
    return
  }
  n.path = path
  n.value = value
}
