// The runtime's entry in images and local nodes, start.cjs: gateway.cjs run from the V8 code cache
// its warm-up wrote (src/gateway/code-cache/). Real processes on 127.0.0.1 in front of a real backend:
// the answers through start.cjs are gateway.cjs's, with the cache accepted, rejected (other V8
// flags), corrupt, truncated or missing, and with cluster workers.
import assert from 'node:assert/strict'
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { CODE_CACHE_DIR, LOADER_FILE, WARM_UP_FILE } from '../../src/gateway/code-cache/names.ts'
import { buildRuntimeBundle, type RuntimeBundle } from '../../src/image/bundle.ts'
import { freePort } from '../helpers/free-port.ts'
import { send, startBackend, type TestBackend } from './helpers.ts'

let dir: string
let backend: TestBackend
let bundle: RuntimeBundle
let config: string
const children = new Set<ChildProcess>()
const { NODE_COMPILE_CACHE: _noCompileCache, ...nodeEnv } = process.env

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-code-cache-'))
  backend = await startBackend('api', {
    '/item': {
      raw: '{"id":7,"price":1.50,"name":"caf\\u00e9"}',
      headers: { 'content-type': 'application/json' },
    },
  })
  bundle = await buildRuntimeBundle({ cacheDir: join(dir, 'cache') })
  config = join(dir, 'gateway.json')
  await writeFile(
    config,
    JSON.stringify({
      version: 3,
      name: 'code cache',
      listen_ip: '127.0.0.1',
      extra_config: { 'telemetry/logging': { level: 'CRITICAL' } },
      endpoints: [
        { endpoint: '/echo', backend: [{ host: [backend.origin], url_pattern: '/echo' }] },
        {
          endpoint: '/merge',
          backend: [
            { host: [backend.origin], url_pattern: '/item', group: 'item' },
            { host: [backend.origin], url_pattern: '/echo', allow: ['method', 'url'] },
          ],
        },
      ],
    }),
  )
})
after(async () => {
  for (const child of children) child.kill('SIGKILL')
  await backend?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

const cacheFiles = (runtimeDir: string) =>
  existsSync(join(runtimeDir, CODE_CACHE_DIR))
    ? readdirSync(join(runtimeDir, CODE_CACHE_DIR)).map((name) => join(runtimeDir, CODE_CACHE_DIR, name))
    : []

const warm = (runtimeDir: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [join(runtimeDir, WARM_UP_FILE)], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  })

/** The bundle's cache file, warmed first when a test runs alone. */
function warmCache(): string {
  if (cacheFiles(bundle.dir).length === 0) assert.equal(warm(bundle.dir).status, 0)
  const [file] = cacheFiles(bundle.dir)
  assert.ok(file)
  return file
}

/** Starts `entry` on the test config, waits for its health check; what it printed on stderr and how to stop it. */
async function startNode(
  entry: string,
  options: { execArgv?: string[]; workers?: number; env?: Record<string, string> } = {},
) {
  const port = await freePort()
  const args = ['--config', config, '--port', String(port), '--workers', String(options.workers ?? 1)]
  const child = spawn(
    process.execPath,
    [...(options.execArgv ?? []), entry, ...args, '--drain-grace', '0s'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...nodeEnv, NODE_DEBUG: 'gwdeploy', ...options.env },
    },
  )
  children.add(child)
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const url = `http://127.0.0.1:${port}`
  let healthy = false
  for (let tries = 0; tries < 300 && !healthy && child.exitCode === null; tries++) {
    healthy = (await send(url, { path: '/__health' }).catch(() => undefined))?.status === 200
    if (!healthy) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  assert.ok(healthy, `${entry} never became healthy: ${stderr}`)
  return {
    url,
    stderr: () => stderr,
    async stop() {
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
      children.delete(child)
    },
  }
}

/** Status, headers but Date and body of a few requests (the node's own port and clock taken out). */
async function answers(url: string) {
  const out = []
  for (const path of ['/echo?q=1', '/merge', '/missing', '/__health']) {
    const res = await send(url, { path, headers: { 'x-test': 'a' } })
    // The health answer's length follows its clock (`now`, written as Go writes a time).
    const { date: _date, 'content-length': length, ...headers } = res.headers
    if (path !== '/__health') headers['content-length'] = length
    const body = res.text
      .replaceAll(url.replace('http://', ''), 'NODE')
      .replace(/"(now|started)":"[^"]*"/g, '"$1":"…"')
    out.push({ path, status: res.status, headers, body })
  }
  return out
}

let reference: Awaited<ReturnType<typeof answers>>
async function assertSameAnswers(node: Awaited<ReturnType<typeof startNode>>) {
  if (reference === undefined) {
    const direct = await startNode(bundle.path)
    reference = await answers(direct.url)
    await direct.stop()
  }
  assert.deepEqual(await answers(node.url), reference)
}

describe('start.cjs and the code cache', { concurrency: false }, () => {
  test('the warm-up writes a cache everyone can read, without the config it ran; start.cjs reads it and answers as gateway.cjs', async () => {
    assert.ok(
      bundle.files.includes(LOADER_FILE) && bundle.files.includes(WARM_UP_FILE),
      bundle.files.join(' '),
    )
    const warmed = warm(bundle.dir)
    assert.equal(warmed.status, 0, warmed.stderr)
    const [file, ...others] = cacheFiles(bundle.dir)
    assert.ok(file !== undefined && others.length === 0, `one cache: ${cacheFiles(bundle.dir)}`)
    assert.match(file, new RegExp(`/${CODE_CACHE_DIR}/[0-9a-f]{32}-v8-[^/]+-${process.arch}\\.bin$`))
    assert.equal(statSync(file).mode & 0o777, 0o644)
    // Compiled code only: nothing of the warm-up config's own values (its name, paths, hosts) is in it.
    const bytes = readFileSync(file)
    for (const value of ['gwdeploy code cache warm-up', '/warm-up/proxy', '127.0.0.1:19'])
      assert.equal(bytes.indexOf(value), -1, `${value} in the cache`)
    // A second warm-up finds it and leaves it.
    const mtime = statSync(file).mtimeMs
    assert.equal(warm(bundle.dir).status, 0)
    assert.equal(statSync(file).mtimeMs, mtime)

    const node = await startNode(join(bundle.dir, LOADER_FILE))
    assert.match(node.stderr(), /gwdeploy code cache \S+: accepted/)
    await assertSameAnswers(node)
    await node.stop()
  })

  test('cluster workers start through start.cjs too', async () => {
    warmCache()
    const node = await startNode(join(bundle.dir, LOADER_FILE), { workers: 2 })
    // The primary and both workers read the cache.
    for (let tries = 0; tries < 100 && node.stderr().match(/: accepted/g)?.length !== 3; tries++)
      await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(node.stderr().match(/: accepted/g)?.length, 3, node.stderr())
    await assertSameAnswers(node)
    await node.stop()
  })

  test('a cache V8 rejects (other V8 flags), a corrupt one and a truncated one: compiled from source, same answers', async () => {
    const file = warmCache()
    const good = readFileSync(file)
    try {
      const otherFlags = await startNode(join(bundle.dir, LOADER_FILE), { execArgv: ['--no-lazy'] })
      assert.match(otherFlags.stderr(), /gwdeploy code cache \S+: rejected/)
      await assertSameAnswers(otherFlags)
      await otherFlags.stop()
      for (const broken of [Buffer.alloc(good.length, 0x5a), good.subarray(0, good.length >> 1)]) {
        writeFileSync(file, broken)
        const node = await startNode(join(bundle.dir, LOADER_FILE))
        assert.match(node.stderr(), /gwdeploy code cache \S+: rejected/)
        await assertSameAnswers(node)
        await node.stop()
      }
    } finally {
      writeFileSync(file, good)
    }
  })

  test('without a cache, or with NODE_DISABLE_COMPILE_CACHE, start.cjs requires gateway.cjs as Node would', async () => {
    const copy = join(dir, 'no-cache')
    cpSync(bundle.dir, copy, { recursive: true })
    rmSync(join(copy, CODE_CACHE_DIR), { recursive: true, force: true })
    const node = await startNode(join(copy, LOADER_FILE))
    assert.match(node.stderr(), /gwdeploy code cache \S+: none/)
    await assertSameAnswers(node)
    await node.stop()
    // Node's switch for its compile cache turns the code cache off too.
    warmCache()
    const off = await startNode(join(bundle.dir, LOADER_FILE), { env: { NODE_DISABLE_COMPILE_CACHE: '1' } })
    assert.match(off.stderr(), /gwdeploy code cache \S+: none/)
    await off.stop()
  })

  test("the warm-up's node ignores the gateway's, KrakenD's and gwdeploy's variables and proxies", () => {
    const copy = join(dir, 'stray-env')
    cpSync(bundle.dir, copy, { recursive: true })
    rmSync(join(copy, CODE_CACHE_DIR), { recursive: true, force: true })
    const warmed = warm(copy, {
      GATEWAY_METRICS_PORT: 'not a port',
      KRAKEND_PORT: '1',
      GWDEPLOY_ENV_DIR: join(dir, 'missing-env-dir'),
      HTTP_PROXY: 'http://127.0.0.1:1',
      http_proxy: 'http://127.0.0.1:1',
    })
    assert.equal(warmed.status, 0, warmed.stderr)
    assert.equal(cacheFiles(copy).length, 1)
  })

  test('the warm-up writes no cache for a gateway.cjs start.cjs was not built with', () => {
    const copy = join(dir, 'changed')
    cpSync(bundle.dir, copy, { recursive: true })
    rmSync(join(copy, CODE_CACHE_DIR), { recursive: true, force: true })
    writeFileSync(join(copy, 'gateway.cjs'), `${readFileSync(join(copy, 'gateway.cjs'), 'utf8')};\n`)
    const warmed = warm(copy)
    assert.equal(warmed.status, 1)
    assert.match(warmed.stderr, /is not the gateway\.cjs start\.cjs was built with: no code cache/)
    assert.deepEqual(cacheFiles(copy), [])
    // And start.cjs still runs the changed file (from source).
    execFileSync(process.execPath, [join(copy, LOADER_FILE), '--version'])
  })
})
