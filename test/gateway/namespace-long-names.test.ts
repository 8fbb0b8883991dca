import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { inlineGraphqlQueryFiles } from '../../src/gateway/config/graphql-query-files.ts'
import { checkGatewayConfigText } from '../../src/gateway/config/load.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

// KrakenD CE's components look themselves up under their long names (krakend-ce's main.go makes the
// short ones aliases that lura's ExtraConfig.Normalize moves onto them), so a version 3 file written
// with the long names runs every component: krakend-martian's own example does.

describe('extra_config under KrakenD CE long namespace names', () => {
  let backend: TestBackend
  let gateway: Running
  const config = (origin: string) => ({
    version: 3,
    extra_config: {
      'github_com/devopsfaith/krakend-cors': { allow_origins: ['https://a.example'], allow_methods: ['GET'] },
    },
    endpoints: [
      {
        endpoint: '/seq',
        extra_config: { 'github.com/devopsfaith/krakend/proxy': { sequential: true } },
        backend: [
          { host: [origin], url_pattern: '/first' },
          {
            host: [origin],
            url_pattern: '/echo/{resp0_id}',
            extra_config: {
              'github.com/devopsfaith/krakend-martian': {
                'header.Modifier': { scope: ['request'], name: 'X-Martian', value: 'yes' },
              },
            },
          },
        ],
      },
      {
        endpoint: '/jwt',
        extra_config: {
          'github.com/devopsfaith/krakend-jose/validator': {
            alg: 'HS256',
            jwk_url: 'https://keys.example/jwk.json',
          },
        },
        backend: [{ host: [origin], url_pattern: '/echo' }],
      },
      {
        endpoint: '/err',
        backend: [
          {
            host: [origin],
            url_pattern: '/boom',
            extra_config: { 'github.com/devopsfaith/krakend/http': { return_error_details: 'b1' } },
          },
        ],
      },
    ],
  })
  before(async () => {
    backend = await startBackend('api', {
      '/first': { body: { id: 42 } },
      '/boom': { status: 500, body: { e: 1 } },
    })
    gateway = await startGateway(mustConfig(config(backend.origin)))
  })
  after(async () => {
    await gateway?.close()
    await backend?.close()
  })

  test('proxy sequential and a backend martian modifier: the second call takes resp0_id and the header', async () => {
    const res = await send(gateway.url, { path: '/seq' })
    assert.equal(res.status, 200)
    const second = backend.seen.find((r) => r.url.startsWith('/echo/'))
    assert.equal(second?.url, '/echo/42')
    assert.equal(second?.headers['x-martian'], 'yes')
  })

  test('auth/validator guards the endpoint', async () => {
    const seen = backend.seen.length
    assert.equal((await send(gateway.url, { path: '/jwt' })).status, 401)
    assert.equal(backend.seen.length, seen)
  })

  test('security/cors answers the preflight', async () => {
    const res = await send(gateway.url, {
      path: '/jwt',
      method: 'OPTIONS',
      headers: { origin: 'https://a.example', 'access-control-request-method': 'GET' },
    })
    assert.equal(res.status, 204)
    assert.equal(res.headers['access-control-allow-origin'], 'https://a.example')
  })

  test('backend/http return_error_details names the failing backend', async () => {
    const res = await send(gateway.url, { path: '/err' })
    assert.deepEqual(JSON.parse(res.text), {
      error_b1: { http_status_code: 500, http_body: '{"e":1}', http_body_encoding: 'application/json' },
    })
  })

  test("a problem inside a renamed namespace is named at the file's own key and line", () => {
    const text = JSON.stringify(
      {
        version: 3,
        name: 'x',
        endpoints: [
          {
            endpoint: '/a',
            extra_config: { 'github.com/devopsfaith/krakend/proxy': { sequential: 'yes' } },
            backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/' }],
          },
        ],
      },
      null,
      2,
    )
    const { errors } = checkGatewayConfigText(text, 'gateway.json')
    assert.equal(errors.length, 1, JSON.stringify(errors))
    assert.equal(
      errors[0]?.location?.path,
      'endpoints[0].extra_config.github.com/devopsfaith/krakend/proxy.sequential',
    )
    assert.equal(errors[0]?.location?.line, text.split('\n').findIndex((l) => l.includes('"sequential"')) + 1)
  })

  test("an async agent's and its backends' long names are read as on an endpoint (lura normalises agents too)", () => {
    const origin = 'http://127.0.0.1:19'
    const text = JSON.stringify(
      {
        version: 3,
        name: 'x',
        endpoints: [],
        async_agent: [
          {
            name: 'a',
            consumer: { topic: 't' },
            backend: [
              { host: [origin], url_pattern: '/main' },
              {
                host: [origin],
                url_pattern: '/shadow',
                extra_config: { 'github.com/devopsfaith/krakend/proxy': { shadow: true } },
              },
            ],
            extra_config: {
              'github.com/devopsfaith/krakend-amqp/agent': {
                host: 'amqp://guest:guest@127.0.0.1:5672',
                name: 'q',
                exchange: 'x',
              },
              'github.com/devopsfaith/krakend/proxy': { sequential: 'yes' },
            },
          },
        ],
      },
      null,
      2,
    )
    const { errors } = checkGatewayConfigText(text, 'gateway.json')
    // Ignored before: the agent's sequential was never read, its shadow backend was a main one.
    assert.deepEqual(
      errors.map((e) => e.location?.path),
      ['async_agent[0].extra_config.github.com/devopsfaith/krakend/proxy.sequential'],
    )
    const fixed = checkGatewayConfigText(text.replace('"yes"', 'true'), 'gateway.json')
    assert.deepEqual(fixed.errors, [])
    const agent = fixed.config?.asyncAgents?.[0]?.endpoint
    assert.deepEqual(
      agent?.backends.map((b) => b.urlPattern),
      ['/main'],
    )
    assert.deepEqual(
      agent?.shadows?.map((b) => b.urlPattern),
      ['/shadow'],
    )
  })

  test('backend/graphql query_path under its long name is read into query', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'long-graphql-'))
    try {
      await writeFile(join(dir, 'q.graphql'), '{ film { id } }')
      const long = 'github.com/devopsfaith/krakend/transport/http/client/graphql'
      const graphql: Record<string, unknown> = { type: 'query', query_path: 'q.graphql' }
      const config = {
        endpoints: [{ endpoint: '/g', backend: [{ url_pattern: '/', extra_config: { [long]: graphql } }] }],
      }
      assert.deepEqual(inlineGraphqlQueryFiles(config, dir), [])
      assert.deepEqual(graphql, { type: 'query', query: '{ film { id } }' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
