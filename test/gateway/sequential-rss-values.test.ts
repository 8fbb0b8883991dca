// A sequential proxy's `{resp0_...}` slots over an RSS backend: lura walks only
// map[string]interface{} values, so krakend-rss's typed fields (author *gofeed.Person, items
// []*gofeed.Item, categories []string, custom map[string]string) stop the walk, and a slot naming
// one prints it with Go's %v (`&{Name Email}`, `[c1 c2]`, and `[]` / `map[]` / `<nil>` for nil
// ones). Each expected path is what KrakenD CE 2.13.8 sent its second backend for this config.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const FEEDS: Record<string, string> = {
  '/feed': `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><description>D</description>
<managingEditor>me@x.org (Me Name)</managingEditor><category>c1</category><category>c2</category>
<item><title>I1</title><link>http://x/1</link></item></channel></rss>`,
  '/bare': '<?xml version="1.0"?><rss version="2.0"><channel><title>B</title></channel></rss>',
  '/atom':
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>' +
    '<author><name>Ann</name></author><category term="k1"/><entry><title>E1</title></entry></feed>',
}

let backend: Server
let gw: Running

before(async () => {
  backend = createServer((req, res) => {
    const feed = FEEDS[req.url ?? '']
    if (feed) res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed)
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: req.url }))
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  const chain = (endpoint: string, feed: string, second: string, more: Record<string, unknown> = {}) => ({
    endpoint,
    extra_config: { proxy: { sequential: true } },
    backend: [
      { host, url_pattern: feed, encoding: 'rss', ...more },
      { host, url_pattern: second, group: 'second' },
    ],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        chain('/feed', '/feed', '/e/{resp0_author.name}/{resp0_author}/{resp0_categories}/{resp0_custom}'),
        chain('/feed-walk', '/feed', '/e/{resp0_items.0.title}/{resp0_categories.0}/{resp0_custom.x}'),
        chain('/bare', '/bare', '/e/{resp0_author}/{resp0_categories}/{resp0_custom}/{resp0_items}'),
        chain('/atom', '/atom', '/e/{resp0_author}/{resp0_categories}/{resp0_author.name}'),
        {
          endpoint: '/third',
          extra_config: { proxy: { sequential: true } },
          backend: [
            { host, url_pattern: '/bare', encoding: 'rss' },
            { host, url_pattern: '/x', group: 'second' },
            { host, url_pattern: '/e/{resp0_categories}/{resp0_custom}/{resp0_title}', group: 'third' },
          ],
        },
        chain('/group', '/bare', '/e/{resp0_g.categories}/{resp0_g.custom}/{resp0_g.author.name}', {
          group: 'g',
        }),
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await new Promise((resolve) => backend?.close(resolve))
})

const secondUrl = async (path: string) =>
  (JSON.parse((await send(gw.url, { path })).text) as { second: { url: string } }).second.url

test("a slot through krakend-rss's typed fields reads where the walk stopped, as lura does", async () => {
  assert.equal(
    await secondUrl('/feed'),
    '/e/%7B%7B.Resp0_author.name%7D%7D/&%7BMe%20Name%20me@x.org%7D/%5Bc1%20c2%5D/map%5B%5D',
  )
  assert.equal(
    await secondUrl('/feed-walk'),
    '/e/T/%7B%7B.Resp0_categories.0%7D%7D/%7B%7B.Resp0_custom.x%7D%7D',
  )
  assert.equal(await secondUrl('/atom'), '/e/&%7BAnn%20%7D/%5Bk1%5D/%7B%7B.Resp0_author.name%7D%7D')
})

test("krakend-rss's nil typed fields print as Go prints them, under a group and after a merge too", async () => {
  assert.equal(await secondUrl('/bare'), '/e/%3Cnil%3E/%5B%5D/map%5B%5D/%5B%5D')
  // read by a third backend, after the second answer was merged into the feed's map
  const third = JSON.parse((await send(gw.url, { path: '/third' })).text) as { third: { url: string } }
  assert.equal(third.third.url, '/e/[]/map[]/B')
  assert.equal(await secondUrl('/group'), '/e/%5B%5D/map%5B%5D/%7B%7B.Resp0_g.author.name%7D%7D')
})
