// martian's body.Modifier cuts its body to the request's Range with Go's slice expression on the
// []byte json.Unmarshal decoded the base64 into: that slice's capacity is DecodedLen of the text
// (its length / 4 × 3, line breaks counted), so a range past the body but within the capacity reads
// zeros, and one past the capacity panics: gin's Recovery 500 (X-KrakenD only, no body) in KrakenD CE
// 2.13.8, whose process dies where the backend runs beside others. This runtime failed every range
// past the body (500 with X-KrakenD-Completed: false). A panic also counts as a failed call for the
// circuit breaker around it (gobreaker's Execute), as the last test checks with a lua-backend panic:
// the breaker had never heard of the call, so a half-open circuit's trial never ended.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { rawGatewayWith } from './gateway-fixture.ts'

/** base64 of '0123456789abcdef' (16 bytes) in 24 characters: a capacity of 18. */
const SIXTEEN = 'MDEyMzQ1Njc4OWFiY2RlZg=='
/** The same with line breaks, 27 characters: a capacity of 18 again (27 / 4 × 3). */
const SIXTEEN_BROKEN = 'MDEy\nMzQ1\r\nNjc4OWFiY2RlZg=='

describe('martian body.Modifier: ranges and the capacity of Go slice', () => {
  const gateway = rawGatewayWith((raw) => {
    const noop = (path: string, body: string) => ({
      endpoint: path,
      output_encoding: 'no-op',
      input_headers: ['Range'],
      backend: [
        {
          host: [raw.origin],
          url_pattern: '/b',
          encoding: 'no-op',
          extra_config: {
            'modifier/martian': { 'body.Modifier': { scope: ['response'], body, contentType: 'text/plain' } },
          },
        },
      ],
    })
    return {
      version: 3,
      // A panic's text must not reach the client where errors do (sweep54: the gateway wrote it).
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        noop('/noop', SIXTEEN),
        noop('/broken', SIXTEEN_BROKEN),
        // Not no-op: the panic passed through the backend client as a transport error (sweep54).
        {
          endpoint: '/json',
          input_headers: ['Range'],
          backend: [
            {
              host: [raw.origin],
              url_pattern: '/b',
              encoding: 'string',
              extra_config: {
                'modifier/martian': {
                  'body.Modifier': { scope: ['response'], body: SIXTEEN, contentType: 'text/plain' },
                },
              },
            },
          ],
        },
        {
          endpoint: '/request',
          method: 'POST',
          backend: [
            {
              host: [raw.origin],
              url_pattern: '/b',
              extra_config: {
                'modifier/martian': {
                  'body.Modifier': { scope: ['request'], body: SIXTEEN, contentType: 'text/plain' },
                },
              },
            },
          ],
        },
      ],
    }
  })

  const get = async (path: string, range?: string) => {
    const res = await fetch(`${gateway.url}${path}`, range ? { headers: { Range: range } } : {})
    return {
      status: res.status,
      body: Buffer.from(await res.arrayBuffer()).toString('latin1'),
      contentRange: res.headers.get('content-range'),
      completed: res.headers.get('x-krakend-completed'),
    }
  }

  test('no range: the body, not its capacity', async () => {
    assert.deepEqual(await get('/noop'), {
      status: 200,
      body: '0123456789abcdef',
      contentRange: null,
      completed: 'false',
    })
  })

  test('a range past the body within the capacity reads zeros', async () => {
    assert.deepEqual(await get('/noop', 'bytes=14-17'), {
      status: 206,
      body: 'ef\0\0',
      contentRange: 'bytes 14-17/16',
      completed: 'false',
    })
    assert.equal((await get('/broken', 'bytes=0-17')).body, '0123456789abcdef\0\0')
    const multipart = await get('/noop', 'bytes=0-1,15-17')
    assert.equal(multipart.status, 206)
    assert.match(
      multipart.body,
      /Content-Range: bytes 15-17\/16\r\nContent-Type: text\/plain\r\n\r\nf\0\0\r\n--/,
    )
  })

  for (const [path, range] of [
    ['/noop', 'bytes=0-18'],
    ['/noop', 'bytes=0-1,15-18'],
    ['/broken', 'bytes=16-18'],
    ['/json', 'bytes=0-18'],
  ] as const)
    test(`${path} ${range}: past the capacity, gin's Recovery 500`, async () => {
      assert.deepEqual(await get(path, range), { status: 500, body: '', contentRange: null, completed: null })
    })

  test('on the request: the body alone is sent', async () => {
    const res = await fetch(`${gateway.url}/request`, { method: 'POST', body: 'x' })
    assert.equal(res.status, 200)
    const sent = gateway.raw.requests.at(-1) ?? ''
    assert.equal(sent.slice(sent.indexOf('\r\n\r\n') + 4), '0123456789abcdef')
    assert.deepEqual(gateway.raw.lines('content-length'), ['Content-Length: 16'])
  })
})

describe('a panic below the circuit breaker counts as a failed call', () => {
  const gateway = rawGatewayWith((raw) => ({
    version: 3,
    endpoints: [
      {
        endpoint: '/guarded',
        input_headers: ['X-Panic'],
        backend: [
          {
            host: [raw.origin],
            url_pattern: '/b',
            extra_config: {
              'qos/circuit-breaker': { interval: 60, timeout: 1, max_errors: 0 },
              'modifier/lua-backend': {
                pre: "if request.load():headers('X-Panic') == 'yes' then error('a:-5', 0) end",
              },
            },
          },
        ],
      },
    ],
  }))

  const call = async (panic: boolean) => {
    const res = await fetch(`${gateway.url}/guarded`, panic ? { headers: { 'X-Panic': 'yes' } } : {})
    await res.arrayBuffer()
    return { status: res.status, completed: res.headers.get('x-krakend-completed') }
  }

  test('the circuit opens on it, and a half-open trial that panics ends', async () => {
    assert.deepEqual(await call(true), { status: 500, completed: null })
    // open: refused without calling
    assert.deepEqual(await call(false), { status: 500, completed: 'false' })
    await sleep(1100)
    // half-open: the trial panics and the circuit opens again
    assert.deepEqual(await call(true), { status: 500, completed: null })
    await sleep(1100)
    // half-open again: this trial goes through and closes it
    assert.deepEqual(await call(false), { status: 200, completed: 'true' })
    assert.deepEqual(await call(false), { status: 200, completed: 'true' })
  })
})
