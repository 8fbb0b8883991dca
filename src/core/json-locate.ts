import type { Location } from './errors.ts'

type KeyPath = ReadonlyArray<string | number>

/**
 * Positions inside a JSON text that JSON.parse already accepted, found on demand: only the
 * members along the asked path are scanned, so a large config costs nothing until a problem
 * needs its file:line:column. `mapOffset`: for a rendered text, where its offsets came from.
 */
export function jsonLocator(
  text: string,
  file: string,
  mapOffset?: (offset: number, valueOffset: number) => Location,
): (path: KeyPath) => Location {
  let lineStarts: number[] | undefined
  const position = (offset: number, valueOffset = offset): Location => {
    if (mapOffset) return mapOffset(offset, valueOffset)
    lineStarts ??= [0, ...[...text.matchAll(/\n/g)].map((m) => (m.index ?? 0) + 1)]
    let low = 0
    let high = lineStarts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if ((lineStarts[mid] ?? 0) <= offset) low = mid
      else high = mid - 1
    }
    return { file, line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 }
  }
  return (path) => {
    let at = skipSpace(text, 0)
    let found = at
    for (const part of path) {
      const next = member(text, at, part)
      if (!next) break
      found = next.key
      at = next.value
    }
    return position(found, at)
  }
}

export function offsetToLineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  return { line, column: offset - before.lastIndexOf('\n') }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i] as string)) i++
  return i
}

function skipString(text: string, i: number): number {
  i++
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
  return i + 1
}

/** The end of the value starting at i. */
function skipValue(text: string, i: number): number {
  const open = text[i]
  if (open === '"') return skipString(text, i)
  if (open !== '{' && open !== '[') {
    while (i < text.length && !/[,}\]\s]/.test(text[i] as string)) i++
    return i
  }
  let depth = 0
  while (i < text.length) {
    const c = text[i]
    if (c === '"') {
      i = skipString(text, i)
      continue
    }
    if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') {
      depth--
      if (depth === 0) return i + 1
    }
    i++
  }
  return i
}

/** Where the member `part` of the object/array value at i starts (its key) and where its value starts. */
function member(text: string, i: number, part: string | number): { key: number; value: number } | undefined {
  const open = text[i]
  if (open === '{' && typeof part === 'string') {
    i = skipSpace(text, i + 1)
    while (text[i] === '"') {
      const end = skipString(text, i)
      const key = JSON.parse(text.slice(i, end)) as string
      const value = skipSpace(text, skipSpace(text, end) + 1)
      if (key === part) return { key: i, value }
      i = skipSpace(text, skipValue(text, value))
      if (text[i] !== ',') return undefined
      i = skipSpace(text, i + 1)
    }
    return undefined
  }
  if (open === '[' && typeof part === 'number') {
    i = skipSpace(text, i + 1)
    for (let index = 0; i < text.length && text[i] !== ']'; index++) {
      if (index === part) return { key: i, value: i }
      i = skipSpace(text, skipValue(text, i))
      if (text[i] !== ',') return undefined
      i = skipSpace(text, i + 1)
    }
  }
  return undefined
}
