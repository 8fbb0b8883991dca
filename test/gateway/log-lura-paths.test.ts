// KrakenD's log lines name an endpoint and a backend as lura keeps them after its config's init:
// the endpoint's `{param}` segments as gin's `:param` (`[ENDPOINT: /par/:p]`), a backend's url_pattern
// as its template (`[BACKEND: /nowhere/{{.P}}]`), as KrakenD CE 2.13.8 logs them (checked with a
// failing backend under a circuit breaker and a failing Lua script). An operator's log alerts written
// for KrakenD must match here too.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { luraEndpointPath } from '../../src/gateway/go-http.ts'
import {
  linesLogger,
  mustConfig,
  type Running,
  send,
  startBackend,
  startGateway,
  type TestBackend,
} from './helpers.ts'

const lines: string[] = []
let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('b', {})
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'log-paths',
      endpoints: [
        {
          endpoint: '/par/{p}',
          backend: [
            {
              host: [backend.origin],
              url_pattern: '/nowhere/{p}',
              extra_config: {
                'qos/circuit-breaker': { interval: 60, timeout: 60, max_errors: 1, log_status_change: true },
              },
            },
          ],
        },
        {
          endpoint: '/lua/{id}',
          backend: [
            {
              host: [backend.origin],
              url_pattern: '/l/{id}',
              extra_config: { 'modifier/lua-backend': { pre: "error('boom')" } },
            },
          ],
        },
      ],
    }),
    { logger: linesLogger(lines, 'DEBUG') },
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

test('error, breaker and Lua lines name /par/:p, /nowhere/{{.P}} and /lua/:id', async () => {
  for (let i = 0; i < 2; i += 1) assert.equal((await send(gw.url, { path: '/par/v' })).status, 500)
  assert.equal((await send(gw.url, { path: '/lua/7' })).status, 500)
  gw.gateway.logger.flush()
  const all = lines.join('')
  assert.match(all, /ERROR +\[ENDPOINT: \/par\/:p\] invalid status code 404 \[GET \/nowhere\/\{\{\.P\}\}\]/)
  assert.match(
    all,
    /WARNING \[BACKEND: \/nowhere\/\{\{\.P\}\}\]\[CB\] Circuit breaker named '' went from 'closed' to 'open'/,
  )
  assert.match(all, /ERROR +\[ENDPOINT: \/lua\/:id\] boom \(pre-script:L1\)/)
  assert.doesNotMatch(all, /\[ENDPOINT: [^\]]*\{|\[BACKEND: \/nowhere\/\{p\}\]/)
})

test("lura's endpoint form: one leading slash, REST-strict {names} before the first ? only", () => {
  assert.equal(luraEndpointPath('/a/{id}/b/{x_y-2}'), '/a/:id/b/:x_y-2')
  assert.equal(luraEndpointPath('a/{id}'), '/a/:id')
  assert.equal(luraEndpointPath('/par/{p}/x?q={p}'), '/par/:p/x?q={p}')
  assert.equal(luraEndpointPath('/two/{a.b}/{c-d}'), '/two/{a.b}/:c-d')
  assert.equal(luraEndpointPath('/static'), '/static')
})
