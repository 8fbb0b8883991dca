// lura's parallel merge combines each backend's answer as it arrives (incrementalMergeAccumulator):
// on a key two backends share, the answer that arrived last wins, whatever the backend order.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

let backend: Server
let gw: Running

before(async () => {
  // /late answers only once /early's answer is out, and some time after (so the gateway has read
  // /early's first): the arrival order is /early then /late.
  let earlySent: () => void = () => {}
  let early = new Promise<void>((resolve) => (earlySent = resolve))
  backend = createServer((req, res) => {
    const answer = (body: object) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    if (req.url === '/early') {
      res.once('finish', () => setTimeout(earlySent, 150))
      return answer({ k: 'early', e: 1, o: { x: 1 } })
    }
    void early.then(() => {
      early = new Promise<void>((resolve) => (earlySent = resolve))
      answer({ k: 'late', l: 1, o: { y: 2 } })
    })
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'merge-order',
      endpoints: [
        {
          endpoint: '/late-first',
          backend: [
            { host, url_pattern: '/late' },
            { host, url_pattern: '/early' },
          ],
        },
        {
          endpoint: '/grouped',
          backend: [
            { host, url_pattern: '/late', group: 'g' },
            { host, url_pattern: '/early', group: 'g' },
          ],
        },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await new Promise((resolve) => backend?.close(resolve))
})

test('a key two backends share takes the value of the answer that arrived last, not of the last backend', async () => {
  const merged = await send(gw.url, { path: '/late-first' })
  assert.equal(merged.status, 200)
  assert.equal(merged.text, '{"e":1,"k":"late","l":1,"o":{"y":2}}')
  const grouped = await send(gw.url, { path: '/grouped' })
  assert.equal(grouped.text, '{"g":{"k":"late","l":1,"o":{"y":2}}}')
})
