// JSON text exactly as Go's encoding/json.Marshal writes it for map[string]interface{} values,
// which is what KrakenD sends whenever it re-encodes a response: object keys sorted, `<`, `>`, `&`,
// U+2028 and U+2029 escaped as \u003c \u003e \u0026 \u2028 \u2029, no trailing newline.
// Numbers print like Go's float64 encoder, which for finite values is what JavaScript prints.

import { compareGoKeys, goKeyOrdered, goKeysSorted, needsStringEncoder } from './go-json-order.ts'
import { GoNumber, isGoNilMap, isGoNilSlice, isGoStruct } from './go-json-values.ts'

export {
  GoNumber,
  goNilMap,
  goNilSlice,
  goResponseError,
  goStruct,
  isGoNilMap,
  isGoNilSlice,
  isGoResponseError,
  isGoStruct,
} from './go-json-values.ts'

const GO_ESCAPES = /[<>&\u2028\u2029]/g
const NEEDS_ESCAPE = /[<>&\u2028\u2029]/
const GO_ESCAPE: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
}
const escapeOne = (c: string) => GO_ESCAPE[c] as string

/**
 * Go's Marshal output for a JSON-like value (no trailing newline). Objects inside `value` may be
 * replaced by copies with their keys in Go's order (same content): the encoding itself is V8's
 * JSON.stringify, the fast path, once every object's keys are in Go's order.
 */
export function goJson(value: unknown): string {
  let text: string
  try {
    const ordered = goKeyOrdered(value)
    text = needsStringEncoder() ? encode(value) : (JSON.stringify(ordered) ?? 'null')
  } catch (error) {
    // Nesting deeper than the call stack holds (a few thousand levels; Go's encoder has no limit,
    // and XML or static data can be that deep): the same text, built without recursion.
    if (!(error instanceof RangeError)) throw error
    text = encodeDeep(value)
  }
  // A lone surrogate (a byte that is not UTF-8, see go-bytes-string.ts): Go writes \ufffd.
  if (text.includes('\\ud')) text = text.replace(LONE_SURROGATE_ESCAPE, goReplacement)
  // The escaped characters can only occur inside strings, so one pass over the output is exact.
  return NEEDS_ESCAPE.test(text) ? text.replace(GO_ESCAPES, escapeOne) : text
}

// JSON.stringify's escape of a lone surrogate; an even run of backslashes before `u` is literal text.
const LONE_SURROGATE_ESCAPE = /(\\+)ud[89a-f][0-9a-f]{2}/g
const goReplacement = (matched: string, slashes: string) =>
  slashes.length % 2 === 1 ? `${slashes}ufffd` : matched

function encode(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      // Go refuses NaN/Inf; JSON.parse never produces them. -0 prints as Go prints it.
      return Number.isFinite(value) ? (Object.is(value, -0) ? '-0' : String(value)) : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      if (value instanceof GoNumber) return value.literal
      if (Array.isArray(value)) {
        if (value.length === 0) return isGoNilSlice(value) ? 'null' : '[]'
        let out = '['
        for (let i = 0; i < value.length; i += 1) {
          if (i > 0) out += ','
          const item = value[i]
          out += item === undefined ? 'null' : encode(item)
        }
        return `${out}]`
      }
      const obj = value as Record<string, unknown>
      const keys = Object.keys(obj)
      if (keys.length === 0) return isGoNilMap(obj) ? 'null' : '{}'
      if (!goKeysSorted(keys) && !isGoStruct(obj)) keys.sort(compareGoKeys)
      let out = '{'
      let first = true
      for (const key of keys) {
        const item = obj[key]
        if (item === undefined) continue
        if (!first) out += ','
        first = false
        out += `${JSON.stringify(key)}:${encode(item)}`
      }
      return `${out}}`
    }
    default:
      return 'null'
  }
}

type DeepFrame =
  | { array: unknown[]; i: number }
  | { object: Record<string, unknown>; keys: string[]; i: number; first: boolean }

/** `encode` with an explicit stack instead of recursion. */
function encodeDeep(root: unknown): string {
  const out: string[] = []
  const stack: DeepFrame[] = []
  const open = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || value instanceof GoNumber) {
      out.push(encode(value))
      return
    }
    if (Array.isArray(value)) {
      if (isGoNilSlice(value)) {
        out.push('null')
        return
      }
      out.push('[')
      stack.push({ array: value, i: 0 })
      return
    }
    const object = value as Record<string, unknown>
    if (isGoNilMap(object)) {
      out.push('null')
      return
    }
    const keys = Object.keys(object)
    if (!goKeysSorted(keys) && !isGoStruct(object)) keys.sort(compareGoKeys)
    out.push('{')
    stack.push({ object, keys, i: 0, first: true })
  }
  open(root)
  for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
    if ('array' in top) {
      if (top.i === top.array.length) {
        out.push(']')
        stack.pop()
        continue
      }
      if (top.i > 0) out.push(',')
      const item = top.array[top.i]
      top.i += 1
      open(item === undefined ? null : item)
      continue
    }
    let key = top.keys[top.i]
    while (key !== undefined && top.object[key] === undefined) {
      top.i += 1
      key = top.keys[top.i]
    }
    if (key === undefined) {
      out.push('}')
      stack.pop()
      continue
    }
    top.i += 1
    out.push(`${top.first ? '' : ','}${JSON.stringify(key)}:`)
    top.first = false
    open(top.object[key])
  }
  return out.join('')
}
