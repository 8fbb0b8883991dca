// A bundled node loads none of lazy/*.cjs for a config without components: not even prom-client
// (and the node:v8 its default metrics read), unless it serves metrics. Checked on a real bundle in a
// real process, which writes the files and built-ins it has loaded when asked (SIGUSR2).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { buildRuntimeBundle, type RuntimeBundle } from '../../src/image/bundle.ts'
import { freePort, send, startBackend } from './helpers.ts'

const PROBE = `
const { writeFileSync } = require('node:fs')
process.on('SIGUSR2', () =>
  writeFileSync(
    process.env.GW_PROBE_OUT,
    JSON.stringify({ required: Object.keys(require.cache), builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)) }),
  ),
)
`

let dir: string
let bundle: RuntimeBundle

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-lazy-files-'))
  bundle = await buildRuntimeBundle({ cacheDir: join(dir, 'cache') })
  writeFileSync(join(dir, 'probe.cjs'), PROBE)
  writeFileSync(
    join(dir, 'gateway.json'),
    JSON.stringify({
      version: 3,
      name: 'plain',
      endpoints: [{ endpoint: '/a', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }] }],
    }),
  )
})

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

interface Loaded {
  /** lazy/*.cjs files required. */
  lazy: string[]
  builtins: string[]
  /** The /metrics answer, when asked for. */
  metrics?: string
  /** What `ask` returned. */
  answers?: unknown
}

/**
 * What a healthy single-process node has loaded at start (of `config`, default the plain one);
 * `ask` is run against it afterwards.
 */
async function loadedAtStart(
  extraArgs: string[],
  metricsPort?: number,
  config = join(dir, 'gateway.json'),
  ask?: (origin: string) => Promise<unknown>,
): Promise<Loaded> {
  const port = await freePort()
  const out = join(dir, `required-${port}.json`)
  const args = ['--config', config, '--port', String(port), '--listen-ip', '127.0.0.1']
  const gateway = spawn(
    process.execPath,
    [
      '-r',
      join(dir, 'probe.cjs'),
      bundle.path,
      ...args,
      ...extraArgs,
      '--workers',
      '1',
      '--drain-grace',
      '0s',
    ],
    { stdio: 'ignore', env: { ...process.env, GW_PROBE_OUT: out } },
  )
  try {
    for (let i = 0; ; i++) {
      const healthy = await send(`http://127.0.0.1:${port}`, { path: '/__health' }).then(
        (res) => res.status === 200,
        () => false,
      )
      if (healthy) break
      if (i === 300 || gateway.exitCode !== null) throw new Error('the bundled gateway never became healthy')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const metrics = metricsPort
      ? (await send(`http://127.0.0.1:${metricsPort}`, { path: '/metrics' })).text
      : undefined
    gateway.kill('SIGUSR2')
    for (let i = 0; ; i++) {
      try {
        const { required, builtins } = JSON.parse(readFileSync(out, 'utf8')) as {
          required: string[]
          builtins: string[]
        }
        const lazy = required
          .filter((file) => file.startsWith(join(bundle.dir, 'lazy')))
          .map((file) => file.slice(bundle.dir.length + 1))
        const loaded: Loaded = metrics === undefined ? { lazy, builtins } : { lazy, builtins, metrics }
        if (ask) loaded.answers = await ask(`http://127.0.0.1:${port}`)
        return loaded
      } catch (error) {
        if (i === 250) throw error
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
  } finally {
    gateway.kill('SIGKILL')
    await once(gateway, 'exit')
  }
}

test("gateway.cjs is built without esbuild's keepNames (a __name call per function at every start)", () => {
  const source = readFileSync(bundle.path, 'utf8')
  assert.ok(!source.includes('__name('), 'no __name wrappers in gateway.cjs')
  // The lazy files keep them: the CEL checks read cel-js's class names.
  assert.ok(readFileSync(join(bundle.dir, 'lazy', 'cel.cjs'), 'utf8').includes('__name('))
})

test('a plain config without metrics loads no lazy library, prom-client included', async () => {
  const { lazy, builtins } = await loadedAtStart([])
  assert.deepEqual(lazy, [])
  assert.ok(builtins.includes('http'), 'the probe lists the built-ins the process loaded')
  assert.ok(!builtins.includes('v8'), "prom-client's heap metrics (node:v8) are not loaded")
  assert.ok(!builtins.includes('zlib'), 'node:zlib loads with the first gzip answer, not at start')
  assert.ok(!builtins.includes('assert'), "undici's assert(value) calls load node:assert only when one fails")
  assert.ok(
    !builtins.includes('perf_hooks'),
    'durations are read without the global performance (node:perf_hooks)',
  )
})

test('with --metrics-port the node serves its series (lazy/metrics.cjs loaded by then)', async () => {
  const metricsPort = await freePort()
  const { lazy, metrics } = await loadedAtStart(['--metrics-port', String(metricsPort)], metricsPort)
  assert.deepEqual(lazy, ['lazy/metrics.cjs'])
  assert.match(metrics ?? '', /^gateway_info\{[^}]*name="plain"[^}]*\} 1$/m)
  assert.match(metrics ?? '', /^process_cpu_seconds_total\{[^}]*\} \d/m)
})

test('with --metrics-port every request is counted, those served before prom-client loaded too', async () => {
  const metricsPort = await freePort()
  const served = async (origin: string) => {
    const statuses = [
      (await send(origin, { path: '/a' })).status,
      (await send(origin, { path: '/a' })).status,
    ]
    const text = (await send(`http://127.0.0.1:${metricsPort}`, { path: '/metrics' })).text
    const count =
      /^gateway_requests_total\{endpoint="\/a",method="GET",status="(\d+)",name="plain"\} (\d+)$/m.exec(text)
    return { statuses, counted: count?.slice(1) }
  }
  const { answers } = await loadedAtStart(
    ['--metrics-port', String(metricsPort)],
    undefined,
    undefined,
    served,
  )
  // The backend (port 19) refuses: lura's 500, twice.
  assert.deepEqual(answers, { statuses: [500, 500], counted: ['500', '2'] })
})

test('a config with qos/http-cache loads its chunk of the components at start, and its cache answers', async () => {
  const backend = await startBackend('cached', {
    '/a': { body: { n: 1 }, headers: { 'cache-control': 'max-age=60' } },
  })
  try {
    const config = join(dir, 'cached.json')
    writeFileSync(
      config,
      JSON.stringify({
        version: 3,
        name: 'cached',
        endpoints: [
          {
            endpoint: '/a',
            backend: [{ host: [backend.origin], url_pattern: '/a', extra_config: { 'qos/http-cache': {} } }],
          },
        ],
      }),
    )
    const twice = async (origin: string) => [
      (await send(origin, { path: '/a' })).text,
      (await send(origin, { path: '/a' })).text,
    ]
    const { lazy, answers } = await loadedAtStart([], undefined, config, twice)
    assert.deepEqual(lazy, ['lazy/components.cjs', 'lazy/components-http-cache-store.cjs'])
    assert.deepEqual(answers, ['{"n":1}', '{"n":1}'])
    assert.equal(backend.seen.length, 1, 'the second answer came from the cache')
  } finally {
    await backend.close()
  }
})

test('a JWT-validated endpoint loads the chunk holding the JWT validator, not the other components', async () => {
  const secret = Buffer.from('a secret of thirty-two bytes!!!!')
  const jwk = join(dir, 'jwk.json')
  writeFileSync(
    jwk,
    JSON.stringify({ keys: [{ kty: 'oct', kid: 'k', alg: 'HS256', k: secret.toString('base64url') }] }),
  )
  const config = join(dir, 'jwt.json')
  writeFileSync(
    config,
    JSON.stringify({
      version: 3,
      name: 'jwt',
      endpoints: [
        {
          endpoint: '/a',
          backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }],
          extra_config: {
            'auth/validator': { alg: 'HS256', jwk_local_path: jwk, disable_jwk_security: true },
          },
        },
      ],
    }),
  )
  const unauthorized = async (origin: string) => (await send(origin, { path: '/a' })).status
  const { lazy, answers } = await loadedAtStart([], undefined, config, unauthorized)
  assert.deepEqual(lazy, ['lazy/components.cjs', 'lazy/components-jwt.cjs'])
  assert.equal(answers, 401)
})

test("no module is bundled into two of the runtime's files: a second copy would be a second module", () => {
  // esbuild names each module it wraps by its source path: `"src/gateway/x.ts"(` starts its body.
  // A read of gateway.cjs's module (`"gwdeploy-shared:src/..."(`, shared-modules.ts) is no copy.
  const owner = new Map<string, string>()
  for (const file of bundle.files.filter(
    (name) => name === 'gateway.cjs' || name.startsWith('lazy/components'),
  )) {
    for (const [, module] of readFileSync(join(bundle.dir, file), 'utf8').matchAll(/"([^":]+\.[jt]s)"\(/g)) {
      const other = owner.get(module as string)
      assert.ok(other === undefined || other === file, `${module} is in ${other} and ${file}`)
      owner.set(module as string, file)
    }
  }
  const jwt = [...owner].find(([module]) => /\/components\/jwt\.[jt]s$/.test(module))
  assert.equal(jwt?.[1], 'lazy/components-jwt.cjs')
})
