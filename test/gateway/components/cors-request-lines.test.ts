import assert from 'node:assert/strict'
import { connect } from 'node:http2'
import { describe, test } from 'node:test'
import { compileCors } from '../../../src/gateway/components/cors.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { rawRequest, sendRaw } from '../helpers.ts'

// rs/cors v1.11.1 reads a preflight's Access-Control-Request-Headers as the lines sent
// (r.Header[...]): each line is checked, each becomes its own Access-Control-Allow-Headers line, and
// an empty first line means none is answered; Access-Control-Allow-Methods copies every
// Access-Control-Request-Method line.
const gw = gatewayWith((backend) => ({
  version: 3,
  extra_config: {
    'security/cors': { allow_origins: ['https://ok.example'], allow_headers: ['X-A', 'X-B'] },
  },
  endpoints: [{ endpoint: '/x', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
}))

const preflight = (...lines: string[]) =>
  sendRaw(
    gw.url,
    rawRequest([
      'OPTIONS /x HTTP/1.1',
      'Host: a',
      'Origin: https://ok.example',
      'Access-Control-Request-Method: GET',
      ...lines,
    ]),
  )

const allowHeaderLines = (head: string) =>
  head.split('\r\n').filter((line) => line.toLowerCase().startsWith('access-control-allow-headers:'))

describe('security/cors: Access-Control-Request-Headers lines', () => {
  test('two lines are answered as two Access-Control-Allow-Headers lines', async () => {
    const res = await preflight('Access-Control-Request-Headers: x-a', 'Access-Control-Request-Headers: x-b')
    assert.equal(res.status, 204)
    assert.deepEqual(allowHeaderLines(res.head), [
      'Access-Control-Allow-Headers: x-a',
      'Access-Control-Allow-Headers: x-b',
    ])
    // One line with a list stays one line.
    const one = await preflight('Access-Control-Request-Headers: x-a, x-b')
    assert.deepEqual(allowHeaderLines(one.head), ['Access-Control-Allow-Headers: x-a, x-b'])
  })

  test('an empty first line: the preflight passes and no header is allowed', async () => {
    const res = await preflight('Access-Control-Request-Headers: ', 'Access-Control-Request-Headers: x-a')
    assert.equal(res.status, 204)
    assert.match(res.head, /\r\nAccess-Control-Allow-Origin: https:\/\/ok\.example/)
    assert.deepEqual(allowHeaderLines(res.head), [])
  })

  test('over h2c, two fields are answered as two fields', async () => {
    const session = connect(gw.url)
    try {
      const raw = await new Promise<string[]>((resolve, reject) => {
        session.on('error', reject)
        const fields: Record<string, string | string[]> = {
          ':method': 'OPTIONS',
          ':path': '/x',
          origin: 'https://ok.example',
          'access-control-request-method': 'GET',
          'access-control-request-headers': ['x-a', 'x-b'],
        }
        const stream = session.request(fields)
        stream.on('response', (_h, _flags, rawHeaders: string[]) => resolve(rawHeaders))
        stream.on('error', reject)
        stream.resume()
      })
      const lines: string[] = []
      for (let i = 0; i + 1 < raw.length; i += 2)
        if (raw[i] === 'access-control-allow-headers') lines.push(raw[i + 1] as string)
      assert.deepEqual(lines, ['x-a', 'x-b'])
    } finally {
      session.close()
    }
  })

  test('two Access-Control-Request-Method fields over h2c (node:http2 keeps the first in headers): both are copied', () => {
    const cors = compileCors({
      origins: ['https://ok.example'],
      methods: [],
      headers: [],
      expose: [],
      credentials: false,
      privateNetwork: false,
      passthrough: false,
      successStatus: 0,
      maxAgeS: 0,
    })
    const reply = cors(
      {
        method: 'OPTIONS',
        url: '/x',
        headers: { origin: 'https://ok.example', 'access-control-request-method': 'GET' },
        rawHeaders: [
          'origin',
          'https://ok.example',
          'access-control-request-method',
          'GET',
          'access-control-request-method',
          'PUT',
        ],
      } as Parameters<typeof cors>[0],
      { setHeader: () => undefined },
    )
    assert.deepEqual(reply?.headers['Access-Control-Allow-Methods'], ['GET', 'PUT'])
  })
})
