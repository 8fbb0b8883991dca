// lura's Response.Metadata (status and headers) as a Lua post script or return_error_details leaves
// it: krakend-jose's signer answers with it (c.Header of each first value, c.JSON with the status),
// the endpoint's Lua reads it, and the renderer adds its headers. Checked on KrakenD CE 2.13.8: a
// lua-proxy post's r:statusCode(202) and r:headers('X-L','v') under the signer gave 202 with X-L
// (this runtime: 200 without); a lua-backend post's 201 too; a sequential endpoint stopped by a
// detailed error answered that error with its 404 (here 400); skip_next answered "{}" (here 400);
// a lone answer of a merge whose other backend failed kept its script's headers (here dropped).
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway } from '../helpers.ts'

let dir: string
let backend: Awaited<ReturnType<typeof startBackend>>
let gateway: Running

const post = (code: string) => ({ 'modifier/lua-proxy': { post: `local r = response.load(); ${code}` } })
const SET = "r:statusCode(202); r:headers('X-L', 'v')"
const SEEN = "r:headers('X-S', tostring(r:statusCode()))"

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signer-lua-'))
  const jwks = join(dir, 'jwks.json')
  const k = Buffer.from('a-symmetric-secret-of-32-bytes!!').toString('base64url')
  await writeFile(jwks, JSON.stringify({ keys: [{ kty: 'oct', k, kid: 'k1' }] }))
  backend = await startBackend('api', {
    '/a': { body: { a: { x: 1 }, n: 1 } },
    '/b': { body: { b: { y: 2 } } },
    '/e404': { status: 404, body: { why: 'nope' } },
    '/fail': { status: 500, body: 'boom' },
  })
  const signer = {
    alg: 'HS256',
    kid: 'k1',
    keys_to_sign: ['a', 'b'],
    jwk_local_path: jwks,
    disable_jwk_security: true,
  }
  const to = (url: string | Record<string, unknown>) =>
    typeof url === 'string'
      ? { host: [backend.origin], url_pattern: url }
      : { host: [backend.origin], ...url }
  const details = { url_pattern: '/e404', extra_config: { 'backend/http': { return_error_details: 'x' } } }
  const luaBackend = {
    url_pattern: '/a',
    extra_config: {
      'modifier/lua-backend': { post: "local r = response.load(); r:statusCode(201); r:headers('X-B', 'b')" },
    },
  }
  const signed = (endpoint: string, backends: unknown[], extra: Record<string, unknown> = {}) => ({
    endpoint,
    backend: backends.map((b) => to(b as string)),
    extra_config: { 'auth/signer': signer, ...extra },
  })
  const plain = (endpoint: string, backends: unknown[], extra: Record<string, unknown> = {}) => ({
    endpoint,
    backend: backends.map((b) => to(b as string)),
    extra_config: extra,
  })
  gateway = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        signed('/single', ['/a'], post(SET)),
        signed('/merged', ['/a', '/b'], post(SET)),
        signed('/sequential', ['/a', '/b'], { ...post(SET), proxy: { sequential: true } }),
        signed('/static', ['/a'], {
          ...post(SET),
          proxy: { static: { strategy: 'always', data: { st: 1 } } },
        }),
        signed('/cel', ['/a'], { ...post(SET), 'validation/cel': [{ check_expr: 'has(resp_data.n)' }] }),
        signed('/details', [details], post(SEEN)),
        signed('/details-set', [details], post(SET)),
        signed('/details-merged', [details, '/a'], post(SEEN)),
        signed('/details-first', [details, '/a'], { ...post(SEEN), proxy: { sequential: true } }),
        signed('/lua-backend', [luaBackend]),
        signed('/skip', ['/a'], {
          'modifier/lua-proxy': { skip_next: true, post: `local r = response.load(); ${SET}` },
        }),
        signed('/type', ['/a'], post("r:headers('Content-Type', 'text/x'); r:headers('X-E', '')")),
        signed('/empty-list', ['/a'], post("r:headerList('X-M', luaList.new())")),
        signed('/no-content', ['/a'], post("r:statusCode(204); r:headers('X-L', 'v')")),
        signed('/unwritable', ['/a'], post('r:statusCode(1000)')),
        signed('/negative', ['/a'], post('r:statusCode(-5)')),
        signed(
          '/unwritable-headers',
          ['/a'],
          post("r:headers('Bad Name', 'v'); r:headers('X-Nl', 'a\\nb'); r:headers('X-Hi', 'caf\\195\\169')"),
        ),
        plain('/lone-of-merge', [luaBackend, '/fail']),
        plain('/lone-of-merge-lua', [luaBackend, '/fail'], post(SEEN)),
        plain('/plain-details', [details], {
          ...post(SEEN),
          'validation/cel': [{ check_expr: 'resp_metadata_status == 404' }],
        }),
        plain('/plain-lua-backend', [luaBackend], {
          'validation/cel': [
            { check_expr: "resp_metadata_status == 201 && resp_metadata_headers['X-B'][0] == 'b'" },
          ],
        }),
      ],
    }),
  )
})
after(async () => {
  await gateway?.close()
  await backend?.close()
  await rm(dir, { recursive: true, force: true })
})

const TOKEN_A = /^\{"a":"eyJ[\w-]+\.eyJ4IjoxfQ\.[\w-]+"/
const JSON_TYPE = 'application/json; charset=utf-8'
const get = (path: string) => send(gateway.url, { path })

describe("auth/signer answers with the response's metadata", () => {
  for (const path of ['/single', '/merged', '/sequential', '/static', '/cel'])
    test(`a lua-proxy post's status and header: ${path}`, async () => {
      const res = await get(path)
      assert.equal(res.status, 202)
      assert.equal(res.headers['x-l'], 'v')
      assert.equal(res.headers['content-type'], JSON_TYPE)
      assert.match(res.text, TOKEN_A)
    })

  test('a lone return_error_details answer: its status, which the script reads', async () => {
    const res = await get('/details')
    assert.equal(res.status, 404)
    assert.equal(res.headers['x-s'], '404')
    assert.equal((await get('/details-set')).status, 202)
    const merged = await get('/details-merged')
    assert.equal(merged.status, 200)
    assert.equal(merged.headers['x-s'], '0')
  })

  test('a sequential endpoint stopped by a detailed error answers it, unsigned, with its status', async () => {
    const res = await get('/details-first')
    assert.equal(res.status, 404)
    assert.equal(res.headers['x-s'], '404')
    assert.deepEqual(Object.keys(JSON.parse(res.text)), ['error_x'])
  })

  test('headers Go cannot write are left out; a value goes out as the bytes the script set', async () => {
    const h1 = await get('/unwritable-headers')
    assert.equal(h1.status, 200)
    assert.match(h1.text, TOKEN_A)
    assert.equal(h1.headers['x-nl'], 'a b')
    assert.equal(Buffer.from(h1.headers['x-hi'] as string, 'latin1').toString('utf8'), 'café')
    assert.equal(h1.headers['bad name'], undefined)
    const h2 = await send(gateway.url, { path: '/unwritable-headers', http2: true })
    assert.equal(h2.status, 200)
    assert.equal(h2.headers['x-nl'], undefined)
    assert.equal(h2.headers['x-hi'], 'caf\u00c3\u00a9')
  })

  test("a lua-backend post's status and header reach the signer's answer", async () => {
    const res = await get('/lua-backend')
    assert.equal(res.status, 201)
    assert.equal(res.headers['x-b'], 'b')
  })

  test('skip_next: the script-set status over "{}"', async () => {
    const res = await get('/skip')
    assert.equal(res.status, 202)
    assert.equal(res.headers['x-l'], 'v')
    assert.equal(res.text, '{}')
  })

  test("gin's writes: the script's Content-Type kept, an empty value dropped", async () => {
    const res = await get('/type')
    assert.equal(res.headers['content-type'], 'text/x')
    assert.equal(res.headers['x-e'], undefined)
  })

  test('an empty header list is the recovered panic: 500, no body', async () => {
    const res = await get('/empty-list')
    assert.equal(res.status, 500)
    assert.equal(res.text, '')
  })

  test('statuses gin and net/http write otherwise', async () => {
    const noContent = await get('/no-content')
    assert.equal(noContent.status, 204)
    assert.equal(noContent.headers['x-l'], 'v')
    assert.equal(noContent.text, '')
    const unwritable = await get('/unwritable')
    assert.equal(unwritable.status, 200)
    assert.equal(unwritable.text, '')
    assert.equal(unwritable.headers['content-type'], JSON_TYPE)
    const negative = await get('/negative')
    assert.equal(negative.status, 200)
    assert.match(negative.text, TOKEN_A)
  })
})

describe('the metadata on the rendered answer', () => {
  test("a merge's lone answer (the other backend failed) keeps its script's headers", async () => {
    const res = await get('/lone-of-merge')
    assert.equal(res.status, 200)
    assert.equal(res.headers['x-b'], 'b')
    assert.equal(res.headers['x-krakend-completed'], 'false')
    assert.equal(res.text, '{"a":{"x":1},"n":1}')
    assert.equal((await get('/lone-of-merge-lua')).headers['x-b'], 'b')
  })

  test("the endpoint's Lua and CEL read a lone answer's status and headers", async () => {
    const res = await get('/plain-details')
    assert.equal(res.status, 200)
    assert.equal(res.headers['x-s'], '404')
    const lua = await get('/plain-lua-backend')
    assert.equal(lua.status, 200)
    assert.equal(lua.headers['x-b'], 'b')
  })
})
