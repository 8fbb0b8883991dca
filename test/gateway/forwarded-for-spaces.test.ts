import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, sendRaw, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

// gin's ClientIP and krakend-ratelimit's IP key trim each X-Forwarded-For item with Go's
// strings.TrimSpace: on the header's bytes read as UTF-8, so a UTF-8 no-break space, NEL or em
// space is trimmed, and a lone 0xA0 byte (no rune) is not, where JavaScript's trim does the opposite.
let backend: RawBackend
let gateway: Running

before(async () => {
  backend = await startRawBackend()
  gateway = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        { endpoint: '/open', backend: [{ host: [backend.origin], url_pattern: '/open' }] },
        {
          endpoint: '/limited',
          extra_config: {
            'qos/ratelimit/router': {
              client_max_rate: 1,
              every: '1h',
              strategy: 'ip',
              key: 'X-Forwarded-For',
            },
          },
          backend: [{ host: [backend.origin], url_pattern: '/limited' }],
        },
      ],
    }),
  )
})
after(async () => {
  await gateway?.close()
  await backend?.close()
})

/** A request whose X-Forwarded-For value is these bytes. */
const withForwardedFor = (path: string, value: Buffer) =>
  sendRaw(
    gateway.url,
    Buffer.concat([
      Buffer.from(`GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX-Forwarded-For: `),
      value,
      Buffer.from('\r\n\r\n'),
    ]),
  )

describe('X-Forwarded-For items trimmed as Go trims them', () => {
  test("gin's ClientIP: a UTF-8 no-break space or em space is trimmed, a lone 0xA0 byte is not", async () => {
    await withForwardedFor('/open', Buffer.from('10.0.0.7\u00a0', 'utf8'))
    assert.deepEqual(backend.lines('X-Forwarded-For'), ['X-Forwarded-For: 10.0.0.7'])
    await withForwardedFor('/open', Buffer.from('\u200310.0.0.8', 'utf8'))
    assert.deepEqual(backend.lines('X-Forwarded-For'), ['X-Forwarded-For: 10.0.0.8'])
    await withForwardedFor('/open', Buffer.from('10.0.0.9\u00a0', 'latin1'))
    assert.deepEqual(backend.lines('X-Forwarded-For'), ['X-Forwarded-For: 127.0.0.1'])
  })

  test('a client rate limit keyed on the header: 10.0.0.9 and "10.0.0.9<NBSP>" are one client', async () => {
    assert.equal((await withForwardedFor('/limited', Buffer.from('10.0.0.9\u00a0', 'utf8'))).status, 200)
    assert.equal((await withForwardedFor('/limited', Buffer.from('10.0.0.9', 'latin1'))).status, 429)
  })
})
