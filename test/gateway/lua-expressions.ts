// Lua expressions evaluated by the gateway, one endpoint each: /v<i> answers 418 with
// `[tostring(expression)]` (custom_error from a lua-proxy pre, with the open libraries).
import assert from 'node:assert/strict'

/** The endpoints, in front of a backend at `origin` (never called: the pre answers first). */
export const luaValueEndpoints = (values: Array<[string, string]>, origin: string) =>
  values.map(([expression], i) => ({
    endpoint: `/v${i}`,
    extra_config: {
      'modifier/lua-proxy': {
        pre: `custom_error('[' .. tostring(${expression}) .. ']', 418)`,
        allow_open_libs: true,
      },
    },
    backend: [{ host: [origin], url_pattern: '/b' }],
  }))

/** Each expression's endpoint on the gateway at `url` answers its expected value. */
export async function assertLuaValues(url: string, values: Array<[string, string]>): Promise<void> {
  for (const [i, [expression, expected]] of values.entries()) {
    const res = await fetch(`${url}/v${i}`)
    assert.equal(res.status, 418, expression)
    assert.equal(await res.text(), `[${expected}]`, expression)
  }
}
