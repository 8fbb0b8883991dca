// lura's allow, deny, target and flatmap walk only Go's map[string]interface{} and []interface{}:
// the error struct of return_error_details, and the fields krakend-rss fills with other Go types
// (author *gofeed.Person, items []*gofeed.Item, categories []string), are taken whole. Found by the
// manipgen differential suite; each expected body is what KrakenD CE 2.13.8 answered for this
// config (a flatmap `del error_e.http_body` left the error as it was, its fields in struct order).
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><description>D</description>
<managingEditor>me@x.org (Me Name)</managingEditor><category>c1</category><category>c2</category>
<item><title>I1</title><link>http://x/1</link></item></channel></rss>`

let backend: Server
let gw: Running

before(async () => {
  backend = createServer((req, res) => {
    if (req.url === '/fail') res.writeHead(400, { 'content-type': 'text/plain' }).end('{"x":1}')
    else if (req.url === '/feed') res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(FEED)
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":{"b":1},"list":[1]}')
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  const flatmap = (ops: Array<[string, ...string[]]>) => ({
    proxy: { flatmap_filter: ops.map(([type, ...args]) => ({ type, args })) },
  })
  const feed = (more: Record<string, unknown>) => ({ host, url_pattern: '/feed', encoding: 'rss', ...more })
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/error',
          extra_config: flatmap([
            ['del', 'error_e.http_body'],
            ['move', 'error_e.http_status_code', 'code'],
            ['move', '*.b', '*.c'],
          ]),
          backend: [
            { host, url_pattern: '/fail', extra_config: { 'backend/http': { return_error_details: 'e' } } },
            { host, url_pattern: '/ok' },
          ],
        },
        { endpoint: '/deny', backend: [feed({ deny: ['author.name', 'items.0.title'] })] },
        { endpoint: '/allow', backend: [feed({ allow: ['author.name', 'title'] })] },
        { endpoint: '/target', backend: [feed({ target: 'author' })] },
        {
          endpoint: '/flatmap',
          backend: [feed({ extra_config: flatmap([['del', 'categories.0', 'items.0', 'author.email']]) })],
        },
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  await new Promise((resolve) => backend.close(resolve))
})

const WHOLE_FEED =
  '{"author":{"name":"Me Name","email":"me@x.org"},"categories":["c1","c2"],"copyright":"","custom":null,' +
  '"description":"D","items":[{"title":"I1","link":"http://x/1","links":["http://x/1"]}],"language":"",' +
  '"published":"","title":"T","type":"rss","updated":""}'

test('a flatmap over a merge leaves the return_error_details struct whole, in field order', async () => {
  const answer = await send(gw.url, { path: '/error' })
  assert.equal(
    answer.text,
    '{"a":{"c":1},"error_e":{"http_status_code":400,"http_body":"{\\"x\\":1}","http_body_encoding":"text/plain"},"list":[1]}',
  )
})

test("deny, allow, target and flatmap do not walk an RSS feed's typed fields", async () => {
  assert.equal((await send(gw.url, { path: '/deny' })).text, WHOLE_FEED)
  assert.equal((await send(gw.url, { path: '/allow' })).text, '{"title":"T"}')
  assert.equal((await send(gw.url, { path: '/target' })).text, '{}')
  assert.equal((await send(gw.url, { path: '/flatmap' })).text, WHOLE_FEED)
})
