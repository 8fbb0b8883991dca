// Lua expressions evaluated by the gateway, one endpoint each: /v<i> answers 418 with
// `[tostring(expression)]` (custom_error from a lua-proxy pre, with the open libraries).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'
import { mustConfig, type Running, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

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

/** What a suite adds beside the value table: endpoints on the same gateway, tests on it. */
export interface LuaSuiteExtras {
  endpoints?: (origin: string) => unknown[]
  tests?: (suite: { gateway: () => Running; raw: () => RawBackend }) => void
}

/** A suite of its own: a gateway over `values` and one test that each expression answers its value. */
export function describeLuaValues(
  suite: string,
  testName: string,
  values: Array<[string, string]>,
  extras: LuaSuiteExtras = {},
): void {
  describe(suite, () => {
    let raw: RawBackend
    let gateway: Running
    before(async () => {
      raw = await startRawBackend()
      gateway = await startGateway(
        mustConfig({
          version: 3,
          extra_config: { router: { return_error_msg: true } },
          endpoints: [...luaValueEndpoints(values, raw.origin), ...(extras.endpoints?.(raw.origin) ?? [])],
        }),
      )
    })
    after(async () => {
      await gateway?.close()
      await raw?.close()
    })

    test(testName, async () => {
      await assertLuaValues(gateway.url, values)
    })
    extras.tests?.({ gateway: () => gateway, raw: () => raw })
  })
}

/**
 * A suite of its own: each expression is written by a lua-proxy pre into the backend request's
 * `X-F` header (`/f<i>`), and the backend must receive the value Go's fmt writes.
 */
export function describeLuaHeaderValues(suite: string, values: Array<[string, string]>): void {
  describe(suite, () => {
    const gateway = rawGatewayWith((raw) => ({
      version: 3,
      endpoints: values.map(([expression], i) => ({
        endpoint: `/f${i}`,
        extra_config: {
          'modifier/lua-proxy': {
            pre: `local r = request.load()\nr:headers('X-F', ${expression})`,
            allow_open_libs: true,
          },
        },
        backend: [{ host: [raw.origin], url_pattern: '/b' }],
      })),
    }))

    test('the backend is called with the value Go writes', async () => {
      for (const [i, [expression, expected]] of values.entries()) {
        const res = await fetch(`${gateway.url}/f${i}`)
        assert.equal(res.status, 200, expression)
        await res.arrayBuffer()
        assert.deepEqual(gateway.raw.lines('x-f'), [`X-F: ${expected}`], expression)
      }
    })
  })
}
