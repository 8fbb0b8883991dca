// The request target a backend gets, as lura builds it with Go's url.Parse: characters Go
// re-escapes in a path (a backslash some backends read as "/") and the placeholder lura leaves
// for a sequential value the earlier answer lacks.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  mustConfig,
  type Running,
  rawRequest,
  send,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from './helpers.ts'

let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('api', { '/first': { body: { id: 7 } } })
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'targets',
      endpoints: [
        { endpoint: '/u/{id}', backend: [{ host, url_pattern: '/echo/users/{id}' }] },
        {
          endpoint: '/chain',
          extra_config: { proxy: { sequential: true } },
          backend: [
            { host, url_pattern: '/first', group: 'first' },
            { host, url_pattern: '/echo/accounts/{resp0_account}', group: 'second' },
          ],
        },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

test('a backslash in a parameter reaches the backend escaped, as Go writes the path', async () => {
  const res = await sendRaw(gw.url, rawRequest(['GET /u/..\\admin HTTP/1.1', 'Host: a']))
  assert.equal(res.status, 200)
  assert.equal(backend.seen.at(-1)?.url, '/echo/users/..%5Cadmin')
})

test("a sequential value the earlier answer lacks stays lura's placeholder instead of an empty segment", async () => {
  const res = await send(gw.url, { path: '/chain' })
  assert.equal(res.status, 200, res.text)
  assert.equal(backend.seen.at(-1)?.url, '/echo/accounts/%7B%7B.Resp0_account%7D%7D')
})
