// string.gsub's replacement as gopher-lua takes it: `%` before anything but a digit or `%` is
// written as is (`%x` -> `%x`), so is a trailing `%`; `%%` is `%` and `%0`..`%9` a capture. Lua 5.3
// fails the call on the first two ("invalid use of '%' in replacement string"), so a script KrakenD
// serves answered 500. A number replacement is refused by gopher-lua (its CheckTypes is exact) where
// 5.3 wrote it as a string. Values from KrakenD CE.
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, startGateway } from './helpers.ts'
import { assertLuaValues, luaValueEndpoints } from './lua-expressions.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

const values: Array<[string, string]> = [
  ["(string.gsub('hello', 'l', '%x'))", 'he%x%xo'],
  ["(string.gsub('hello', 'l', 'a%'))", 'hea%a%o'],
  ["(string.gsub('hello', 'l', '%'))", 'he%%o'],
  ["(string.gsub('hello', 'l', '%%%'))", 'he%%%%o'],
  ["(string.gsub('hello', 'l', '%%%x'))", 'he%%x%%xo'],
  ["(string.gsub('hello', 'l', '%x%'))", 'he%x%%x%o'],
  ["(string.gsub('hello', 'l', '%%'))", 'he%%o'],
  ["(string.gsub('hello', '(l)', '[%1%0]'))", 'he[ll][ll]o'],
  ["(string.gsub('a b', '%s', '%.'))", 'a%.b'],
  ["(string.gsub('hello', 'z', '%x'))", 'hello'],
  ["pcall(string.gsub, 'hello', 'l', 5)", 'false'],
]

describe("gopher-lua's gsub replacement", () => {
  let raw: RawBackend
  let gateway: Running
  before(async () => {
    raw = await startRawBackend()
    gateway = await startGateway(
      mustConfig({
        version: 3,
        extra_config: { router: { return_error_msg: true } },
        endpoints: luaValueEndpoints(values, raw.origin),
      }),
    )
  })
  after(async () => {
    await gateway?.close()
    await raw?.close()
  })

  test('each replacement gives what gopher-lua gives', async () => {
    await assertLuaValues(gateway.url, values)
  })
})
