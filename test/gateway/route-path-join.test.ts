// gin registers each route at the path joined to its group's "/" (RouterGroup.handle: path.Join,
// a trailing slash kept): KrakenD serves an endpoint written `/a/{x}/.` at `/a/:x`, `/b//c/` at
// `/b/c/`, `/m/..` at `/`, and refuses to start when two endpoints of one method join to the same
// path. Expected answers and refusals checked against KrakenD CE 2.13.8 on the same configs.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { mustConfig, type Running, sendRaw, startBackend, startGateway, type TestBackend } from './helpers.ts'

const endpoint = (path: string, method: string, backend: string) => ({
  endpoint: path,
  method,
  backend: [{ url_pattern: backend }],
})

describe('endpoint paths joined as gin registers them', () => {
  let backend: TestBackend
  let gw: Running
  before(async () => {
    backend = await startBackend('b', {
      '/dot/1': { body: {} },
      '/up': { body: {} },
      '/double': { body: {} },
    })
    gw = await startGateway(
      mustConfig({
        version: 3,
        host: [backend.origin],
        endpoints: [
          endpoint('/a/{x}/.', 'GET', '/dot/{x}'),
          endpoint('/m/..', 'POST', '/up'),
          endpoint('/b//c/', 'GET', '/double'),
        ],
      }),
    )
  })
  after(async () => {
    await gw.close()
    await backend.close()
  })

  /** Sent as written (a URL client would resolve `.` and `..` first). */
  const send = async (method: string, path: string) => {
    backend.seen.length = 0
    const { status, head } = await sendRaw(
      gw.url,
      `${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    )
    const location = /\r\nlocation: ([^\r]*)/i.exec(head)?.[1] ?? null
    return [status, location, backend.seen.map((r) => r.url).join(' ')]
  }

  test('served at the joined path', async () => {
    assert.deepEqual(await send('GET', '/a/1'), [200, null, '/dot/1'])
    assert.deepEqual(await send('POST', '/'), [200, null, '/up'])
    assert.deepEqual(await send('GET', '/b/c/'), [200, null, '/double'])
    assert.deepEqual(await send('GET', '/b/c'), [301, '/b/c/', ''])
  })

  test('the path as written is only a miss (gin redirects or answers 404)', async () => {
    assert.deepEqual(await send('POST', '/m/..'), [307, '/', ''])
    assert.deepEqual(await send('GET', '/m/..'), [404, null, ''])
  })
})

describe('endpoints that join to one path', () => {
  const problems = (paths: string[]) =>
    validateGatewayConfig({
      version: 3,
      host: ['http://127.0.0.1:19'],
      endpoints: paths.map((p) => endpoint(p, 'GET', '/x')),
    }).errors.map((e) => e.message)

  test('are refused, as gin panics and KrakenD does not start', () => {
    assert.deepEqual(problems(['/A/users', '/A/users/.']), [
      'endpoint GET /A/users/. is declared twice (first at endpoints[0]): gin registers /A/users/. at /A/users',
    ])
    assert.equal(problems(['/x/{p}/{q}', '/x/{p}//{q}']).length, 1)
    assert.equal(problems(['/', '/m/..']).length, 1)
    // A conflicting wildcard once the path is joined.
    assert.match(
      problems(['/u/{p}//{q}', '/u/{p}/{r}/z'])[0] ?? '',
      /\{r\} is where \/u\/\{p\}\/\/\{q\} has \{q\}/,
    )
  })

  test('paths that stay apart once joined start', () => {
    assert.deepEqual(problems(['/a', '/a/', '/a/./b', '/a/b/']), [])
  })
})

describe("auto_options' one OPTIONS tree", () => {
  const problems = (autoOptions: boolean, routes: Array<[string, string]>) =>
    validateGatewayConfig({
      version: 3,
      host: ['http://127.0.0.1:19'],
      extra_config: { router: { auto_options: autoOptions } },
      endpoints: routes.map(([method, path]) => endpoint(path, method, '/x')),
    }).errors.map((e) => e.message)

  test('paths that only other methods keep apart are refused, as gin panics on OPTIONS and KrakenD does not start', () => {
    const names: Array<[string, string]> = [
      ['GET', '/{p0}'],
      ['POST', '/{P0}'],
    ]
    assert.deepEqual(problems(false, names), [])
    assert.match(problems(true, names)[0] ?? '', /auto_options .*':P0' in new path '\/:P0' conflicts/)
    assert.match(
      problems(true, [
        ['GET', '/日本/{a}'],
        ['POST', '/日本/{b}/x'],
      ])[0] ?? '',
      /':b' in new path '\/日本\/:b\/x' conflicts with existing wildcard ':a'/,
    )
    assert.match(
      problems(true, [
        ['GET', '/A/users'],
        ['POST', '/A/users/.'],
      ])[0] ?? '',
      /handlers are already registered for path '\/A\/users'/,
    )
  })

  test('one path under several methods, and paths gin can hold together, start', () => {
    const routes: Array<[string, string]> = [
      ['GET', '/a/{x}'],
      ['POST', '/a/{x}'],
      ['PUT', '/a/{x}/b'],
      ['GET', '/a/static'],
    ]
    assert.deepEqual(problems(true, routes), [])
  })
})

describe("gin's other registration panics", () => {
  const problems = (routes: Array<[string, string]>) =>
    validateGatewayConfig({
      version: 3,
      host: ['http://127.0.0.1:19'],
      endpoints: routes.map(([method, path]) => endpoint(path, method, '/x')),
    }).errors.map((e) => e.message)

  test('a `:name` written in the path conflicting with a {param} is a config error, not a crash at start', () => {
    assert.deepEqual(
      problems([
        ['GET', '/{p0}/A/:p'],
        ['GET', '/{p0}/A/{p2}/'],
      ]),
      [
        "endpoint GET /{p0}/A/{p2}/: gin cannot register it (':p2' in new path '/:p0/A/:p2/' conflicts with existing wildcard ':p') and KrakenD does not start",
      ],
    )
    assert.match(
      problems([
        ['PUT', '/x:y/z'],
        ['PUT', '/x:z/w'],
      ])[0] ?? '',
      /':z' in new path '\/x:z\/w' conflicts with existing wildcard ':y'/,
    )
  })

  test('what gin registers, KrakenD starts', () => {
    assert.deepEqual(
      problems([
        ['GET', '/{p0}/A/:p'],
        ['GET', '/a/:x'],
        ['POST', '/a/b:x'],
        ['PUT', '/x:y/z'],
      ]),
      [],
    )
  })
})

describe('reserved paths as lura and gin take them', () => {
  const starts = (router: Record<string, unknown>, method: string, path: string) =>
    validateGatewayConfig({
      version: 3,
      host: ['http://127.0.0.1:19'],
      extra_config: { router },
      endpoints: [endpoint(path, method, '/x')],
    }).errors.length === 0

  test("lura's pattern on the path as written: /__health, /__debug or /__echo at its end or followed by more", () => {
    for (const path of ['/a/__health', '/x/__echo/', '/__health/..', '/a/__health/b/..', '/__debug/x'])
      assert.equal(starts({}, 'GET', path), false, path)
    for (const path of ['/__healthy', '/status/..', '/a/__health_x'])
      assert.equal(starts({}, 'GET', path), true, path)
  })

  test('a custom health path is taken for GET only, at its joined path, while the health endpoint is on', () => {
    const custom = { health_path: '/status' }
    assert.equal(starts(custom, 'GET', '/status'), false)
    assert.equal(starts(custom, 'GET', '/x/../status'), false)
    for (const [method, path] of [
      ['POST', '/status'],
      ['GET', '/status/'],
      ['GET', '/status/x'],
    ] as const)
      assert.equal(starts(custom, method, path), true, `${method} ${path}`)
    assert.equal(starts({ ...custom, disable_health: true }, 'GET', '/status'), true)
  })
})
