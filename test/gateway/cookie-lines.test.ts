import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sendRawH2 } from './h2-raw-client.ts'
import { mustConfig, type Running, rawRequest, sendRaw, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

// Go keeps HTTP/1.1 Cookie lines apart (Header.Get reads the first), and its HTTP/2 server joins a
// request's Cookie fields into one line with "; " (RFC 9113 8.2.3). Node joins both with "; ".
let backend: RawBackend
let gateway: Running

before(async () => {
  backend = await startRawBackend()
  const limited = (path: string) => ({
    endpoint: path,
    extra_config: {
      'qos/ratelimit/router': { client_max_rate: 1, every: '1h', strategy: 'header', key: 'Cookie' },
    },
    backend: [{ host: [backend.origin], url_pattern: path }],
  })
  gateway = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        limited('/h1-limited'),
        limited('/h2-limited'),
        {
          endpoint: '/lua',
          extra_config: {
            'modifier/lua-endpoint': {
              pre: "if ctx.load():headers('Cookie') ~= 'a=1; b=2,3' then custom_error('cookie', 409) end",
            },
          },
          backend: [{ host: [backend.origin], url_pattern: '/lua' }],
        },
      ],
    }),
  )
})
after(async () => {
  await gateway?.close()
  await backend?.close()
})

const h1 = (path: string, ...cookies: string[]) =>
  sendRaw(gateway.url, rawRequest([`GET ${path} HTTP/1.1`, 'Host: a', ...cookies.map((c) => `Cookie: ${c}`)]))

/** Whether the request reached the backend (h2: the answer's status is not read). */
async function h2Reaches(path: string, ...crumbs: string[]): Promise<boolean> {
  const before = backend.requests.length
  await sendRawH2(gateway.url, [
    [':method', 'GET'],
    [':scheme', 'http'],
    [':authority', 'a'],
    [':path', path],
    ...crumbs.map((c): [string, string] => ['cookie', c]),
  ])
  return backend.requests.length > before
}

describe('a client rate limit keyed on the Cookie header', () => {
  test('HTTP/1.1: the first Cookie line is the key, so a second line does not make a new client', async () => {
    assert.equal((await h1('/h1-limited', 'a=1', 'b=2')).status, 200)
    assert.equal((await h1('/h1-limited', 'a=1', 'b=3')).status, 429)
    assert.equal((await h1('/h1-limited', 'a=2', 'b=3')).status, 200)
  })

  test('h2c: the key is every crumb joined, commas and all', async () => {
    assert.equal(await h2Reaches('/h2-limited', 'a=1', 'b=2,3'), true)
    assert.equal(await h2Reaches('/h2-limited', 'a=1', 'b=2,4'), true)
    assert.equal(await h2Reaches('/h2-limited', 'a=1', 'b=2,3'), false)
  })
})

describe('h2c: Cookie crumbs are one line for a Lua script', () => {
  test("ctx.load():headers('Cookie') reads the crumbs joined with '; '", async () => {
    assert.equal(await h2Reaches('/lua', 'a=1', 'b=2,3'), true)
    assert.equal(await h2Reaches('/lua', 'a=1', 'b=2'), false)
  })
})
