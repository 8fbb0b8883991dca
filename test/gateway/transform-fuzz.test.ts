// Random backend answers through random backend formatters (target, group, allow, deny, mapping,
// flatmap_filter), lura's merge and every renderer. Keys and path segments include the names a
// JavaScript object treats specially (`__proto__`, `constructor`, `toString`), integer-like keys,
// dots, `*` and HTML characters. Nothing may throw but a backend decode error, and nothing may
// change the objects every request shares (Object, Object.prototype, Array.prototype...): a
// config path or a backend key that did would change every later answer of the process.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BackendConfig, OutputEncoding } from '../../src/gateway/config/types.ts'
import type { FlatmapOp } from '../../src/gateway/flatmap.ts'
import { compileRenderer } from '../../src/gateway/output-render.ts'
import {
  combineData,
  compileDecoder,
  compileFormatter,
  type Data,
  DecodeError,
  goFlatmap,
} from '../../src/gateway/transform.ts'
import { changedShared, seededRandom, sharedObjects } from './fuzz-helpers.ts'

const KEYS = [
  'a',
  'b',
  '0',
  '10',
  'a.b',
  '*',
  '__proto__',
  'constructor',
  'toString',
  'é',
  '',
  '<&>',
  'collection',
]
const SCALARS: unknown[] = [1, -0, 1.5, 1e21, 'str', '<tag>', true, null, 2 ** 60, '\u2028']
const ENCODINGS = ['json', 'safejson', 'string', 'xml'] as const
const RENDERERS: OutputEncoding[] = ['json', 'json-collection', 'string', 'xml', 'yaml', 'negotiate']
const ACCEPTS = [undefined, 'application/xml', 'text/plain', 'application/x-yaml']

/** Random answers and formatters, the same on every run. */
function generator(seed: number) {
  const { next, pick } = seededRandom(seed)
  const path = () => Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(KEYS)).join('.')
  const value = (depth: number): unknown => {
    const r = next()
    if (depth > 3 || r < 0.3) return pick(SCALARS)
    if (r < 0.55) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1))
    const object: Record<string, unknown> = {}
    for (let i = Math.floor(next() * 5); i > 0; i -= 1)
      // Own keys, as JSON.parse makes them (`__proto__` included).
      Object.defineProperty(object, pick(KEYS), {
        value: value(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    return object
  }
  const flatmapOp = (): FlatmapOp => {
    const type = pick(['move', 'del', 'append'] as const)
    const args = type === 'del' ? [path()] : [path(), path()]
    return { type, args: args.map((p) => p.split('.')) }
  }
  const backend = (): BackendConfig => {
    const b: Partial<BackendConfig> = { encoding: pick(ENCODINGS), isCollection: next() < 0.2 }
    if (next() < 0.3) b.target = path()
    if (next() < 0.3) b.group = pick(KEYS)
    if (next() < 0.3) b.flatmap = Array.from({ length: 1 + Math.floor(next() * 3) }, flatmapOp)
    else {
      if (next() < 0.4) b.allow = [path(), path()]
      if (next() < 0.4) b.deny = [path()]
      if (next() < 0.3) b.mapping = { [pick(KEYS)]: pick(KEYS), [pick(KEYS)]: pick(KEYS) }
    }
    return b as BackendConfig
  }
  return { next, pick, path, value, backend, flatmapOp }
}

/** What a decoded backend answer merges as: an object (a list is wrapped in `collection` first). */
const isAnswerObject = (value: unknown): value is Data =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

test('random answers through random formatters: no exception but a decode error, no shared object changed', () => {
  const before = sharedObjects()
  let rendered = 0
  for (const seed of [3, 5, 11, 13, 21]) {
    const g = generator(seed)
    for (let i = 0; i < 4000; i += 1) {
      const backend = g.backend()
      const text =
        backend.encoding === 'xml'
          ? '<r><a x="1">t</a><__proto__>2</__proto__></r>'
          : JSON.stringify(g.value(0))
      const context = `seed ${seed} case ${i}: ${JSON.stringify(backend)} ${text.slice(0, 200)}`
      let data: Data
      try {
        data = compileDecoder(backend.encoding, backend.isCollection)(text, Buffer.from(text))
      } catch (error) {
        assert.ok(error instanceof DecodeError, `${context}: ${(error as Error).stack}`)
        continue
      }
      try {
        data = compileFormatter(backend)?.(data) ?? data
        const other = g.value(0)
        if (isAnswerObject(other)) data = combineData(data, other)
        if (g.next() < 0.2) data = goFlatmap(data, [g.flatmapOp()])
        compileRenderer(g.pick(RENDERERS))(data, g.pick(ACCEPTS))
        rendered += 1
      } catch (error) {
        assert.fail(`${context}: ${(error as Error).stack}`)
      }
      const changed = changedShared(before)
      assert.equal(changed, undefined, `${context} changed ${changed}`)
    }
  }
  // Most cases must get as far as rendering, or the generator tests nothing.
  assert.ok(rendered > 10_000, `only ${rendered} cases rendered`)
})
