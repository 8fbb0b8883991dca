import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { sendRaw } from '../helpers.ts'

// rs/cors lowers the allowed origins and the request's Origin with Go's strings.ToLower: the
// header's bytes read as UTF-8, unicode.ToLower per rune (a KELVIN SIGN lowers to `k`, U+0130 to `i`).
const gateway = gatewayWith((backend) => ({
  version: 3,
  extra_config: {
    'security/cors': {
      allow_origins: [
        'https://kube.example',
        'https://\u00e0b.example',
        'https://\u0130x.example',
        'https://\ufffd.example',
        'https://\u019b.example',
      ],
    },
  },
  endpoints: [{ endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
}))

/** The Access-Control-Allow-Origin a preflight from this Origin (UTF-8) gets, undefined for none. */
async function allowedOrigin(origin: string | Buffer): Promise<string | undefined> {
  const res = await sendRaw(
    gateway.url,
    Buffer.concat([
      Buffer.from(
        'OPTIONS /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\nAccess-Control-Request-Method: GET\r\nOrigin: ',
      ),
      Buffer.isBuffer(origin) ? origin : Buffer.from(origin, 'utf8'),
      Buffer.from('\r\n\r\n'),
    ]),
  )
  const line = /\r\nAccess-Control-Allow-Origin: ([^\r]*)/.exec(res.head)?.[1]
  return line === undefined ? undefined : Buffer.from(line, 'latin1').toString('utf8')
}

describe('security/cors: origins lowered as Go lowers them', () => {
  test('a KELVIN SIGN, an upper-case À and İ match their lower-case allowed origins (İx lowers to ix); the echo is the Origin sent', async () => {
    assert.equal(await allowedOrigin('https://\u212Aube.example'), 'https://\u212Aube.example')
    assert.equal(await allowedOrigin('https://\u00c0B.example'), 'https://\u00c0B.example')
    assert.equal(await allowedOrigin('https://\u0130X.example'), 'https://\u0130X.example')
    assert.equal(await allowedOrigin('https://ix.example'), 'https://ix.example')
    assert.equal(await allowedOrigin('https://\u00e0c.example'), undefined)
  })

  test('a capital Unicode 16 gave a small letter (Ꟛ, ƛ) is its own in Go 1.25: no match', async () => {
    // KrakenD CE 2.13.8, by hand: https://ƛ.example allowed, a preflight from https://Ꟛ.example gets
    // no Access-Control-Allow-Origin (this runtime lowered Ꟛ to ƛ, as Node's Unicode 16 does, and allowed it).
    assert.equal(await allowedOrigin('https://\u019b.example'), 'https://\u019b.example')
    assert.equal(await allowedOrigin('https://\ua7dc.example'), undefined)
  })

  test('invalid UTF-8 in the Origin is one U+FFFD per bad byte, as Go decodes it (a truncated sequence is two, not one)', async () => {
    const bytes = (...parts: Array<string | number[]>) =>
      Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))))
    assert.notEqual(await allowedOrigin(bytes('https://', [0xff], '.example')), undefined)
    assert.notEqual(await allowedOrigin(bytes('https://', [0xef, 0xbf, 0xbd], '.example')), undefined)
    assert.equal(await allowedOrigin(bytes('https://', [0xe2, 0x82], '.example')), undefined)
    assert.equal(await allowedOrigin(bytes('https://', [0xf0, 0x9f, 0x98], '.example')), undefined)
  })
})
