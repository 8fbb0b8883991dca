// lura hands a sequential backend a Lambda answer's float64 as strconv.FormatFloat(n, 'E', -1, 32):
// the expectations are Go 1.25's output (199,812 random float64s and float32s checked the same way).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GoFloat64 } from '../../src/gateway/go-float.ts'
import { goFormatFloat32E } from '../../src/gateway/go-float32.ts'
import { GoNumber, goJson, isGoNilMap } from '../../src/gateway/go-json.ts'

test("goFormatFloat32E is strconv.FormatFloat(n, 'E', -1, 32)", () => {
  const go: Array<[number, string]> = [
    [0, '0E+00'],
    [-0, '-0E+00'],
    [1, '1E+00'],
    [1.5, '1.5E+00'],
    [0.1, '1E-01'],
    [123456789, '1.2345679E+08'],
    [1.2345678901234567e19, '1.2345679E+19'],
    [16777217, '1.6777216E+07'],
    [1e39, '+Inf'],
    [-1e39, '-Inf'],
    [3.4028235e38, '3.4028235E+38'],
    [1e-45, '1E-45'],
    [7e-46, '0E+00'],
    // halfway between two 8-digit texts: Go takes the even one, toExponential the larger
    [370379.125, '3.7037912E+05'],
    [-2800147.25, '-2.8001472E+06'],
    [-394181.1142526514, '-3.9418112E+05'],
  ]
  for (const [n, text] of go) assert.equal(goFormatFloat32E(n), text, String(n))
})

test('a GoFloat64 is written by encoding/json as its float64 and printed by %v as Go does', () => {
  assert.equal(
    goJson({ a: new GoFloat64(-0), b: [new GoFloat64(1e21), new GoFloat64(1e-7)] }),
    '{"a":-0,"b":[1e+21,1e-7]}',
  )
  assert.equal(String(new GoFloat64(1e6)), '1e+06')
  assert.equal(String(new GoFloat64(1.2345678901234567e19)), '1.2345678901234567e+19')
})

test('a second copy of the modules (lazy/lambda.cjs bundles its own) makes the same GoFloat64, GoNumber and nil map', async () => {
  // a query string loads a module again, as a second bundle holds a second copy of it
  const copy = (path: string) => import(new URL(`${path}?copy`, import.meta.url).href)
  const floats = (await copy(
    '../../src/gateway/go-float.ts',
  )) as typeof import('../../src/gateway/go-float.ts')
  const values = (await copy(
    '../../src/gateway/go-json-values.ts',
  )) as typeof import('../../src/gateway/go-json-values.ts')
  assert.equal(floats.GoFloat64, GoFloat64)
  assert.equal(values.GoNumber, GoNumber)
  assert.ok(new floats.GoFloat64(1.5) instanceof GoNumber)
  assert.ok(isGoNilMap(values.goNilMap()))
  assert.equal(goJson({ n: new floats.GoFloat64(1e21) }), '{"n":1e+21}')
})
