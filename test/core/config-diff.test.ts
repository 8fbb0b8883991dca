/** The dry-run config diff (pure): golden text, golden JSON, and the cases that must be caught. */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { describe, it } from 'node:test'
import { configDiffRows, diffGatewayConfig, renderConfigDiff } from '../../src/core/config-diff.ts'

async function golden(name: string, actual: string): Promise<void> {
  const file = new URL(`./golden/${name}`, import.meta.url)
  if (process.env.UPDATE_GOLDEN === '1') await writeFile(file, actual)
  assert.equal(actual, await readFile(file, 'utf8'))
}

const LIVE = {
  version: 3,
  name: 'shop rev-1111111',
  timeout: '2s',
  extra_config: { 'telemetry/logging': { level: 'ERROR' } },
  endpoints: [
    { endpoint: '/v1/users', backend: [{ host: ['http://users:8080'], url_pattern: '/users' }] },
    {
      endpoint: '/v1/orders/{id}',
      method: 'GET',
      timeout: '3s',
      backend: [{ host: ['http://orders:8080'], url_pattern: '/orders/{id}', allow: ['id', 'total'] }],
    },
    { endpoint: '/v1/legacy', backend: [{ host: ['http://legacy'], url_pattern: '/x' }] },
    {
      endpoint: '/v1/admin',
      method: 'POST',
      extra_config: {
        'auth/validator': { alg: 'HS256', jwk_url: 'http://keys', secret_url: 'base64://czNjcjN0' },
      },
      backend: [{ host: ['http://admin'], url_pattern: '/admin' }],
    },
  ],
}

const NEXT = {
  version: 3,
  name: 'shop rev-2222222',
  timeout: '5s',
  extra_config: { 'telemetry/logging': { level: 'ERROR' }, 'security/cors': { allow_origins: ['*'] } },
  endpoints: [
    { endpoint: '/v1/users', backend: [{ host: ['http://users:8080'], url_pattern: '/users' }] },
    {
      endpoint: '/v1/orders/{id}',
      method: 'GET',
      timeout: '10s',
      backend: [
        { host: ['http://orders:8080', 'http://orders2:8080'], url_pattern: '/orders/{id}', allow: ['id'] },
        { host: ['http://audit'], url_pattern: '/audit/{id}', group: 'audit' },
      ],
    },
    {
      endpoint: '/v1/admin',
      method: 'POST',
      extra_config: {
        'auth/validator': { alg: 'HS256', jwk_url: 'http://keys', secret_url: 'base64://bmV3' },
      },
      backend: [
        {
          host: ['http://admin'],
          url_pattern: '/admin',
          extra_config: { 'qos/ratelimit/proxy': { max_rate: 10 } },
        },
      ],
    },
    { endpoint: '/v2/search', method: 'get', backend: [{ host: ['http://search'], url_pattern: '/q' }] },
  ],
}

describe('gateway config diff against live (pure)', () => {
  const diff = diffGatewayConfig(LIVE, NEXT)

  it('renders for a terminal (golden)', async () => {
    await golden('config-diff.txt', `${renderConfigDiff(diff)}\n`)
  })

  it('gives the same as data for --json and rows for the GitHub summary (golden)', async () => {
    await golden('config-diff.json', `${JSON.stringify({ diff, rows: configDiffRows(diff) }, null, 2)}\n`)
  })

  it('finds added, removed and changed endpoints, backends, timeouts and components', () => {
    assert.deepEqual(diff.endpoints.added, ['GET /v2/search'])
    assert.deepEqual(diff.endpoints.removed, ['GET /v1/legacy'])
    assert.deepEqual(
      diff.endpoints.changed.map((c) => c.endpoint),
      ['GET /v1/orders/{id}', 'POST /v1/admin'],
    )
    const orders = diff.endpoints.changed[0]?.changes.map((c) => c.path)
    assert.ok(orders?.includes('timeout'))
    assert.ok(orders?.includes('backend[1]'))
    assert.deepEqual(diff.components.added, [
      { namespace: 'security/cors', where: 'root' },
      { namespace: 'qos/ratelimit/proxy', where: 'POST /v1/admin backend[0]' },
    ])
    assert.deepEqual(diff.components.changed, [{ namespace: 'auth/validator', where: 'POST /v1/admin' }])
    assert.deepEqual(
      diff.root.map((c) => c.path),
      ['name', 'timeout', 'extra_config["security/cors"]'],
    )
  })

  it('never shows a secret value, yet reports that it changed', () => {
    const text = `${renderConfigDiff(diff)}${JSON.stringify(diff)}${JSON.stringify(configDiffRows(diff))}`
    assert.doesNotMatch(text, /czNjcjN0|bmV3/)
    const secret = diff.endpoints.changed[1]?.changes.find((c) => c.path.endsWith('secret_url'))
    assert.deepEqual(secret, {
      path: 'extra_config["auth/validator"].secret_url',
      before: '[redacted]',
      after: '[redacted]',
    })
  })

  it('an identical config and a first release are said plainly', () => {
    assert.equal(diffGatewayConfig(LIVE, LIVE).changed, false)
    assert.match(renderConfigDiff(diffGatewayConfig(LIVE, LIVE)), /no changes against live shop rev-1111111/)
    assert.match(renderConfigDiff(diffGatewayConfig(undefined, NEXT)), /nothing live to compare with/)
  })
})

describe('credentials in the diff: credential header values and URL passwords', () => {
  const withBackend = (backend: Record<string, unknown>) => ({
    version: 3,
    name: 'shop rev-2222222',
    endpoints: [{ endpoint: '/v1/users', backend: [{ url_pattern: '/users', ...backend }] }],
  })
  const martian = (name: string, value: string) => ({
    'modifier/martian': { 'header.Modifier': { scope: ['request'], name, value } },
  })
  const everything = (diff: ReturnType<typeof diffGatewayConfig>) =>
    `${renderConfigDiff(diff)}${JSON.stringify(diff)}${JSON.stringify(configDiffRows(diff))}`

  it('a martian header.Modifier setting Authorization, Cookie, X-Api-Key... shows its value as [redacted]', () => {
    for (const name of ['Authorization', 'Proxy-Authorization', 'Cookie', 'X-Api-Key', 'X-Auth-Token']) {
      const added = diffGatewayConfig(
        withBackend({ host: ['http://users:8080'] }),
        withBackend({
          host: ['http://users:8080'],
          extra_config: martian(name, 'Basic QkFTSUNQQVNTV09SRC14eXo='),
        }),
      )
      assert.doesNotMatch(everything(added), /QkFT/, name)
      assert.match(renderConfigDiff(added), new RegExp(`"name":"${name}","value":"\\[redacted\\]"`))
      const changed = diffGatewayConfig(
        withBackend({ host: ['http://users:8080'], extra_config: martian(name, 'Basic T0xEU0VDUkVU') }),
        withBackend({
          host: ['http://users:8080'],
          extra_config: martian(name, 'Basic QkFTSUNQQVNTV09SRC14eXo='),
        }),
      )
      assert.doesNotMatch(everything(changed), /QkFT|T0xE/, name)
      assert.deepEqual(changed.endpoints.changed[0]?.changes, [
        {
          path: 'backend[0].extra_config["modifier/martian"]["header.Modifier"].value',
          before: '[redacted]',
          after: '[redacted]',
        },
      ])
    }
  })

  it('other header values still show', () => {
    const diff = diffGatewayConfig(
      withBackend({ host: ['http://users:8080'], extra_config: martian('X-Trace', 'off') }),
      withBackend({ host: ['http://users:8080'], extra_config: martian('X-Trace', 'on') }),
    )
    assert.equal(diff.endpoints.changed[0]?.changes[0]?.after, 'on')
  })

  it("a URL's password shows as ***", () => {
    const diff = diffGatewayConfig(
      withBackend({ host: ['http://users:8080'] }),
      withBackend({ host: ['https://svc:P4ssw0rd@users:8443'] }),
    )
    assert.doesNotMatch(everything(diff), /P4ssw0rd/)
    assert.deepEqual(diff.endpoints.changed[0]?.changes[0]?.after, ['https://svc:***@users:8443'])
  })
})

describe('keys read as the nodes read them (KrakenD decodes service, endpoint and backend keys in any case)', () => {
  const config = (endpointsKey: string, timeout: string, extra: Record<string, unknown> = {}) => ({
    version: 3,
    name: 'shop',
    ...extra,
    [endpointsKey]: [
      {
        Endpoint: '/v1/users',
        Method: 'get',
        Timeout: timeout,
        Backend: [{ Host: ['http://users'], URL_Pattern: '/u' }],
      },
    ],
  })

  it('"Endpoints": a changed endpoint timeout is shown, the key spelling alone is no change', () => {
    const diff = diffGatewayConfig(config('Endpoints', '2s'), config('Endpoints', '5s'))
    assert.deepEqual(diff.endpoints, {
      added: [],
      removed: [],
      changed: [{ endpoint: 'GET /v1/users', changes: [{ path: 'timeout', before: '2s', after: '5s' }] }],
    })
    assert.equal(diffGatewayConfig(config('Endpoints', '2s'), config('endpoints', '2s')).changed, false)
  })

  it('"Extra_Config" and a CE long namespace name: a guard added is listed as a component', () => {
    const limit = { Extra_Config: { 'github_com/devopsfaith/krakend-botdetector': { deny: ['curl'] } } }
    const diff = diffGatewayConfig(config('endpoints', '2s'), config('endpoints', '2s', limit))
    assert.deepEqual(diff.components.added, [{ namespace: 'security/bot-detector', where: 'root' }])
    const short = { extra_config: { 'security/bot-detector': { deny: ['curl'] } } }
    assert.equal(
      diffGatewayConfig(config('endpoints', '2s', limit), config('endpoints', '2s', short)).changed,
      false,
    )
  })
})
