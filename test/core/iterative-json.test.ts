import assert from 'node:assert/strict'
import { test } from 'node:test'
import { stringifyJson, stringifyJsonWithin } from '../../src/core/iterative-json.ts'

/** Seeded values of every JSON kind, with undefined members and items as JavaScript may hold them. */
function randomValue(seed: number): unknown {
  let state = seed
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
  const strings = ['', 'a', 'é', '\u2028', '"q"', '\\', '\u0000', '🙂', 'b', 'A', '_', '10', '2']
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)] as T
  const build = (depth: number): unknown => {
    const kind = depth > 4 ? Math.floor(next() * 5) : Math.floor(next() * 8)
    if (kind === 0) return null
    if (kind === 1) return next() < 0.5
    if (kind === 2) return pick([0, -0, 1.5, -3e-7, 1e21, 123456789012, Number.MAX_SAFE_INTEGER])
    if (kind === 3) return pick(strings)
    if (kind === 4) return undefined
    if (kind === 5) return Array.from({ length: Math.floor(next() * 4) }, () => build(depth + 1))
    const object: Record<string, unknown> = {}
    for (let i = Math.floor(next() * 5); i > 0; i--) object[pick(strings)] = build(depth + 1)
    return object
  }
  return build(0)
}

function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(sortedCopy)
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  // Integer-like keys would be listed first by any object, so the sorted text is built by hand.
  return new Map(keys.map((key) => [key, sortedCopy((value as Record<string, unknown>)[key])]))
}

function sortedText(value: unknown): string {
  if (value instanceof Map)
    return `{${[...value]
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${sortedText(v)}`)
      .join(',')}}`
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : sortedText(item))).join(',')}]`
  return JSON.stringify(value) ?? 'null'
}

test('writes what JSON.stringify writes, indented or not, for 500 seeded values', () => {
  for (let seed = 1; seed <= 500; seed++) {
    const value = randomValue(seed)
    const expected = JSON.stringify(value) ?? 'null'
    assert.equal(stringifyJson(value), expected, `seed ${seed}`)
    if (value !== undefined) assert.equal(stringifyJson(value, { indent: 2 }), JSON.stringify(value, null, 2))
    assert.equal(
      stringifyJson(value, { sortKeys: true }),
      sortedText(sortedCopy(value)),
      `seed ${seed} sorted`,
    )
  }
})

test('writes a config nested 10,000 levels, where JSON.stringify runs out of stack', () => {
  let deep: unknown = 'leaf'
  for (let level = 0; level < 10_000; level++) deep = level % 2 ? [deep] : { k: deep }
  assert.throws(() => JSON.stringify(deep), RangeError)
  const text = stringifyJson(deep)
  assert.equal(text.length, 5_000 * '{"k":'.length + 5_000 * 2 + '"leaf"'.length + 5_000)
  assert.ok(text.startsWith('[{"k":[{"k":'))
  assert.ok(text.includes('[{"k":[{"k":"leaf"}]}]'))
  assert.ok(text.endsWith('}]}]'))
  assert.equal(stringifyJson(deep, { sortKeys: true }), text)
})

test('gives up past a length instead of building the whole text', () => {
  const value = { a: [1, 2, 3], b: 'xyz' }
  const whole = stringifyJson(value, { indent: 2 })
  assert.equal(stringifyJsonWithin(value, { indent: 2 }, whole.length), whole)
  assert.equal(stringifyJsonWithin(value, { indent: 2 }, whole.length - 1), undefined)
  let deep: unknown = 0
  for (let level = 0; level < 5_000; level++) deep = [deep]
  assert.equal(stringifyJsonWithin(deep, { indent: 2 }, 1_000_000), undefined)
})
