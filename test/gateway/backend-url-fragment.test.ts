// lura builds the backend URL with url.Parse(host + path): a `#` in the url_pattern starts a
// fragment, never sent, which Go's errors name (url.Error and lura's invalid-status error write
// URL.String, the fragment escaped). Checked against KrakenD CE 2.13.8 (krakend-diff url-fragments).
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { freePort, mustConfig, type Running, send, startGateway } from './helpers.ts'

let notFound: Server
let gw: Running
let closedPort: number
const seen: string[] = []

before(async () => {
  notFound = createServer((req, res) => {
    seen.push(req.url ?? '')
    res.writeHead(404).end()
  })
  notFound.listen(0, '127.0.0.1')
  await once(notFound, 'listening')
  closedPort = await freePort()
  const origin = `http://127.0.0.1:${(notFound.address() as AddressInfo).port}`
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        {
          endpoint: '/closed',
          backend: [{ host: [`http://127.0.0.1:${closedPort}`], url_pattern: '/e#a b' }],
        },
        { endpoint: '/status', backend: [{ host: [origin], url_pattern: '/e?q=1#ä#b' }] },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  notFound?.close()
})

test("a failed dial's error names the URL with its fragment", async () => {
  const res = await send(gw.url, { path: '/closed' })
  assert.equal(res.status, 500)
  assert.equal(
    res.text,
    `Get "http://127.0.0.1:${closedPort}/e#a%20b": dial tcp 127.0.0.1:${closedPort}: connect: connection refused`,
  )
})

test('an invalid status names the URL with its fragment; the fragment is not sent', async () => {
  const res = await send(gw.url, { path: '/status' })
  assert.equal(res.status, 500)
  const port = (notFound.address() as AddressInfo).port
  assert.equal(
    res.text,
    `invalid status code 404 [GET /e?q=1#ä#b]: http://127.0.0.1:${port}/e?q=1#%C3%A4%23b`,
  )
  assert.deepEqual(seen, ['/e?q=1'])
})
