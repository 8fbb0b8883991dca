// A backend body kept as text (go-json-text.ts) must give the bytes the decoder + goJson path gives,
// alone and merged as lura merges (the answer that arrived last wins a shared key), on random
// documents written in Go's form (accepted) and changed away from it (refused, or the same bytes).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BackendResult } from '../../src/gateway/compiled-endpoint.ts'
import { GoNumber, goJson } from '../../src/gateway/go-json.ts'
import { GoFormKeeper, GoFormText, goFormText, mergedGoFormText } from '../../src/gateway/go-json-text.ts'
import { compileRenderer } from '../../src/gateway/output-render.ts'
import { mergeResults } from '../../src/gateway/serve-endpoint.ts'
import { compileDecoder, type Data } from '../../src/gateway/transform.ts'
import { seededRandom } from './fuzz-helpers.ts'

const decode = compileDecoder('json', false)
const render = compileRenderer('json')
/** Today's path: the backend decoder, then the JSON renderer. */
const viaDecoder = (text: string) => goJson(decode(text, Buffer.from(text)))

const KEYS = ['a', 'b', 'id', 'name', 'z1', 'z10', 'z9', '0', '10', '9', 'é', '<k>', 'a"b', '\uE000', '😀']
const CHARS = [
  'a',
  'é',
  '<',
  '>',
  '&',
  '"',
  '\\',
  '/',
  '\n',
  '\t',
  '\b',
  '\f',
  '\u0001',
  '\u2028',
  '\uFFFD',
  '😀',
  ' ',
]
const NUMBERS = [
  '0',
  '-0',
  '7',
  '-12',
  '1.0',
  '1.50',
  '3.14',
  '1e5',
  '1E-7',
  '0.0000001',
  '12345678901234567890',
]

function randomDocument(seed: number) {
  const { next, pick } = seededRandom(seed)
  const string = () => Array.from({ length: Math.floor(next() * 4) }, () => pick(CHARS)).join('')
  const value = (depth: number): unknown => {
    const kind = Math.floor(next() * (depth > 2 ? 5 : 7))
    if (kind === 0) return string()
    if (kind === 1) return new GoNumber(pick(NUMBERS))
    if (kind === 2) return Math.floor(next() * 100) / 4
    if (kind === 3) return next() < 0.5
    if (kind === 4) return null
    if (kind === 5) return Array.from({ length: Math.floor(next() * 3) }, () => value(depth + 1))
    return object(depth + 1)
  }
  const object = (depth: number) => {
    const out: Record<string, unknown> = {}
    const n = Math.floor(next() * 5)
    for (let i = 0; i < n; i += 1) out[pick(KEYS)] = value(depth)
    return out
  }
  return { next, pick, document: object(0) }
}

/** The same document's text away from Go's form in one of several ways (or not at all). */
function variant(text: string, choice: number): string {
  switch (choice) {
    case 0:
      return `${text}\n`
    case 1:
      return text.replace(':', ': ')
    case 2:
      return text.replace('/', '\\/')
    case 3:
      return text.replace('\\u003c', '\\u003C')
    case 4:
      return ` ${text}`
    case 5:
      return text.replace('{', '{"zzz":1,')
    case 6:
      return `${text} x`
    default:
      return text
  }
}

test('a body in Go form is kept with the bytes the decoder and renderer write; any other is refused or the same', () => {
  let accepted = 0
  for (let seed = 1; seed <= 3000; seed += 1) {
    const { document } = randomDocument(seed)
    const goForm = goJson(document)
    for (let choice = 0; choice <= 7; choice += 1) {
      const text = variant(goForm, choice)
      const kept = goFormText(text)
      if (kept === undefined) continue
      accepted += 1
      assert.equal(kept.text, viaDecoder(text), `seed ${seed}, variant ${choice}: ${text}`)
      assert.equal(kept.size, Object.keys(JSON.parse(text)).length, `seed ${seed}: entries`)
      assert.equal(render(kept as unknown as Data).body, kept.text)
    }
  }
  // most documents without surrogate pairs or \u0001 are in Go form: the path is exercised
  assert.ok(accepted > 3000, `only ${accepted} accepted`)
})

test('answers kept as text merge as lura merges them, also beside an answer that was decoded', () => {
  let merged = 0
  for (let seed = 1; seed <= 2000; seed += 1) {
    const { next, document } = randomDocument(seed)
    const count = 1 + Math.floor(next() * 3)
    const texts = [goJson(document)]
    for (let i = 1; i < count; i += 1) texts.push(goJson(randomDocument(seed * 7919 + i).document))
    // as serve-endpoint receives them: kept where in Go form, decoded otherwise (or by a JS backend's order)
    const results = (keep: boolean): BackendResult[] =>
      texts.map((text, i) => {
        const kept = keep && (i > 0 || next() < 0.7) ? goFormText(text) : undefined
        return {
          ok: true,
          complete: true,
          data: kept ? (kept as unknown as Data) : decode(text, Buffer.from(text)),
        }
      })
    const expected = mergeResults(results(false), count)
    const got = mergeResults(results(true), count)
    assert.equal(got.complete, expected.complete)
    assert.equal(render(got.data).body, render(expected.data).body, `seed ${seed}: ${texts.join(' + ')}`)
    if (got.data instanceof GoFormText && count > 1) merged += 1
  }
  assert.ok(merged > 150, `only ${merged} merged as text`)
})

test('the merged text takes a shared key from the answer that arrived last, keys in Go order', () => {
  const parts = ['{"a":1,"k":"first","z":[1]}', '{"b":2,"k":"second"}', '{}', '{"k":"third","y":null}']
  const kept = parts.map((text) => goFormText(text) as GoFormText)
  const merged = mergedGoFormText(kept)
  assert.equal(merged.text, '{"a":1,"b":2,"k":"third","y":null,"z":[1]}')
  assert.equal(merged.size, 5)
  assert.equal(goFormText('{"b":1,"a":2}'), undefined)
  assert.equal(goFormText('{"a":1,"a":2}'), undefined)
  assert.equal(goFormText('{"__proto__":1}'), undefined)
  assert.equal(goFormText('[1]'), undefined)
  // deeper than Go's decoder takes (10000): the decoder's path fails it
  assert.equal(goFormText(`${'{"a":'.repeat(10001)}1${'}'.repeat(10001)}`), undefined)
  assert.equal(goFormText(`${'{"a":['.repeat(300)}1${']}'.repeat(300)}`)?.size, 1)
  assert.equal(goFormText('{"a":1}\r\n')?.text, '{"a":1}')
})

test("a backend that does not answer in Go's form is looked at once in 64 bodies after 8 misses", () => {
  const keeper = new GoFormKeeper()
  const jsOrder = '{"z":1,"a":2}'
  const goForm = '{"a":2,"z":1}'
  for (let i = 0; i < 8; i += 1) assert.equal(keeper.keep(jsOrder), undefined)
  // misses 8..63: not looked at, even a body in Go's form (decoded instead: the same answer)
  for (let i = 8; i < 64; i += 1) assert.equal(keeper.keep(goForm), undefined)
  // the 64th is looked at again: in Go's form, kept, and every body after it is looked at
  assert.equal(keeper.keep(goForm)?.text, goForm)
  assert.equal(keeper.keep(goForm)?.text, goForm)
  assert.equal(keeper.keep(jsOrder), undefined)
  assert.equal(keeper.keep(goForm)?.text, goForm)
})
