// A node:cluster primary accepts connections and aggregates metrics; it never serves a request, so
// it must not load the request path (backend client, HTTP/2, components): checked in a real
// primary with two real workers, each process recording every module it resolves.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { tempDir } from '../helpers/files.ts'
import { freePort, RECORD_RESOLVED_MODULES } from './helpers.ts'

const runtime = new URL('../../src/gateway/runtime.ts', import.meta.url).href
const REQUEST_PATH = ['/src/gateway/app.ts', '/src/gateway/server.ts', '/node_modules/undici/', 'node:http2']

// Run as the primary (prints what it resolved once its workers listen) and, re-run by
// cluster.fork, as each worker (prints whether it resolved the request path, then serves).
const script = `${RECORD_RESOLVED_MODULES}
import cluster from 'node:cluster'
const requestPath = (url) => ${JSON.stringify(REQUEST_PATH)}.some((part) => url.includes(part))
const { runGateway } = await import('${runtime}')
const running = await runGateway({ configFile: process.argv[2], workers: 2, drainGraceMs: 0, metricsPort: Number(process.argv[3]) })
const loaded = [...resolved].filter(requestPath)
if (cluster.isPrimary) {
  console.log(JSON.stringify({ primary: loaded }))
  running.stop()
  process.exitCode = await running.done
} else {
  console.log(JSON.stringify({ worker: loaded.length > 0 }))
}
`

test('a cluster primary does not load the request path; its workers do', async () => {
  const dir = tempDir('gw-primary-')
  const file = join(dir, 'primary.mjs')
  writeFileSync(file, script)
  writeFileSync(
    join(dir, 'gateway.json'),
    JSON.stringify({
      version: 3,
      name: 'primary',
      port: await freePort(),
      listen_ip: '127.0.0.1',
      endpoints: [{ endpoint: '/a', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }] }],
    }),
  )
  const out = execFileSync(process.execPath, [file, join(dir, 'gateway.json'), String(await freePort())], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  const lines = out
    .split('\n')
    .filter((line) => line.startsWith('{"'))
    .map((line) => JSON.parse(line) as { primary?: string[]; worker?: boolean })
  assert.deepEqual(
    lines.filter((l) => 'worker' in l),
    [{ worker: true }, { worker: true }],
  )
  assert.deepEqual(lines.find((l) => 'primary' in l)?.primary, [])
})

// The components only some configs use (src/gateway/components/runtimes.ts): a worker evaluates them
// the first time its config names one, not at start.
const COMPONENT_RUNTIMES = [
  'cel.ts',
  'cel-go-functions.ts',
  'json-schema.ts',
  'json-schema-formats.ts',
  'jwt.ts',
  'jwks.ts',
  'go-jose.ts',
  'verified-tokens.ts',
  'signer.ts',
  'jws-sign.ts',
  'client-credentials.ts',
  'revoker.ts',
  'martian.ts',
  'martian-run.ts',
  'lua.ts',
  'lua-engine.ts',
  'lua-errors.ts',
  'lua-api.ts',
  'lua-router.ts',
  '../xml-encoding.ts',
  '../xml-scanner.ts',
  '../rss-encoding.ts',
  '../xml-writer.ts',
  '../yaml-encoding.ts',
  'http-cache-store.ts',
  'http-cache-policy.ts',
  '../backend-cache-hops.ts',
].map((name) => `/src/gateway/components/${name}`.replace('/components/../', '/'))

const workerScript = `${RECORD_RESOLVED_MODULES}
const { runGateway } = await import('${runtime}')
const running = await runGateway({ configFile: process.argv[2], workers: 1, drainGraceMs: 0 })
console.log(JSON.stringify(${JSON.stringify(COMPONENT_RUNTIMES)}.filter((name) => [...resolved].some((url) => url.endsWith(name)))))
running.stop()
process.exitCode = await running.done
`

/** The component runtimes a single-worker node has evaluated once it serves `config`. */
async function runtimesLoaded(config: Record<string, unknown>): Promise<string[]> {
  const dir = tempDir('gw-start-modules-')
  writeFileSync(join(dir, 'worker.mjs'), workerScript)
  writeFileSync(
    join(dir, 'gateway.json'),
    JSON.stringify({ version: 3, name: 'start', port: await freePort(), listen_ip: '127.0.0.1', ...config }),
  )
  const out = execFileSync(process.execPath, [join(dir, 'worker.mjs'), join(dir, 'gateway.json')], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  const line = out.split('\n').find((l) => l.startsWith('['))
  assert.ok(line, `the worker printed what it loaded: ${out}`)
  return JSON.parse(line) as string[]
}

test('a plain config does not evaluate the component runtimes at start', async () => {
  const backend = { host: ['http://127.0.0.1:19'], url_pattern: '/a' }
  const loaded = await runtimesLoaded({
    endpoints: [
      { endpoint: '/a', backend: [backend] },
      { endpoint: '/m', backend: [backend, { ...backend, url_pattern: '/b' }] },
    ],
  })
  assert.deepEqual(loaded, [])
})

test('a config naming the components evaluates each of them (the list above is current)', async () => {
  const dir = tempDir('gw-start-keys-')
  const keys = join(dir, 'keys.json')
  writeFileSync(keys, JSON.stringify({ keys: [{ kty: 'oct', kid: 'k', alg: 'HS256', k: 'c2VjcmV0' }] }))
  const host = ['http://127.0.0.1:19']
  const loaded = await runtimesLoaded({
    extra_config: {
      'auth/revoker': { n: 1000, p: 0.0001, hash_name: 'default', ttl: 3600, port: 0, token_keys: ['jti'] },
    },
    endpoints: [
      {
        endpoint: '/a',
        extra_config: {
          'auth/validator': { alg: 'HS256', jwk_local_path: keys, disable_jwk_security: true },
          'validation/cel': [{ check_expr: "req_method == 'GET'" }],
          'validation/json-schema': { type: 'object' },
          'modifier/lua-endpoint': { pre: 'local c = ctx.load()' },
        },
        backend: [
          {
            host,
            url_pattern: '/a',
            extra_config: {
              'modifier/martian': {
                'header.Modifier': { scope: ['request'], name: 'X-A', value: '1' },
              },
              'auth/client-credentials': {
                client_id: 'a',
                client_secret: 'b',
                token_url: 'http://127.0.0.1:19/t',
              },
              'qos/http-cache': {},
            },
          },
        ],
      },
      {
        endpoint: '/signed',
        extra_config: {
          'auth/signer': {
            alg: 'HS256',
            kid: 'k',
            keys_to_sign: ['token'],
            jwk_local_path: keys,
            disable_jwk_security: true,
          },
        },
        backend: [{ host, url_pattern: '/s' }],
      },
      {
        endpoint: '/feeds',
        output_encoding: 'negotiate',
        backend: [
          { host, url_pattern: '/x', encoding: 'xml' },
          { host, url_pattern: '/r', encoding: 'rss' },
        ],
      },
    ],
  })
  assert.deepEqual(loaded, COMPONENT_RUNTIMES)
})
