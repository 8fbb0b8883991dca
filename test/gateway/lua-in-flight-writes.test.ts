// KrakenD runs each Lua call (pre, backend, post) in its own gopher-lua state, so a write into a
// library by one request is not seen by another one already under way. Here the calls share one
// state, which was replaced only before the next request: a call whose backend was still answering
// saw, in its post script, another request's `string.format = nil` ("fmt":"false"; KrakenD "true").
// Answers checked on KrakenD CE.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { gatewayWith } from './gateway-fixture.ts'

describe('Lua writes of a call in flight', () => {
  const gateway = gatewayWith(
    (backend) => ({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        {
          endpoint: '/x/{mode}',
          input_headers: ['X-Poison'],
          extra_config: {
            'modifier/lua-proxy': {
              pre: "if request.load():headers('X-Poison') == '1' then string.format = nil end",
              allow_open_libs: true,
              post: "response.load():data():set('fmt', tostring(string.format ~= nil))",
            },
          },
          backend: [{ host: [backend.origin], url_pattern: '/b/{mode}' }],
        },
      ],
    }),
    { backends: { api: { '/b/slow': { body: {}, delay_ms: 1500 }, '/b/fast': { body: {} } } } },
  )

  test("another request's write into a library is not seen by a call under way", async () => {
    const slow = fetch(`${gateway.url}/x/slow`)
    slow.catch(() => undefined)
    for (let i = 0; i < 100 && !gateway.backend.seen.some((r) => r.url === '/b/slow'); i++) await sleep(10)
    assert.ok(
      gateway.backend.seen.some((r) => r.url === '/b/slow'),
      'the slow call reached its backend',
    )
    const poisoned = await fetch(`${gateway.url}/x/fast`, { headers: { 'X-Poison': '1' } })
    assert.equal(poisoned.status, 200, await poisoned.clone().text())
    assert.deepEqual(await poisoned.json(), { fmt: 'false' }, 'the writing call sees its own write')
    const answer = await slow
    assert.equal(answer.status, 200)
    assert.deepEqual(await answer.json(), { fmt: 'true' }, 'the call under way does not')
    const later = await fetch(`${gateway.url}/x/fast`)
    assert.deepEqual(await later.json(), { fmt: 'true' }, 'nor a later call')
  })
})
