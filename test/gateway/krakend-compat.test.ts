// The pieces that make the runtime answer like KrakenD, one rule at a time: Go's JSON encoder,
// Go's query handling and header names, gin's client IP and path fixing, krakend/flatmap moves.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { applyFlatmap, type FlatmapOp } from '../../src/gateway/flatmap.ts'
import { GoNumber, goJson } from '../../src/gateway/go-json.ts'
import { parseJsonKeepingNumbers } from '../../src/gateway/go-json-decoder.ts'
import { canonicalHeaderKey, encodeGoQuery, goQueryEscape, parseGoQuery } from '../../src/gateway/go-url.ts'
import {
  backendHeaders,
  clientIp,
  compileForwardRule,
  compileTrustedProxies,
} from '../../src/gateway/request-headers.ts'
import { cleanPath, createRouter } from '../../src/gateway/router.ts'
import { mustConfig } from './helpers.ts'

const server = mustConfig({ version: 3, name: 't', endpoints: [] }).server

describe("Go's encoding/json", () => {
  test('numbers print as Go prints float64', () => {
    assert.equal(
      goJson([0, -0, 1, 0.1, 1e21, 1e20, 1e-7, 0.000001, 123456789.125, -2.5e-10]),
      '[0,-0,1,0.1,1e+21,100000000000000000000,1e-7,0.000001,123456789.125,-2.5e-10]',
    )
  })
  test('keys sorted at every level, HTML and line separators escaped, undefined skipped', () => {
    assert.equal(
      goJson({ b: { z: 1, a: [{ y: 1, x: 2 }] }, a: '<&>\u2028\u2029\n"', skip: undefined, '2': 0, '10': 1 }),
      '{"10":1,"2":0,"a":"\\u003c\\u0026\\u003e\\u2028\\u2029\\n\\"","b":{"a":[{"x":2,"y":1}],"z":1}}',
    )
  })
  test('number texts survive a round trip when JavaScript would print them differently', () => {
    const value = parseJsonKeepingNumbers(
      '{"a":1.50,"b":2,"c":1e2,"d":99999999999999999999,"e":0.5}',
    ) as Record<string, unknown>
    assert.ok(value.a instanceof GoNumber)
    assert.equal(value.b, 2)
    assert.equal(value.e, 0.5)
    assert.equal(goJson(value), '{"a":1.50,"b":2,"c":1e2,"d":99999999999999999999,"e":0.5}')
  })
})

describe("Go's net/url and textproto", () => {
  test('ParseQuery drops pieces with ; or bad escapes and decodes + as space', () => {
    const q = parseGoQuery('a=1&a=2&b=x+y%21&bad=%zz&semi=1;2&empty')
    assert.deepEqual(
      [...q.entries()],
      [
        ['a', ['1', '2']],
        ['b', ['x y!']],
        ['empty', ['']],
      ],
    )
  })
  test('Values.Encode sorts keys and uses QueryEscape', () => {
    assert.equal(goQueryEscape("a b!'()*~"), 'a+b%21%27%28%29%2A~')
    assert.equal(encodeGoQuery(parseGoQuery('z=1&a=%2F&a=b')), 'a=%2F&a=b&z=1')
  })
  test('CanonicalMIMEHeaderKey', () => {
    assert.equal(canonicalHeaderKey('x-y-z'), 'X-Y-Z')
    assert.equal(canonicalHeaderKey('autHoriZatiOn'), 'Authorization')
    assert.equal(canonicalHeaderKey('bad header'), 'bad header')
  })
})

describe('what backends receive', () => {
  const req = (headers: Record<string, string>, remote = '::ffff:10.0.0.7') => ({
    headers,
    socket: { remoteAddress: remote },
  })
  test("gin's ClientIP: the leftmost address when every X-Forwarded-For item is an IP, else X-Real-IP, else the peer", () => {
    assert.equal(clientIp(req({ 'x-forwarded-for': '1.2.3.4, 5.6.7.8' }), server), '1.2.3.4')
    assert.equal(
      clientIp(req({ 'x-forwarded-for': 'junk, 5.6.7.8', 'x-real-ip': '9.9.9.9' }), server),
      '9.9.9.9',
    )
    assert.equal(clientIp(req({}), server), '10.0.0.7')
    assert.equal(
      clientIp(req({ 'x-forwarded-for': '1.2.3.4' }), { ...server, forwardedByClientIp: false }),
      '10.0.0.7',
    )
  })
  test('with router.trusted_proxies only a trusted peer and trusted hops count', () => {
    const trusted = compileTrustedProxies(['10.0.0.0/8', '192.0.2.1'])
    const xff = { 'x-forwarded-for': '1.2.3.4, 198.51.100.9, 192.0.2.1' }
    assert.equal(clientIp(req(xff), server, trusted), '198.51.100.9')
    assert.equal(clientIp(req(xff, '203.0.113.5'), server, trusted), '203.0.113.5')
  })
  test('default input headers: Content-Type only; KrakenD User-Agent; gzip; X-Forwarded-Host', () => {
    const out = backendHeaders(
      compileForwardRule([]),
      req({ host: 'api', 'content-type': 'a/b', 'user-agent': 'curl', authorization: 'x' }),
      server,
    )
    assert.deepEqual(out, {
      'content-type': 'a/b',
      'accept-encoding': 'gzip',
      'x-forwarded-for': '10.0.0.7',
      'x-forwarded-host': 'api',
      'user-agent': 'KrakenD Version 2.13.8',
    })
  })
  test("a forwarded User-Agent moves KrakenD's to X-Forwarded-Via; a forwarded Range keeps gzip off", () => {
    const out = backendHeaders(
      compileForwardRule(['User-Agent', 'Range']),
      req({ host: 'api', 'user-agent': 'curl', range: 'bytes=0-1' }),
      server,
    )
    assert.equal(out['user-agent'], 'curl')
    assert.equal(out['x-forwarded-via'], 'KrakenD Version 2.13.8')
    assert.equal(out['accept-encoding'], undefined)
  })
})

describe("gin's router as KrakenD configures it", () => {
  const router = createRouter<string>({
    redirectTrailingSlash: true,
    redirectFixedPath: true,
    handleMethodNotAllowed: true,
  })
  router.add('GET', '/static', 'static')
  router.add('GET', '/users/{id}', 'user')
  router.add('PUT', '/users/{id}', 'put')
  router.add('GET', '/__debug/*', 'debug')
  test('exact, trailing-slash and case-fixing matches', () => {
    const found = router.match('GET', '/users/7?x=1')
    assert.equal(found.kind === 'found' && `${found.store} ${found.params.id}`, 'user 7')
    assert.deepEqual(router.match('GET', '/static/?a=b'), {
      kind: 'redirect',
      status: 301,
      location: '/static?a=b',
    })
    assert.deepEqual(router.match('GET', '/STATIC'), { kind: 'redirect', status: 301, location: '/static' })
    assert.deepEqual(router.match('PUT', '/Users/7/'), {
      kind: 'redirect',
      status: 307,
      location: '/users/7',
    })
    assert.deepEqual(router.match('GET', '/__debug'), {
      kind: 'redirect',
      status: 301,
      location: '/__debug/',
    })
    assert.deepEqual(router.match('GET', '/a/../static'), {
      kind: 'redirect',
      status: 301,
      location: '/static',
    })
  })
  test('405 lists the other methods in registration order; 404 otherwise', () => {
    assert.deepEqual(router.match('DELETE', '/users/7'), { kind: 'not-allowed', allow: 'GET, PUT' })
    assert.deepEqual(router.match('GET', '/nothing'), { kind: 'not-found' })
    // The other methods are looked up on the decoded path too: %2F separates segments there.
    assert.deepEqual(router.match('DELETE', '/users/%37'), { kind: 'not-allowed', allow: 'GET, PUT' })
    assert.deepEqual(router.match('DELETE', '/users/7%2F8'), { kind: 'not-found' })
  })
  test('cleanPath resolves dot segments and double slashes, keeping a trailing slash', () => {
    assert.equal(cleanPath('/a//b/./c/..'), '/a/b')
    assert.equal(cleanPath('/../x'), '/x')
    assert.equal(cleanPath('/a/b/'), '/a/b/')
  })
})

describe('krakend/flatmap operations', () => {
  const ops = (...list: Array<[FlatmapOp['type'], ...string[]]>): FlatmapOp[] =>
    list.map(([type, ...args]) => ({ type, args: args.map((a) => a.split('.')) }))
  test('a longer destination nests the value under the source parent', () => {
    assert.deepEqual(applyFlatmap({ a: { x: 1, y: 2 } }, ops(['move', 'a.x', 'a.deep.x'])), {
      a: { y: 2, deep: { x: 1 } },
    })
  })
  test('a wildcard move renames inside every item; a wildcard del empties a container to null', () => {
    assert.deepEqual(
      applyFlatmap(
        { list: [{ a: 1, b: 2 }, { a: 3 }], drop: { x: 1 } },
        ops(['move', 'list.*.a', 'list.*.z'], ['del', 'drop.*']),
      ),
      { list: [{ b: 2, z: 1 }, { z: 3 }], drop: null },
    )
  })
  test('append joins arrays and removes the source; a missing path changes nothing', () => {
    assert.deepEqual(applyFlatmap({ a: [1], b: [2], c: 1 }, ops(['append', 'b', 'a'], ['del', 'nope.x'])), {
      a: [1, 2],
      c: 1,
    })
  })
})

describe('proxy.static and flatmap_filter in the config', () => {
  test('bad static and flatmap settings are errors with their JSON path; an unknown strategy warns', () => {
    const result = validateGatewayConfig({
      version: 3,
      name: 't',
      host: ['http://b'],
      endpoints: [
        { endpoint: '/a', backend: [{ url_pattern: '/' }], extra_config: { proxy: { static: { data: 1 } } } },
        {
          endpoint: '/b',
          backend: [
            {
              url_pattern: '/',
              extra_config: { proxy: { flatmap_filter: [{ type: 'move', args: ['x'] }] } },
            },
          ],
        },
        {
          endpoint: '/c',
          backend: [{ url_pattern: '/' }],
          extra_config: { proxy: { static: { strategy: 'sometimes', data: {} } } },
        },
      ],
    })
    const paths = result.errors.map((e) => e.location?.path)
    assert.deepEqual(paths, [
      'endpoints[0].extra_config.proxy.static.data',
      'endpoints[1].backend[0].extra_config.proxy.flatmap_filter[0]',
    ])
    assert.ok(
      result.warnings.some((w) => w.location?.path === 'endpoints[2].extra_config.proxy.static.strategy'),
    )
  })
})
