/**
 * Writes the runtime's V8 code cache (read by start.ts): `node code-cache-warm.cjs`, bundled beside
 * gateway.cjs, run where the runtime is installed (an image's build, a local runtime's store).
 *
 * It starts one node through the loader on a synthetic config (no user config: the cache holds code
 * compiled from gateway.cjs and nothing of a config, and this one has no secret to hold), waits for
 * its first /__health answer and stops it; the loader writes the cache as the node exits. The file is
 * written beside its final name and renamed into place, readable by everyone, so a node never sees
 * half of one. Exit status 0 with the cache in place (or already there), 1 without (a line says why).
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { get } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { CODE_CACHE_OUT_ENV, codeCacheFile, GATEWAY_FILE, LOADER_FILE } from './names.ts'

/** sha256 (hex) of the gateway.cjs built with this file (the bundler's define). */
declare const GATEWAY_SHA256: string

const HEALTH_WAIT_MS = 30_000
const EXIT_WAIT_MS = 10_000

/** What a node of an ordinary config runs before its first health answer: a proxy and a merge, default logging. */
const WARM_UP_CONFIG = {
  version: 3,
  name: 'gwdeploy code cache warm-up',
  endpoints: [
    { endpoint: '/warm-up/proxy', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }] },
    {
      endpoint: '/warm-up/merge',
      backend: ['/a', '/b'].map((url_pattern) => ({ host: ['http://127.0.0.1:19'], url_pattern })),
    },
  ],
}

/**
 * What the warm-up node inherits: Node's own settings (its V8 flags must be the nodes'), never the
 * gateway's, KrakenD's or gwdeploy's variables or a proxy, which would change or refuse its config.
 */
const INHERITED = /^(PATH|HOME|TMPDIR|TZ|LANG|LC_\w+|NODE_OPTIONS|NODE_ENV|NODE_COMPILE_CACHE|NODE_DEBUG\w*)$/

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  return typeof address === 'object' && address ? address.port : 0
}

const healthStatus = (port: number) =>
  new Promise<number>((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: '/__health', timeout: 2_000 }, (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    request.on('timeout', () => request.destroy())
    request.on('error', () => resolve(0))
  })

async function warm(): Promise<string> {
  const gateway = join(__dirname, GATEWAY_FILE)
  const digest = createHash('sha256').update(readFileSync(gateway)).digest('hex')
  if (digest !== GATEWAY_SHA256)
    throw new Error(`${gateway} is not the gateway.cjs ${LOADER_FILE} was built with: no code cache`)
  const target = codeCacheFile(__dirname, digest)
  if (existsSync(target)) return target
  mkdirSync(dirname(target), { recursive: true, mode: 0o755 })
  const partial = `${target}.${process.pid}.tmp`
  const scratch = mkdtempSync(join(tmpdir(), 'gwdeploy-code-cache-'))
  try {
    const config = join(scratch, 'gateway.json')
    writeFileSync(config, JSON.stringify(WARM_UP_CONFIG))
    const port = await freePort()
    const args = ['--config', config, '--port', String(port), '--listen-ip', '127.0.0.1']
    const node = spawn(
      process.execPath,
      [join(__dirname, LOADER_FILE), ...args, '--workers', '1', '--drain-grace', '0s'],
      {
        cwd: scratch,
        env: {
          ...Object.fromEntries(Object.entries(process.env).filter(([name]) => INHERITED.test(name))),
          [CODE_CACHE_OUT_ENV]: partial,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    )
    let stderr = ''
    node.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000)
    })
    const exited = once(node, 'exit')
    let status = 0
    for (let waited = 0; waited < HEALTH_WAIT_MS && status !== 200 && node.exitCode === null; waited += 50) {
      status = await healthStatus(port)
      if (status !== 200) await sleep(50)
    }
    node.kill('SIGTERM')
    const killer = setTimeout(() => node.kill('SIGKILL'), EXIT_WAIT_MS)
    const [code] = await exited
    clearTimeout(killer)
    if (status !== 200)
      throw new Error(`the warm-up node never answered its health check (exit ${code}): ${stderr}`)
    if (!existsSync(partial) || statSync(partial).size === 0)
      throw new Error(`the warm-up node wrote no cache (exit ${code}): ${stderr}`)
    chmodSync(partial, 0o644)
    renameSync(partial, target)
    return target
  } finally {
    rmSync(partial, { force: true })
    rmSync(scratch, { recursive: true, force: true })
  }
}

warm().then(
  (target) => process.stdout.write(`gwdeploy: code cache ${target}\n`),
  (error: Error) => {
    process.stderr.write(`gwdeploy: no code cache: ${error.message}\n`)
    process.exitCode = 1
  },
)
