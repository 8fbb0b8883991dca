// The bundled runtime (what images ship) as a real process, with components that pull in jose, ajv
// and cel-js: proves esbuild carries them and that they answer over HTTP/1.1 and h2c.
import assert from 'node:assert/strict'
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { base64url, SignJWT } from 'jose'
import { buildRuntimeBundle } from '../../../src/image/bundle.ts'
import { freePort } from '../../helpers/free-port.ts'
import { send, sendH2, startBackend, type TestBackend } from '../helpers.ts'

let dir: string
let backend: TestBackend
let bundle: Awaited<ReturnType<typeof buildRuntimeBundle>>
let child: ChildProcess | undefined
let url: string
let stderr = ''
const secret = new TextEncoder().encode('bundle-test-secret-with-32-bytes!!')

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-bundle-components-'))
  backend = await startBackend('api')
  bundle = await buildRuntimeBundle({ cacheDir: join(dir, 'cache') })
  await writeFile(
    join(dir, 'keys.json'),
    JSON.stringify({ keys: [{ kty: 'oct', kid: 'k', alg: 'HS256', k: base64url.encode(secret) }] }),
  )
  const port = await freePort()
  await writeFile(
    join(dir, 'gateway.json'),
    JSON.stringify({
      version: 3,
      name: 'bundle',
      listen_ip: '127.0.0.1',
      port,
      extra_config: {
        'security/cors': { allow_origins: ['https://app.example'] },
        'security/bot-detector': { patterns: ['(?i)evilbot'] },
        'gwdeploy/runtime': { workers: 1 },
        'telemetry/logging': { level: 'CRITICAL' },
      },
      endpoints: [
        {
          endpoint: '/orders',
          method: 'POST',
          extra_config: {
            'auth/validator': {
              alg: 'HS256',
              jwk_local_path: join(dir, 'keys.json'),
              disable_jwk_security: true,
            },
            'validation/json-schema': { type: 'object', required: ['id'] },
            'validation/cel': [{ check_expr: "req_method == 'POST'" }],
          },
          backend: [{ host: [backend.origin], url_pattern: '/echo' }],
        },
      ],
    }),
  )
  child = spawn(process.execPath, [bundle.path, '--config', join(dir, 'gateway.json')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  })
  child.stderr?.on('data', (c) => {
    stderr += c
  })
  url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 200; i += 1) {
    const up = await send(url, { path: '/__health' }).catch(() => undefined)
    if (up?.status === 200) return
    if (child.exitCode !== null) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`the bundle never became healthy: ${stderr}`)
})
after(async () => {
  if (child?.pid !== undefined && child.exitCode === null) {
    child.kill('SIGKILL')
    await once(child, 'exit')
  }
  await backend?.close()
  await rm(dir, { recursive: true, force: true })
})

test('the libraries only some configs use are files of their own beside gateway.cjs, not in it', async () => {
  assert.deepEqual(bundle.files, [
    'gateway.cjs',
    'lazy/ajv.cjs',
    'lazy/amqp.cjs',
    'lazy/cel.cjs',
    'lazy/components-cel.cjs',
    'lazy/components-client-credentials.cjs',
    'lazy/components-http-cache-store.cjs',
    'lazy/components-json-schema.cjs',
    'lazy/components-jwt.cjs',
    'lazy/components-lua.cjs',
    'lazy/components-revoker.cjs',
    'lazy/components-rss-encoding.cjs',
    'lazy/components-xml-encoding.cjs',
    'lazy/components-xml-writer.cjs',
    'lazy/components-yaml-encoding.cjs',
    'lazy/components.cjs',
    'lazy/fengari.cjs',
    'lazy/jose.cjs',
    'lazy/lambda.cjs',
    'lazy/metrics.cjs',
    'lazy/pubsub-aws.cjs',
    'lazy/pubsub-kafka.cjs',
    'lazy/pubsub-nats.cjs',
    'lazy/pubsub-rabbit.cjs',
    'lazy/re2js.cjs',
    'lazy/revoker.cjs',
    'lazy/xml.cjs',
    'lazy/yaml.cjs',
    'start.cjs',
    'code-cache-warm.cjs',
  ])
  // Each loads on its own, away from node_modules (the cache is under the temp dir), as the image
  // build loads them to fill the compile cache.
  for (const file of bundle.files.filter((name) => name.startsWith('lazy/')))
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(join(bundle.dir, file))})`], { cwd: dir })
  const main = await readFile(bundle.path, 'utf8')
  const jose = await readFile(join(bundle.dir, 'lazy/jose.cjs'), 'utf8')
  // Each library's own error names: in its lazy file, absent from the runtime everyone loads.
  for (const [text, file] of [
    ['JWSSignatureVerificationFailed', jose],
    ['LUA_COMPAT_FLOATSTRING', await readFile(join(bundle.dir, 'lazy/fengari.cjs'), 'utf8')],
    ["rpc: can't find service", await readFile(join(bundle.dir, 'lazy/revoker.cjs'), 'utf8')],
    ['gateway_backend_requests_total', await readFile(join(bundle.dir, 'lazy/metrics.cjs'), 'utf8')],
    // (the refusal's own words are the main bundle's too: an async agent logs them on its line)
    ['no such overload: ', await readFile(join(bundle.dir, 'lazy/components-cel.cjs'), 'utf8')],
    [
      'rabbitpubsub: message returned from',
      await readFile(join(bundle.dir, 'lazy/pubsub-rabbit.cjs'), 'utf8'),
    ],
    ['failed to dial NATS_SERVER_URL', await readFile(join(bundle.dir, 'lazy/pubsub-nats.cjs'), 'utf8')],
    [
      'kafka: client has run out of available brokers',
      await readFile(join(bundle.dir, 'lazy/pubsub-kafka.cjs'), 'utf8'),
    ],
    ['sns.PublishBatch failed for', await readFile(join(bundle.dir, 'lazy/pubsub-aws.cjs'), 'utf8')],
    ['Expected amqp: or amqps: as the protocol', await readFile(join(bundle.dir, 'lazy/amqp.cjs'), 'utf8')],
  ] as const) {
    assert.ok(file.includes(text), text)
    assert.ok(!main.includes(text), `${text} is bundled into gateway.cjs`)
  }
})

describe('components in the bundled runtime process', () => {
  test('JWT, JSON schema and CEL guard the endpoint', async () => {
    const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'HS256', kid: 'k' }).sign(secret)
    assert.equal((await send(url, { method: 'POST', path: '/orders', body: { id: 1 } })).status, 401)
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    assert.equal((await send(url, { method: 'POST', path: '/orders', headers: auth, body: {} })).status, 400)
    assert.equal(
      (await send(url, { method: 'POST', path: '/orders', headers: auth, body: { id: 1 } })).status,
      200,
    )
  })

  test('the bot detector runs Go patterns (re2js, loaded on demand) in the bundle', async () => {
    const bot = await send(url, { method: 'POST', path: '/orders', headers: { 'user-agent': 'x EvilBot/2' } })
    assert.equal(bot.status, 403)
    const person = await send(url, {
      method: 'POST',
      path: '/orders',
      headers: { 'user-agent': 'Mozilla/5.0' },
    })
    assert.equal(person.status, 401, 'past the detector, stopped by the JWT validator')
  })

  test('CORS preflights over HTTP/1.1 and h2c', async () => {
    const headers = { origin: 'https://app.example', 'access-control-request-method': 'POST' }
    for (const res of [
      await send(url, { method: 'OPTIONS', path: '/orders', headers }),
      await sendH2(url, { method: 'OPTIONS', path: '/orders', headers }),
    ]) {
      assert.equal(res.status, 204)
      assert.equal(res.headers['access-control-allow-origin'], 'https://app.example')
    }
    const h2 = await sendH2(url, {
      method: 'POST',
      path: '/orders',
      headers: { origin: 'https://app.example' },
    })
    assert.equal(h2.status, 401)
    assert.equal(h2.headers.vary, 'Origin')
    assert.equal(h2.headers['access-control-allow-origin'], 'https://app.example')
  })
})
