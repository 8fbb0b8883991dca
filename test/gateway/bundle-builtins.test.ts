// The bundled runtime loads node:http2 (and with it tls and crypto, about 5 MB of every worker) only when
// a client speaks h2c: a worker behind an HTTP/1.1 balancer never carries it. Checked on a real
// bundle in a real process, which writes the built-in modules it has loaded when asked (SIGUSR2).
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { buildRuntimeBundle } from '../../src/image/bundle.ts'
import { freePort, send, sendH2, startBackend, type TestBackend } from './helpers.ts'

const PROBE = `
const { writeFileSync } = require('node:fs')
process.on('SIGUSR2', () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13))
  writeFileSync(process.env.GW_PROBE_OUT, JSON.stringify(builtins))
})
`
const DEFERRED = ['http2', 'tls', 'crypto']

let dir: string
let backend: TestBackend
let gateway: ChildProcess
let origin: string
let metricsOrigin: string

/** The built-in modules the gateway process has loaded so far. */
async function loadedBuiltins(): Promise<string[]> {
  const out = join(dir, 'builtins.json')
  rmSync(out, { force: true })
  gateway.kill('SIGUSR2')
  for (let i = 0; i < 250; i++) {
    try {
      return JSON.parse(readFileSync(out, 'utf8')) as string[]
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  throw new Error('the gateway did not write its module list')
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-builtins-'))
  backend = await startBackend('b', { '/a': { body: { a: 1 } } })
  const bundle = await buildRuntimeBundle({ cacheDir: join(dir, 'cache') })
  writeFileSync(join(dir, 'probe.cjs'), PROBE)
  writeFileSync(
    join(dir, 'gateway.json'),
    JSON.stringify({
      version: 3,
      name: 'builtins',
      endpoints: [
        { endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/a' }] },
        // A JWT guard whose key set would come over TLS: nothing of TLS loads until it is downloaded.
        {
          endpoint: '/jwt',
          extra_config: { 'auth/validator': { alg: 'RS256', jwk_url: 'https://127.0.0.1:19/jwks.json' } },
          backend: [{ host: [backend.origin], url_pattern: '/a' }],
        },
      ],
    }),
  )
  const port = await freePort()
  const metricsPort = await freePort()
  origin = `http://127.0.0.1:${port}`
  metricsOrigin = `http://127.0.0.1:${metricsPort}`
  const args = ['--config', join(dir, 'gateway.json'), '--port', String(port), '--listen-ip', '127.0.0.1']
  args.push('--metrics-port', String(metricsPort))
  gateway = spawn(
    process.execPath,
    ['-r', join(dir, 'probe.cjs'), bundle.path, ...args, '--workers', '1', '--drain-grace', '0s'],
    { stdio: 'ignore', env: { ...process.env, GW_PROBE_OUT: join(dir, 'builtins.json') } },
  )
  for (let i = 0; ; i++) {
    const healthy = await send(origin, { path: '/__health' }).then(
      (res) => res.status === 200,
      () => false,
    )
    if (healthy) break
    if (i === 300 || gateway.exitCode !== null) throw new Error('the bundled gateway never became healthy')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
})

after(async () => {
  if (gateway && gateway.exitCode === null) {
    gateway.kill('SIGKILL')
    await once(gateway, 'exit')
  }
  await backend?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

test('HTTP/1.1 traffic, backend calls included, leaves node:http2, tls and crypto unloaded', async () => {
  const res = await send(origin, { path: '/a' })
  assert.equal(res.status, 200)
  assert.deepEqual(JSON.parse(res.text), { a: 1 })
  const loaded = await loadedBuiltins()
  assert.ok(loaded.includes('http'), 'the probe lists what the process loaded')
  assert.deepEqual(
    DEFERRED.filter((name) => loaded.includes(name)),
    [],
  )
  // prom-client's CPU metric, whose OpenTelemetry import the bundle defers, still reports.
  const metrics = await send(metricsOrigin, { path: '/metrics' })
  assert.match(metrics.text, /^process_cpu_seconds_total\{[^}]*\} \d/m)
})

test('the first h2c connection loads node:http2 and is served like HTTP/1.1', async () => {
  const res = await sendH2(origin, { path: '/a' })
  assert.equal(res.status, 200)
  assert.deepEqual(JSON.parse(res.text), { a: 1 })
  assert.ok((await loadedBuiltins()).includes('http2'))
  // The same server serves the next h2c client.
  assert.equal((await sendH2(origin, { path: '/__health' })).status, 200)
})
