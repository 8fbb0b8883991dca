// modifier/martian checked against google/martian (the commit KrakenD CE 2.13.8 builds) and
// krakend-martian v2.3.0: what the backend receives, and which configs are refused.
import assert from 'node:assert/strict'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, startBackend, startGateway, type TestBackend } from '../helpers.ts'
import { MARTIAN_AT, martianErrors } from './martian-config.ts'

let backend: TestBackend
let gw: Running
/** Answers with the request's raw header lines (Node's parsed headers drop a repeated User-Agent). */
let raw: Server

const martian = (...modifiers: unknown[]) => ({
  'modifier/martian': { 'fifo.Group': { scope: ['request'], modifiers } },
})

before(async () => {
  backend = await startBackend('api')
  const host = [backend.origin]
  raw = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ raw: req.rawHeaders }))
  })
  raw.listen(0, '127.0.0.1')
  await new Promise((resolve) => raw.once('listening', resolve))
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'martian-audit',
      endpoints: [
        {
          endpoint: '/copy',
          input_headers: ['X-Trace'],
          backend: [
            {
              host,
              url_pattern: '/echo/copy',
              extra_config: martian({ 'header.Copy': { scope: ['request'], from: 'X-Trace', to: 'X-Id' } }),
            },
          ],
        },
        {
          endpoint: '/query',
          backend: [
            {
              host,
              url_pattern: '/echo/query?a=1;b=2&c=%zz&d=4',
              extra_config: martian({
                'querystring.Modifier': { scope: ['request'], name: 'e', value: '5' },
              }),
            },
          ],
        },
        {
          endpoint: '/ua',
          backend: [
            {
              host,
              url_pattern: '/echo/ua',
              extra_config: martian({ 'header.Blacklist': { scope: ['request'], names: ['user-agent'] } }),
            },
          ],
        },
        {
          endpoint: '/ua-append',
          backend: [
            {
              host: [`http://127.0.0.1:${(raw.address() as AddressInfo).port}`],
              url_pattern: '/raw',
              extra_config: martian({
                'header.Append': { scope: ['request'], name: 'User-Agent', value: 'extra' },
              }),
            },
          ],
        },
        {
          endpoint: '/host',
          backend: [
            {
              host,
              url_pattern: '/echo/host',
              extra_config: martian({
                'header.Modifier': { scope: ['request'], name: 'host', value: 'api.internal' },
              }),
            },
          ],
        },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
  raw?.close()
})

/** A GET whose headers may repeat (one line per value). */
function get(path: string, headers: Record<string, string | string[]> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${gw.url}${path}`, { headers, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        text += c
      })
      res.on('end', () => resolve(text))
    })
    req.on('error', reject)
    req.end()
  })
}

const echoed = async (path: string, headers?: Record<string, string | string[]>) =>
  JSON.parse(await get(path, headers)) as { url: string; headers: Record<string, string | undefined> }

const inGroup = (modifier: unknown) => ({ 'fifo.Group': { scope: ['request'], modifiers: [modifier] } })

describe('modifier/martian audit: what the backend receives', () => {
  test('header.Copy copies the first value only (Header.Get), not every line', async () => {
    const body = await echoed('/copy', { 'x-trace': ['t1', 't2'] })
    assert.equal(body.headers['x-id'], 't1')
    assert.equal(body.headers['x-trace'], 't1, t2')
  })

  test("querystring.Modifier re-reads the query as url.ParseQuery does: pieces with ';' or a bad escape are dropped", async () => {
    const body = await echoed('/query')
    assert.equal(body.url, '/echo/query?d=4&e=5')
  })

  test("a blacklisted User-Agent is replaced by Go's transport default", async () => {
    const body = await echoed('/ua')
    assert.equal(body.headers['user-agent'], 'Go-http-client/1.1')
  })

  test('an appended User-Agent is not sent: Go writes only the first value', async () => {
    const lines = (JSON.parse(await get('/ua-append')) as { raw: string[] }).raw
    const agents = lines.filter((_, i) => i % 2 === 1 && lines[i - 1]?.toLowerCase() === 'user-agent')
    assert.deepEqual(agents, ['KrakenD Version 2.13.8'])
  })

  test('header.Modifier on Host sets the Host the backend sees (req.Host)', async () => {
    const body = await echoed('/host')
    assert.equal(body.headers.host, 'api.internal')
  })
})

describe('modifier/martian audit: configs KrakenD would not apply as written are refused', () => {
  test('a fifo.Group field of the wrong type (KrakenD drops the whole martian config)', () => {
    const errors = martianErrors({
      'fifo.Group': { scope: ['request'], aggregateErrors: 'yes', modifiers: [] },
    })
    assert.equal(errors[0]?.location?.path, `${MARTIAN_AT}.fifo.Group.aggregateErrors`)
  })

  test('a field spelled in another case is read as Go matches it, not refused', () => {
    const errors = martianErrors({
      'fifo.Group': {
        Scope: ['response'],
        modifiers: [{ 'header.Modifier': { scope: ['request'], name: 'X-A', value: 'b' } }],
      },
    })
    assert.deepEqual(errors, [])
  })

  test('header.Append on Host fails every request in KrakenD', () => {
    const errors = martianErrors(
      inGroup({ 'header.Append': { scope: ['request'], name: 'Host', value: 'x' } }),
    )
    assert.equal(errors[0]?.location?.path, `${MARTIAN_AT}.fifo.Group.modifiers[0].header.Append.name`)
  })

  test('connection-level and framing headers are refused', () => {
    for (const name of [
      'Connection',
      'Transfer-Encoding',
      'Content-Length',
      'Upgrade',
      'Expect',
      'Keep-Alive',
      'Trailer',
    ])
      assert.equal(
        martianErrors(inGroup({ 'header.Modifier': { scope: ['request'], name, value: '1' } }))[0]?.location
          ?.path,
        `${MARTIAN_AT}.fifo.Group.modifiers[0].header.Modifier.name`,
        name,
      )
    const copy = martianErrors(
      inGroup({ 'header.Copy': { scope: ['request'], from: 'X-A', to: 'Connection' } }),
    )
    assert.equal(copy[0]?.location?.path, `${MARTIAN_AT}.fifo.Group.modifiers[0].header.Copy.to`)
    const removed = martianErrors(
      inGroup({ 'header.Blacklist': { scope: ['request'], names: ['X-A', 'Content-Length'] } }),
    )
    assert.equal(
      removed[0]?.location?.path,
      `${MARTIAN_AT}.fifo.Group.modifiers[0].header.Blacklist.names[1]`,
    )
  })

  test('header.Copy from Host (Go reads the backend host) is refused', () => {
    const errors = martianErrors(
      inGroup({ 'header.Copy': { scope: ['request'], from: 'host', to: 'X-Host' } }),
    )
    assert.equal(errors[0]?.location?.path, `${MARTIAN_AT}.fifo.Group.modifiers[0].header.Copy.from`)
  })

  test('a header name or value Go refuses to send is refused', () => {
    const name = martianErrors(
      inGroup({ 'header.Modifier': { scope: ['request'], name: 'X Bad', value: '1' } }),
    )
    assert.equal(name[0]?.location?.path, `${MARTIAN_AT}.fifo.Group.modifiers[0].header.Modifier.name`)
    for (const value of ['a\r\nX-B: 1', 'caf\u00e9'])
      assert.equal(
        martianErrors(inGroup({ 'header.Modifier': { scope: ['request'], name: 'X-A', value } }))[0]?.location
          ?.path,
        `${MARTIAN_AT}.fifo.Group.modifiers[0].header.Modifier.value`,
        value,
      )
  })

  test('static.Modifier and the verifiers that panic in KrakenD CE are refused, nested too', () => {
    for (const type of ['static.Modifier', 'querystring.Verifier', 'url.Verifier', 'status.Verifier']) {
      const errors = martianErrors(inGroup({ [type]: { scope: ['request'] } }))
      assert.equal(errors[0]?.location?.path, `${MARTIAN_AT}.fifo.Group.modifiers[0].${type}`, type)
    }
  })
})
