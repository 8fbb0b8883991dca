/**
 * A claim's value as text, as krakend-jose writes it into a header (propagate_claims) or a
 * parameter: Claims.Get / Claims.List, which print with Go's fmt.
 */
import { goFormatFloat } from '../go-float.ts'
import { goJson } from '../go-json.ts'
import { compareGoKeys } from '../go-json-order.ts'
import type { Claims } from './go-jose.ts'

/** krakend-jose's Claims.Get for a present claim. */
export function claimString(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number') {
    const r = goRound(value)
    return Math.abs(value - r) <= 1e-6 ? goInt(r) : value.toFixed(6)
  }
  if (Array.isArray(value)) return value.map(goValue).join(',')
  return goJson(value)
}

/** krakend-jose's Claims.List for a present claim (propagate_claims_preserve_array). */
export function claimList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(goValue)
  return [claimString(value)]
}

const goRound = (v: number) => Math.sign(v) * Math.round(Math.abs(v))
/** Go's int(v) on amd64: a value beyond int64 becomes the minimum int64 (CVTTSD2SI's "indefinite"). */
const goInt = (v: number) =>
  Object.is(v, -0) ? '0' : v >= 2 ** 63 || v < -(2 ** 63) ? '-9223372036854775808' : BigInt(v).toString()

/**
 * Go's fmt %v of a decoded JSON value. Built without recursion: fmt has no depth limit, so a claim
 * nested thousands of levels deep is printed whole (it overflowed the call stack here: a 500).
 */
function goValue(value: unknown): string {
  if (typeof value !== 'object' || value === null) return goScalar(value)
  const parts: string[] = []
  // What is left to print, last first: values, and the text between them.
  const todo: unknown[] = [value]
  while (todo.length > 0) {
    const item = todo.pop()
    if (item instanceof Text) parts.push(item.text)
    else if (typeof item !== 'object' || item === null) parts.push(goScalar(item))
    else if (Array.isArray(item)) {
      parts.push('[')
      todo.push(CLOSE)
      for (let i = item.length - 1; i >= 0; i -= 1) {
        todo.push(item[i])
        if (i > 0) todo.push(SPACE)
      }
    } else {
      const keys = Object.keys(item).sort(compareGoKeys)
      parts.push('map[')
      todo.push(CLOSE)
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const key = keys[i] as string
        todo.push((item as Claims)[key], new Text(`${key}:`))
        if (i > 0) todo.push(SPACE)
      }
    }
  }
  return parts.join('')
}

/** Literal text among the values goValue has still to print. */
class Text {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
}
const CLOSE = new Text(']')
const SPACE = new Text(' ')

function goScalar(value: unknown): string {
  if (value === null || value === undefined) return '<nil>'
  if (typeof value === 'number') return goFormatFloat(value)
  return String(value)
}
