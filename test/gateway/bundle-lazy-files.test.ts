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
import { freePort, send } from './helpers.ts'

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
}

/** What a healthy single-process node has loaded at start. */
async function loadedAtStart(extraArgs: string[], metricsPort?: number): Promise<Loaded> {
  const port = await freePort()
  const out = join(dir, `required-${port}.json`)
  const args = ['--config', join(dir, 'gateway.json'), '--port', String(port), '--listen-ip', '127.0.0.1']
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
        return metrics === undefined ? { lazy, builtins } : { lazy, builtins, metrics }
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

test('a plain config without metrics loads no lazy library, prom-client included', async () => {
  const { lazy, builtins } = await loadedAtStart([])
  assert.deepEqual(lazy, [])
  assert.ok(builtins.includes('http'), 'the probe lists the built-ins the process loaded')
  assert.ok(!builtins.includes('v8'), "prom-client's heap metrics (node:v8) are not loaded")
})

test('with --metrics-port the node loads lazy/metrics.cjs at start and serves its series', async () => {
  const metricsPort = await freePort()
  const { lazy, metrics } = await loadedAtStart(['--metrics-port', String(metricsPort)], metricsPort)
  assert.deepEqual(lazy, ['lazy/metrics.cjs'])
  assert.match(metrics ?? '', /^gateway_info\{[^}]*name="plain"[^}]*\} 1$/m)
  assert.match(metrics ?? '', /^process_cpu_seconds_total\{[^}]*\} \d/m)
})
