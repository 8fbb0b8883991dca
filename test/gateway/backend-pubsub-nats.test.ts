// backend/pubsub/publisher and subscriber on NATS (gocloud's natspubsub) against a real NATS:
// what reaches the subject (gocloud's gob envelope, or NATS headers with ?natsv2) and what the
// client gets, as KrakenD 2.13.8 does on the same config (compared on the same server: see the
// commit message). The gob bytes below are KrakenD's, captured from its publisher.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { connect, type Msg, type NatsConnection, headers as natsHeaders } from 'nats'
import { closeNatsConnections } from '../../src/gateway/lazy/pubsub-nats.ts'
import { type BrokerInfo, requireNats } from '../helpers/services.ts'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const tag = randomBytes(4).toString('hex')
const subject = (name: string) => `gw-pubsub-${tag}-${name}`

/** KrakenD's publisher message for a POST of {"a":1} (its map order): type, metadata, body. */
const KRAKEND_GOB = Buffer.from(
  '0d7f040102ff8000010c010c00007fff8000040c436f6e74656e742d54797065106170706c69636174696f6e2f6a736f6e0f582d466f727761726465642d466f72093132372e302e302e3110582d466f727761726465642d486f73740f6c6f63616c686f73743a32383030310a557365722d4167656e74164b72616b656e442056657273696f6e20322e31332e380a0a00077b2261223a317d',
  'hex',
)
const GOB_MAP_TYPE = '0d7f040102ff8000010c010c0000'

let nats: BrokerInfo
let nc: NatsConnection
let gw: Running

/** The next message on a subject (subscribed before the gateway sends). */
function nextOn(name: string): Promise<Msg> {
  const sub = nc.subscribe(subject(name), { max: 1 })
  return (async () => {
    for await (const m of sub) return m
    throw new Error('no message')
  })()
}

/** The metadata and body of a gob envelope, read the way Go's gob writes map[string]string and []byte. */
function readGob(bytes: Uint8Array): { metadata: Record<string, string>; body: string } {
  const hex = Buffer.from(bytes).toString('hex')
  assert.ok(hex.startsWith(GOB_MAP_TYPE), hex)
  let at = GOB_MAP_TYPE.length / 2
  const uint = () => {
    const b = bytes[at++] as number
    if (b < 128) return b
    let n = 0
    for (let i = 0; i < 256 - b; i += 1) n = n * 256 + (bytes[at++] as number)
    return n
  }
  const text = () => {
    const n = uint()
    at += n
    return Buffer.from(bytes.subarray(at - n, at)).toString('utf8')
  }
  uint() // message length
  assert.equal(uint(), 128, 'the map type id 64')
  assert.equal(uint(), 0)
  const metadata: Record<string, string> = {}
  for (let n = uint(); n > 0; n -= 1) metadata[text()] = text()
  uint()
  assert.equal(uint(), 10, '[]byte')
  assert.equal(uint(), 0)
  return { metadata, body: text() }
}

before(async () => {
  nats = await requireNats()
  nc = await connect({ servers: new URL(nats.url).host })
  process.env.NATS_SERVER_URL = nats.url
  const nat = (role: 'publisher' | 'subscriber', url: string, more: Record<string, unknown> = {}) => ({
    host: ['nats://'],
    disable_host_sanitize: true,
    url_pattern: '/ignored',
    ...more,
    extra_config: {
      [`backend/pubsub/${role}`]: role === 'publisher' ? { topic_url: url } : { subscription_url: url },
    },
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '800ms',
      endpoints: [
        { endpoint: '/pub', method: 'POST', backend: [nat('publisher', subject('gob'))] },
        {
          endpoint: '/pubv2',
          method: 'POST',
          input_headers: ['x-Foo', 'Content-Type'],
          backend: [nat('publisher', `${subject('v2')}?natsv2`)],
        },
        { endpoint: '/sub', backend: [nat('subscriber', subject('in'), { group: 'g', deny: ['x'] })] },
        { endpoint: '/quiet', backend: [nat('subscriber', subject('quiet'))] },
        {
          endpoint: '/raw',
          backend: [nat('subscriber', `${subject('raw')}?natsv2`, { encoding: 'string' })],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await closeNatsConnections()
  await nc?.close()
})

test('the publisher sends gocloud gob envelope of lura headers and the body; the client gets null', async () => {
  const received = nextOn('gob')
  const res = await send(gw.url, {
    method: 'POST',
    path: '/pub',
    headers: { 'content-type': 'application/json', 'x-foo': 'not forwarded' },
    body: '{"a":1}',
  })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.text, 'null')
  assert.equal(res.headers['x-krakend-completed'], 'false')
  const { metadata, body } = readGob((await received).data)
  assert.equal(body, '{"a":1}')
  const host = new URL(gw.url).host
  assert.deepEqual(metadata, {
    'Content-Type': 'application/json',
    'X-Forwarded-For': '127.0.0.1',
    'X-Forwarded-Host': host,
    'User-Agent': 'KrakenD Version 2.13.8',
  })
})

test('?natsv2 sends the body as it is, the metadata as query-escaped NATS headers under lura names', async () => {
  const received = nextOn('v2')
  const res = await send(gw.url, {
    method: 'POST',
    path: '/pubv2',
    // é as the UTF-8 bytes a client sends (one character per byte for undici)
    headers: {
      'x-foo': `b r%/${Buffer.from('é').toString('latin1')}`,
      'content-type': 'text/plain;charset=UTF-8',
    },
    body: 'hello',
  })
  assert.equal(res.status, 200, res.text)
  const msg = await received
  assert.equal(Buffer.from(msg.data).toString(), 'hello')
  const seen = Object.fromEntries([...(msg.headers ?? [])].map(([k, v]) => [k, v]))
  assert.deepEqual(seen, {
    // lura canonicalizes input_headers
    'X-Foo': ['b+r%25%2F%C3%A9'],
    'Content-Type': ['text%2Fplain%3Bcharset%3DUTF-8'],
    'X-Forwarded-For': ['127.0.0.1'],
    'X-Forwarded-Host': [encodeURIComponent(new URL(gw.url).host)],
    'User-Agent': ['KrakenD+Version+2.13.8'],
  })
})

test('the subscriber answers a message published before the first request, decoded and formatted', async () => {
  nc.publish(subject('in'), KRAKEND_GOB)
  nc.publish(subject('in'), Buffer.from('{"b":2,"x":3}'))
  await nc.flush()
  const first = await send(gw.url, { path: '/sub' })
  assert.equal(first.status, 200, first.text)
  assert.equal(first.text, '{"g":{"a":1}}')
  assert.equal(first.headers['x-krakend-completed'], 'true')
  const second = await send(gw.url, { path: '/sub' })
  assert.equal(second.text, '{"g":{"b":2}}')
})

test('a message the encoding cannot decode fails that request; the next message answers the next', async () => {
  nc.publish(subject('in'), Buffer.from('not json'))
  nc.publish(subject('in'), Buffer.from('{"c":3}'))
  await nc.flush()
  assert.equal((await send(gw.url, { path: '/sub' })).status, 500)
  assert.equal((await send(gw.url, { path: '/sub' })).text, '{"g":{"c":3}}')
})

test('with nothing published the subscriber waits for the endpoint timeout: 500', async () => {
  const res = await send(gw.url, { path: '/quiet' })
  assert.equal(res.status, 500)
  assert.equal(res.text, '')
  // the timed-out request took no message: the next one gets the next published
  nc.publish(subject('quiet'), Buffer.from('{"late":true}'))
  await nc.flush()
  assert.equal((await send(gw.url, { path: '/quiet' })).text, '{"late":true}')
})

test('?natsv2 subscriptions take the data as the body (headers are metadata)', async () => {
  const h = natsHeaders()
  h.set('a%20b', 'c')
  nc.publish(subject('raw'), Buffer.from('plain text'), { headers: h })
  await nc.flush()
  const res = await send(gw.url, { path: '/raw' })
  assert.equal(res.text, '{"content":"plain text"}')
})
