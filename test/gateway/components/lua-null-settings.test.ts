import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

// krakend-lua reads each setting with a type assertion (`c["live"].(bool)`, `c["post"].(string)`,
// `c["sources"].([]interface{})`) that null fails, keeping the default: KrakenD 2.13.8 ran a router
// script with "live": null and denied X-Deny: yes (403) as without it. null is the setting left
// out here too, as for the other components that read their keys so (fields.ts NULL_IS_UNSET).

const DENY = "local r = ctx.load()\nif r:headers('X-Deny') == 'yes' then custom_error('denied', 403) end"
const PROXY_DENY = "if request.load():headers('X-Deny') == 'yes' then custom_error('denied', 403) end"
const nulls = { live: null, allow_open_libs: null, skip_next: null, sources: null, post: null, md5: null }

describe('modifier/lua-* settings written null run as left out', () => {
  const gateway = gatewayWith(
    (backend) => ({
      version: 3,
      endpoints: [
        {
          endpoint: '/router',
          extra_config: { 'modifier/lua-endpoint': { pre: DENY, ...nulls } },
          backend: [{ host: [backend.origin], url_pattern: '/x' }],
        },
        {
          endpoint: '/proxy',
          input_headers: ['X-Deny'],
          extra_config: { 'modifier/lua-proxy': { pre: PROXY_DENY, ...nulls } },
          backend: [
            {
              host: [backend.origin],
              url_pattern: '/x',
              extra_config: { 'modifier/lua-backend': { pre: null, post: null, live: null } },
            },
          ],
        },
      ],
    }),
    { backends: { api: { '/x': { body: { ok: true } } } } },
  )

  test('the router and proxy scripts still deny, and a backend namespace of nulls runs nothing', async () => {
    for (const path of ['/router', '/proxy']) {
      assert.equal((await send(gateway.url, { path, headers: { 'x-deny': 'yes' } })).status, 403, path)
      assert.equal((await send(gateway.url, { path })).status, 200, path)
    }
  })
})
