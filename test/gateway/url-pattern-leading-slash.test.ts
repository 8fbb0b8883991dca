// A url_pattern without its leading `/` is run as lura's CleanPath makes it, `/` + the pattern, as
// KrakenD CE does (it was refused here: 'must start with "/"'). Expected targets are KrakenD CE
// 2.13.8's (checked on the oracle build).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'
import { rawRequest, sendRaw } from './helpers.ts'

const PATTERNS = ['t/{x}', 'http://127.0.0.1:1/full/{x}', '?x={x}', '{x}', '//{x}']

const gw = rawGatewayWith((raw) => ({
  version: 3,
  endpoints: PATTERNS.map((url_pattern, i) => ({
    endpoint: `/e${i}/{x}`,
    backend: [{ host: [raw.origin], url_pattern }],
  })),
}))

test('a url_pattern without a leading / gets one, as lura cleans it; a full URL is a path', async () => {
  const expected = [
    'GET /t/v HTTP/1.1',
    'GET /http://127.0.0.1:1/full/v HTTP/1.1',
    'GET /?x=v HTTP/1.1',
    'GET /v HTTP/1.1',
    'GET //v HTTP/1.1',
  ]
  for (const [i, line] of expected.entries()) {
    const res = await sendRaw(gw.url, rawRequest([`GET /e${i}/v HTTP/1.1`, 'Host: gw']))
    assert.equal(res.status, 200, PATTERNS[i])
    assert.equal(gw.raw.head().split('\r\n')[0], line, PATTERNS[i])
  }
})
