// gopher-lua's plain string.find slices the subject from its start without a bound check: a start
// past the end is a Go runtime panic. Under pcall the script gets its text ('runtime error: slice
// bounds out of range [9:0]'); unprotected it escapes krakend-lua and gin's recovery answers a bare
// 500 (no body, even with return_error_msg), the backend never called. fengari answered nil and
// the request went on to the backend. Found by the luagen differential (seed 16, program 121: a
// guard KrakenD failed on); answers compared with KrakenD 2.13.8.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { luaPreGatewayWith } from './gateway-fixture.ts'

describe('a Go panic in gopher-lua', () => {
  const gateway = luaPreGatewayWith([
    ['/guard', 'if string.find("", "x", 10, true) then custom_error("found", 403) end'],
    ['/caught', 'local ok, e = pcall(string.find, "abc", "x", 5, true) custom_error(tostring(e), 418)'],
    ['/within', 'custom_error(tostring(string.find("abc", "c", 3, true)), 418)'],
  ])

  test('unprotected: a bare 500, the backend not called', async () => {
    const res = await fetch(`${gateway.url}/guard`)
    assert.equal(res.status, 500)
    assert.equal(await res.text(), '')
    assert.equal(res.headers.get('content-type'), null)
    assert.equal(gateway.raw.requests.length, 0)
  })

  test("under pcall: Go's runtime error text, no place; a start within the subject finds", async () => {
    const caught = await fetch(`${gateway.url}/caught`)
    assert.equal(caught.status, 418)
    assert.equal(await caught.text(), 'runtime error: slice bounds out of range [4:3]')
    const within = await fetch(`${gateway.url}/within`)
    assert.equal(await within.text(), '3')
  })
})
