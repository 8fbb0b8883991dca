// Keys that are Object.prototype's names (`__proto__`, `constructor`, `toString`) in backend data,
// headers, query strings and config paths: in Go every one is just a map key. Each case runs a real
// gateway and real backends on 127.0.0.1. Configs and bodies holding `__proto__` are written as
// JSON text: a JavaScript object literal would set the prototype instead of a key.
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { mustConfig, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

const JSON_HEADERS = { 'content-type': 'application/json' }
const closers: Array<() => Promise<void>> = []
after(async () => {
  for (const close of closers.reverse()) await close()
})

async function backend(routes: Record<string, string>): Promise<TestBackend> {
  const specs = Object.fromEntries(
    Object.entries(routes).map(([path, raw]) => [path, { raw, headers: JSON_HEADERS }]),
  )
  const b = await startBackend('b', specs)
  closers.push(() => b.close())
  return b
}

/** A gateway for a config given as JSON text (`$b` stands for the backend's origin). */
async function gateway(configText: string, b?: TestBackend): Promise<string> {
  const text = b ? configText.replaceAll('"$b"', JSON.stringify(b.origin)) : configText
  const raw = JSON.parse(text) as Record<string, unknown>
  const g = await startGateway(mustConfig({ version: 3, name: 'proto-keys', ...raw }))
  closers.push(() => g.close())
  return g.url
}

const endpoint = (path: string, backends: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ endpoint: path, ...extra, backend: backends })

describe('prototype-named keys in backend data', () => {
  test('a merged backend answer keeps its `__proto__` key (Go map assignment), inheriting nothing', async () => {
    const b = await backend({
      '/one': '{"A":1}',
      '/two': '{"__proto__":{"x":1},"b":2}',
    })
    const url = await gateway(
      `{"endpoints":[${endpoint('/merged', [
        { host: ['$b'], url_pattern: '/one' },
        { host: ['$b'], url_pattern: '/two' },
      ])}]}`,
      b,
    )
    const res = await send(url, { path: '/merged' })
    assert.equal(res.status, 200)
    assert.equal(res.text, '{"A":1,"__proto__":{"x":1},"b":2}')
  })

  test('proxy/static data merges a `__proto__` key as a key', async () => {
    const b = await backend({ '/one': '{"A":1}' })
    const url = await gateway(
      `{"endpoints":[${endpoint('/static', [{ host: ['$b'], url_pattern: '/one' }], {
        extra_config: { proxy: { static: { strategy: 'always', data: { z: 1 } } } },
      }).replace('{"z":1}', '{"__proto__":{"s":1}}')}]}`,
      b,
    )
    const res = await send(url, { path: '/static' })
    assert.equal(res.text, '{"A":1,"__proto__":{"s":1}}')
  })

  test('allow and deny name `__proto__` like any key', async () => {
    const b = await backend({ '/p': '{"__proto__":{"x":1},"b":2}' })
    const url = await gateway(
      `{"endpoints":[${endpoint('/allow', [{ host: ['$b'], url_pattern: '/p', allow: ['__proto__'] }])},${endpoint(
        '/deny',
        [{ host: ['$b'], url_pattern: '/p', deny: ['__proto__'] }],
      )},${endpoint('/allow-nested', [{ host: ['$b'], url_pattern: '/p', allow: ['__proto__.x', 'b'] }])}]}`,
      b,
    )
    assert.equal((await send(url, { path: '/allow' })).text, '{"__proto__":{"x":1}}')
    assert.equal((await send(url, { path: '/deny' })).text, '{"b":2}')
    assert.equal((await send(url, { path: '/allow-nested' })).text, '{"__proto__":{"x":1},"b":2}')
    assert.equal(({} as Record<string, unknown>).x, undefined, 'Object.prototype untouched')
  })

  test('deny paths under `constructor` / `toString` remove the field (a deny list that hid nothing leaked it)', async () => {
    const b = await backend({
      '/c': '{"constructor":{"secret":"s","name":"n"},"toString":{"secret":"t","k":1},"a":1}',
    })
    const url = await gateway(
      `{"endpoints":[${endpoint('/deny', [
        { host: ['$b'], url_pattern: '/c', deny: ['constructor.secret', 'toString.secret'] },
      ])},${endpoint('/allow', [{ host: ['$b'], url_pattern: '/c', allow: ['constructor.name', 'a'] }])}]}`,
      b,
    )
    assert.equal(
      (await send(url, { path: '/deny' })).text,
      '{"a":1,"constructor":{"name":"n"},"toString":{"k":1}}',
    )
    assert.equal((await send(url, { path: '/allow' })).text, '{"a":1,"constructor":{"name":"n"}}')
    assert.equal((Object as unknown as Record<string, unknown>).secret, undefined, 'Object untouched')
    assert.equal((Object.prototype.toString as unknown as Record<string, unknown>).secret, undefined)
  })
})
