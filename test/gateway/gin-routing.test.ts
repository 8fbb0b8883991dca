// Routing decided by gin's tree as KrakenD runs it (gin v1.12.0 tree.go getValue, its limited
// backtracking, the trailing-slash hint, findCaseInsensitivePath): where gin gives up, we give up
// too, even when a route further along would match. Expected answers checked against gin v1.12.0
// on the same routes.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createRouter, type RouteMatch } from '../../src/gateway/router.ts'
import {
  mustConfig,
  type Running,
  rawRequest,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from './helpers.ts'

const GIN_OPTIONS = { redirectTrailingSlash: true, redirectFixedPath: true, handleMethodNotAllowed: true }

function routerWith(routes: Array<[method: string, path: string]>) {
  const router = createRouter<string>(GIN_OPTIONS)
  for (const [method, path] of routes) router.add(method, path, `${method} ${path}`)
  return router
}

const served = (store: string, params: Record<string, string>): RouteMatch<string> => ({
  kind: 'found',
  store,
  params,
})
/** `uncleaned`: an absolute-form target's Location path where it differs (http.Redirect cleans only a relative URL). */
const moved = (location: string, status: 301 | 307 = 301, uncleaned?: string): RouteMatch<string> =>
  uncleaned === undefined
    ? { kind: 'redirect', status, location }
    : { kind: 'redirect', status, location, uncleaned }

describe('routing decided by gin tree', () => {
  test('/admin/{id} beside /{a}/{b}/{c}: gin does not go back to {a} after the admin/ branch, its fixed-path redirect decides', () => {
    const router = routerWith([
      ['GET', '/admin/{id}'],
      ['GET', '/{a}/{b}/{c}'],
    ])
    // The protected route, never the open one with an empty b.
    assert.deepEqual(router.match('GET', '/admin//x'), moved('/admin/x'))
    // A redirect to itself (a loop in KrakenD): nothing is served.
    assert.deepEqual(router.match('GET', '/admin/y/x'), moved('/admin/y/x'))
    assert.deepEqual(router.match('GET', '/admin/y/x/'), moved('/admin/y/x'))
    assert.deepEqual(router.match('GET', '/admin/y/x?q=1'), moved('/admin/y/x?q=1'))
    assert.deepEqual(router.match('POST', '/admin/y/x'), { kind: 'not-found' })
    assert.deepEqual(router.match('GET', '/admin/x'), served('GET /admin/{id}', { id: 'x' }))
    assert.deepEqual(router.match('GET', '/b/y/x'), served('GET /{a}/{b}/{c}', { a: 'b', b: 'y', c: 'x' }))
  })

  test('a method without the path is allowed when its tree backtracks into what the first lookup skipped (gin shares the stack)', () => {
    const router = routerWith([
      ['GET', '/admin/{id}'],
      ['GET', '/{a}/{b}/{c}/{d}'],
      ['POST', '/adm'],
    ])
    // No GET route answers (no redirect either); the POST lookup resumes GET's skipped {a} branch.
    // What GET's lookup took before it missed stays in gin's c.Params (lura's paramChecker reads it).
    assert.deepEqual(router.match('GET', '/admin//x/y'), {
      kind: 'not-allowed',
      allow: 'POST',
      params: { id: '' },
    })
    assert.deepEqual(router.match('PUT', '/admin//x/y'), { kind: 'not-allowed', allow: 'POST' })
    assert.deepEqual(router.match('GET', '/admin/x/y/z'), moved('/admin/x/y/z'))
    assert.deepEqual(
      router.match('GET', '/b//x/y'),
      served('GET /{a}/{b}/{c}/{d}', { a: 'b', b: '', c: 'x', d: 'y' }),
    )
    // What GET skipped at /{p}/ (the {q} beside sik) is shorter than POST's path: dropped, not resumed.
    const sibling = routerWith([
      ['GET', '/{p}/{q}'],
      ['GET', '/{p}/sik'],
      ['POST', '/sik'],
    ])
    assert.deepEqual(sibling.match('PUT', '/ADMIN/sik'), { kind: 'not-allowed', allow: 'GET' })
  })

  test('a trailing-slash redirect starts with X-Forwarded-Prefix as gin writes it (cleaned, kept to [A-Za-z0-9/-]); the fixed-path one never does', () => {
    const router = routerWith([
      ['GET', '/a/{x}'],
      ['GET', '/{p}/{q}/{r}'],
    ])
    // The third column is KrakenD CE 2.13.8's Location path for GET http://h/a/b/ (absolute form).
    for (const [prefix, location, uncleaned] of [
      ['/evil', '/evil/a/b', '/evil//a/b'],
      ['//evil.com/', '/evilcom/a/b', '/evilcom//a/b'],
      ['/p/../q x', '/qx/a/b', '/qx//a/b'],
      ['/x//y/', '/x/y/a/b', '/x/y//a/b'],
      ['', '/a/b', undefined],
      ['/', '/a/b', '///a/b'],
      // gin: //a/b, a network-path reference (another host); deliberately a path here.
      ['!!!', '/a/b', '//a/b'],
      ['..', '/a/b', '//a/b'],
      // Relative: http.Redirect joins it to the directory of the path gin set.
      ['evil.com', 'evilcom/a/evilcom/a/b', '/evilcom//a/b'],
    ])
      assert.deepEqual(
        router.match('GET', '/a/b/', prefix),
        moved(location as string, 301, uncleaned),
        prefix,
      )
    // gin writes //evil.com/b/c, which browsers follow to evil.com: not an open redirect here.
    assert.deepEqual(
      router.match('GET', '/evil.com/b/c/?q=1', '!!!'),
      moved('/evil.com/b/c?q=1', 301, '//evil.com/b/c?q=1'),
    )
    assert.deepEqual(router.match('GET', '/A/b', '/evil'), moved('/a/b'))
    // The fixed path of `//` is gin's empty path: http.Redirect makes it `/`; an absolute-form
    // target's URL.String() leaves it empty (KrakenD CE 2.13.8: `http://localhost`).
    const rootless = routerWith([['GET', '/k/sik']])
    assert.deepEqual(rootless.match('GET', '//'), moved('/', 301, ''))
    assert.deepEqual(rootless.match('GET', '/../%2E%2E'), moved('/', 301, ''))
  })

  test("the 405 lookups of one request share gin's skipped stack, sized by the longest route: when it overflows gin panics and the connection is dropped", () => {
    const router = routerWith([
      ['GET', '/a/{x}'],
      ['GET', '/{y}'],
      ['POST', '/a/{x}'],
      ['POST', '/{y}'],
      ['DELETE', '/a/{x}'],
      ['DELETE', '/{y}'],
    ])
    const dropped = {
      kind: 'dropped',
      reason: 'runtime error: slice bounds out of range [:3] with capacity 2',
    }
    assert.deepEqual(router.match('PUT', '/a/b'), dropped)
    assert.deepEqual(router.match('GET', '/a/b/c'), dropped)
    assert.deepEqual(router.match('GET', '/a/b'), served('GET /a/{x}', { x: 'b' }))
    assert.deepEqual(router.match('PUT', '/b'), { kind: 'not-allowed', allow: 'GET, POST, DELETE' })
    // A longer route anywhere gives the stack room: the same requests are answered.
    router.add('PATCH', '/p/q/r', 'PATCH /p/q/r')
    assert.deepEqual(router.match('PUT', '/a/b'), { kind: 'not-allowed', allow: 'GET, POST, DELETE' })
  })

  test('HEAD on the health path (ours, not KrakenD) is served on its path and invisible to gin otherwise', () => {
    const router = routerWith([
      ['GET', '/__health'],
      ['GET', '/admin/{id}'],
      ['GET', '/{a}/{b}/{c}/{d}'],
    ])
    router.addOwn('HEAD', '/__health', 'HEAD /__health')
    // with the Allow gin sets on its 405 there, which the middlewares' refusals carry
    assert.deepEqual(router.match('HEAD', '/__health'), { ...served('HEAD /__health', {}), allow: 'GET' })
    // A HEAD tree would resume what GET skipped and list HEAD in an Allow; KrakenD answers 404.
    assert.deepEqual(router.match('GET', '/admin//x/y'), { kind: 'not-found', params: { id: '' } })
    assert.deepEqual(router.match('HEAD', '/__health/'), { kind: 'not-found' })
    assert.deepEqual(router.match('HEAD', '/admin/x'), { kind: 'not-allowed', allow: 'GET' })
  })

  test('a trailing-slash redirect of //y/ moves to /y: gin writes //y (a network-path reference, an open redirect), deliberately not here', () => {
    const router = routerWith([
      ['GET', '/{a}/{b}'],
      ['GET', '/kelvin'],
    ])
    assert.deepEqual(router.match('GET', '//y/'), moved('/y', 301, '//y'))
    assert.deepEqual(router.match('GET', '//evil.com/'), moved('/evil.com', 301, '//evil.com'))
    assert.deepEqual(router.match('GET', '///y/'), { kind: 'not-found', params: { a: '', b: '' } })
    assert.deepEqual(router.match('GET', '/Kelvin/'), moved('/Kelvin'))
    // The Kelvin sign folds to k, but gin's byte-wise walk never reaches the static route.
    assert.deepEqual(router.match('GET', '/%E2%84%AAELVIN'), {
      kind: 'not-found',
      params: { a: '\u212aELVIN' },
    })
  })
})

describe('gateway routing through gin tree', () => {
  let backend: TestBackend
  let plain: Running
  let removing: Running
  const get = (url: string, target: string) => sendRaw(url, rawRequest([`GET ${target} HTTP/1.1`, 'Host: x']))
  const location = (head: string) => /\r\nLocation: ([^\r]*)/i.exec(head)?.[1]
  before(async () => {
    backend = await startBackend('b', {})
    const endpoints = [
      { endpoint: '/admin/{id}', backend: [{ host: [backend.origin], url_pattern: '/echo/admin/{id}' }] },
      {
        endpoint: '/{a}/{b}/{c}',
        backend: [{ host: [backend.origin], url_pattern: '/echo/open3/{a}/{b}/{c}' }],
      },
      { endpoint: '/{a}', backend: [{ host: [backend.origin], url_pattern: '/echo/open1/{a}' }] },
    ]
    plain = await startGateway(mustConfig({ version: 3, endpoints }))
    removing = await startGateway(
      mustConfig({ version: 3, extra_config: { router: { remove_extra_slash: true } }, endpoints }),
    )
  })
  after(async () => {
    await plain.close()
    await removing.close()
    await backend.close()
  })

  test('/admin//x and /admin/y/x never reach the open /{a}/{b}/{c} endpoint', async () => {
    const before = backend.seen.length
    for (const [target, to] of [
      ['/admin//x', '/admin/x'],
      ['/admin/y/x', '/admin/y/x'],
    ]) {
      const { status, head } = await get(plain.url, target as string)
      assert.equal(status, 301, target)
      assert.equal(location(head), to, target)
    }
    assert.equal(backend.seen.length, before)
  })

  test('the first X-Forwarded-Prefix goes before a trailing-slash redirect, as Header.Get reads it', async () => {
    const { status, head } = await sendRaw(
      plain.url,
      rawRequest([
        'GET /admin/x/ HTTP/1.1',
        'Host: x',
        'X-Forwarded-Prefix: /one',
        'X-Forwarded-Prefix: /two',
      ]),
    )
    assert.equal(status, 301)
    assert.equal(location(head), '/one/admin/x')
  })

  test('remove_extra_slash cleans the decoded path, not the escaped one: /x/%2E%2E/.. is /, not /x', async () => {
    const before = backend.seen.length
    assert.equal((await get(removing.url, '/x/%2E%2E/..')).status, 404)
    assert.equal(backend.seen.length, before)
    assert.equal((await get(removing.url, '/x/%2E%2E/y/z/w')).status, 200)
    assert.equal(backend.seen.at(-1)?.url, '/echo/open3/y/z/w')
  })
})

describe('gateway routing when gin panics', () => {
  let backend: TestBackend
  let gw: Running
  before(async () => {
    backend = await startBackend('b', {})
    const endpoints = ['GET', 'POST', 'DELETE'].flatMap((method) => [
      { endpoint: '/a/{x}', method, backend: [{ host: [backend.origin], url_pattern: '/echo/a/{x}' }] },
      { endpoint: '/{y}', method, backend: [{ host: [backend.origin], url_pattern: '/echo/y/{y}' }] },
    ])
    gw = await startGateway(mustConfig({ version: 3, endpoints }))
  })
  after(async () => {
    await gw.close()
    await backend.close()
  })

  /** The answer's head, or '' when the connection was closed unanswered. */
  const answer = async (target: string, method: string) => {
    try {
      return (await sendRaw(gw.url, rawRequest([`${method} ${target} HTTP/1.1`, 'Host: x']))).head
    } catch (error) {
      assert.equal((error as NodeJS.ErrnoException).code, 'ECONNRESET')
      return ''
    }
  }

  test('PUT /a/b overflows the skipped stack in the 405 lookups: the connection is closed unanswered, as Go does', async () => {
    const before = backend.seen.length
    assert.equal(await answer('/a/b', 'PUT'), '')
    assert.equal(await answer('/a/b/c', 'GET'), '')
    assert.match(await answer('/b', 'PUT'), /^HTTP\/1\.1 405 [\s\S]*\r\nAllow: GET, POST, DELETE/i)
    assert.equal(backend.seen.length, before)
    assert.match(await answer('/a/b', 'GET'), /^HTTP\/1\.1 200 /)
  })
})
