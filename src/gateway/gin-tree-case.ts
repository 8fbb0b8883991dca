// gin's findCaseInsensitivePath (RedirectFixedPath) over the tree of gin-tree.ts, as its own
// TypeScript: runes compared as Go's unicode package folds them, and the same 4-byte rune buffer
// carried from node to node (a rune split across nodes continues with its remaining bytes).
import { type GinNode, Kind } from './gin-tree.ts'
import { goFoldEqual, goLowerRune, goUpperRune } from './go-unicode-case.ts'

type RuneBytes = [number, number, number, number]

const RUNE_ERROR = 0xfffd

export function findFolded<T>(
  start: GinNode<T>,
  path: string,
  ciPath: string,
  rb: RuneBytes,
  fixTrailingSlash: boolean,
): string | undefined {
  let n = start
  let npLen = n.path.length
  const indexOf = (byte: number) => (byte === 0 ? -1 : n.indices.indexOf(String.fromCharCode(byte)))
  while (path.length >= npLen && (npLen === 0 || equalFold(path.slice(1, npLen), n.path.slice(1)))) {
    const oldPath = path
    path = path.slice(npLen)
    ciPath += n.path
    if (path.length === 0) {
      if (n.value !== undefined) return ciPath
      const slash = fixTrailingSlash ? n.indices.indexOf('/') : -1
      if (slash === -1) return undefined
      const c = n.children[slash] as GinNode<T>
      const leaf =
        (c.path.length === 1 && c.value !== undefined) ||
        (c.kind === Kind.CatchAll && c.children[0]?.value !== undefined)
      return leaf ? `${ciPath}/` : undefined
    }
    if (!n.wildChild) {
      rb = shift(rb, npLen)
      if (rb[0] !== 0) {
        const at = indexOf(rb[0])
        if (at !== -1) {
          n = n.children[at] as GinNode<T>
          npLen = n.path.length
          continue
        }
      } else {
        const { rune, off } = runeAt(oldPath, npLen)
        const lo = toLowerRune(rune)
        rb = shift(encodeInto(rb, lo), off)
        const at = indexOf(rb[0])
        if (at !== -1) {
          const out = findFolded(n.children[at] as GinNode<T>, path, ciPath, rb, fixTrailingSlash)
          if (out !== undefined) return out
        }
        const up = toUpperRune(rune)
        if (up !== lo) {
          // Go encodes into the same buffer: bytes of the lower-case rune beyond the upper-case one stay.
          rb = shift(encodeInto(rb, up), off)
          const atUp = indexOf(rb[0])
          if (atUp !== -1) {
            n = n.children[atUp] as GinNode<T>
            npLen = n.path.length
            continue
          }
        }
      }
      return fixTrailingSlash && path === '/' && n.value !== undefined ? ciPath : undefined
    }
    // Static children first, then the wildcard child (always the last one).
    if (n.indices.length > 0) {
      rb = shift(rb, npLen)
      const tryChild = (bytes: RuneBytes): string | undefined => {
        const at = indexOf(bytes[0])
        return at === -1
          ? undefined
          : findFolded(n.children[at] as GinNode<T>, path, ciPath, bytes, fixTrailingSlash)
      }
      if (rb[0] !== 0) {
        const out = tryChild(rb)
        if (out !== undefined) return out
      } else {
        const { rune, off } = runeAt(oldPath, npLen)
        const lo = toLowerRune(rune)
        rb = shift(encodeInto(rb, lo), off)
        const out = tryChild(rb)
        if (out !== undefined) return out
        const up = toUpperRune(rune)
        if (up !== lo) {
          rb = shift(encodeInto(rb, up), off)
          const outUp = tryChild(rb)
          if (outUp !== undefined) return outUp
        }
      }
    }
    n = n.children[n.children.length - 1] as GinNode<T>
    if (n.kind === Kind.CatchAll) return ciPath + path
    let end = path.indexOf('/')
    if (end === -1) end = path.length
    ciPath += path.slice(0, end)
    if (end < path.length) {
      if (n.children.length > 0) {
        n = n.children[0] as GinNode<T>
        npLen = n.path.length
        path = path.slice(end)
        continue
      }
      return fixTrailingSlash && path.length === end + 1 ? ciPath : undefined
    }
    if (n.value !== undefined) return ciPath
    if (fixTrailingSlash && n.children.length === 1) {
      const c = n.children[0] as GinNode<T>
      if (c.path === '/' && c.value !== undefined) return `${ciPath}/`
    }
    return undefined
  }
  if (!fixTrailingSlash) return undefined
  if (path === '/') return ciPath
  if (
    path.length + 1 === npLen &&
    n.path[path.length] === '/' &&
    equalFold(path.slice(1), n.path.slice(1, path.length)) &&
    n.value !== undefined
  )
    return ciPath + n.path
  return undefined
}

function shift(rb: RuneBytes, by: number): RuneBytes {
  if (by <= 0) return rb
  const out: RuneBytes = [0, 0, 0, 0]
  for (let i = by; i < 4; i++) out[i - by] = rb[i] as number
  return out
}

/** The rune a static step continues with (searched back from the node's end) and how many of its bytes the node took. */
function runeAt(oldPath: string, npLen: number): { rune: number; off: number } {
  const max = Math.min(npLen, 3)
  let off = 0
  for (; off < max; off++) {
    const i = npLen - off
    if ((oldPath.charCodeAt(i) & 0xc0) !== 0x80) return { rune: decodeRune(oldPath, i).rune, off }
  }
  return { rune: 0, off }
}

/** Go's utf8.EncodeRune into the buffer: only the rune's own bytes are overwritten. */
function encodeInto(rb: RuneBytes, rune: number): RuneBytes {
  const out: RuneBytes = [...rb]
  const bytes = encodeRune(rune)
  for (const [i, b] of bytes.entries()) out[i] = b
  return out
}

function encodeRune(rune: number): number[] {
  let r = rune
  if (r < 0 || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = RUNE_ERROR
  if (r < 0x80) return [r]
  if (r < 0x800) return [0xc0 | (r >> 6), 0x80 | (r & 0x3f)]
  if (r < 0x10000) return [0xe0 | (r >> 12), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f)]
  return [0xf0 | (r >> 18), 0x80 | ((r >> 12) & 0x3f), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f)]
}

/** Go's utf8.DecodeRuneInString over bytes (one character each): RuneError, size 1, when invalid. */
function decodeRune(s: string, i: number): { rune: number; size: number } {
  const b0 = s.charCodeAt(i)
  if (b0 < 0x80) return { rune: b0, size: 1 }
  const at = (k: number) => s.charCodeAt(i + k)
  const cont = (b: number, lo = 0x80, hi = 0xbf) => b >= lo && b <= hi
  if (b0 >= 0xc2 && b0 <= 0xdf && cont(at(1))) return { rune: ((b0 & 0x1f) << 6) | (at(1) & 0x3f), size: 2 }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80
    const hi = b0 === 0xed ? 0x9f : 0xbf
    if (cont(at(1), lo, hi) && cont(at(2)))
      return { rune: ((b0 & 0x0f) << 12) | ((at(1) & 0x3f) << 6) | (at(2) & 0x3f), size: 3 }
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80
    const hi = b0 === 0xf4 ? 0x8f : 0xbf
    if (cont(at(1), lo, hi) && cont(at(2)) && cont(at(3)))
      return {
        rune: ((b0 & 0x07) << 18) | ((at(1) & 0x3f) << 12) | ((at(2) & 0x3f) << 6) | (at(3) & 0x3f),
        size: 4,
      }
  }
  return { rune: RUNE_ERROR, size: 1 }
}

/** unicode.ToLower / ToUpper (go-unicode-case.ts), ASCII inline. */
function toLowerRune(r: number): number {
  if (r < 0x80) return r >= 0x41 && r <= 0x5a ? r + 32 : r
  return goLowerRune(String.fromCodePoint(r)).codePointAt(0) as number
}

function toUpperRune(r: number): number {
  if (r < 0x80) return r >= 0x61 && r <= 0x7a ? r - 32 : r
  return goUpperRune(String.fromCodePoint(r)).codePointAt(0) as number
}

/** strings.EqualFold over bytes: runes decoded (invalid bytes are RuneError) and compared folded. */
function equalFold(s: string, t: string): boolean {
  let i = 0
  let j = 0
  while (i < s.length && j < t.length) {
    const a = decodeRune(s, i)
    const b = decodeRune(t, j)
    i += a.size
    j += b.size
    if (!goFoldEqual(a.rune, b.rune)) return false
  }
  return i === s.length && j === t.length
}
