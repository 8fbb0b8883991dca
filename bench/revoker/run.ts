// What auth/revoker's peer pulls cost the requests of the node that pulls (--revoker-peers, as on
// aws): a peer node and a pulling node, both the runtime bundle, the pulling node under a paced hey
// load while the peer takes a revocation every --revoke-every seconds, so most 15 s pulls bring a
// change. Prints the pulling node's latency (p50, p99, p99.9, max) and its start to healthy (the first
// pull happens before it serves), for this checkout and, with --baseline DIR, another checkout's
// runtime in the same invocation, one after the other.
//
//   node bench/revoker/run.ts [--n 10000000] [--p 0.0000001] [--seconds 35] [--rate 200]
//     [--revoke-every 5] [--workers 1] [--rounds 1] [--baseline DIR]
//
// The defaults are KrakenD's documented example filter (42 MB per filter, three per node). Every
// server listens on 127.0.0.1; the load is paced and bounded by --seconds.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { addRevocations } from '../../src/gateway/revoker/revocation-client.ts'
import { buildRuntimeBundle } from '../../src/image/bundle.ts'
import { freePort, heyArgs, heyCsvLatency, loadRunLimit, sleep, waitFor, which } from '../gateway/lab.ts'

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '10000000' },
    p: { type: 'string', default: '0.0000001' },
    seconds: { type: 'string', default: '35' },
    rate: { type: 'string', default: '200' },
    'revoke-every': { type: 'string', default: '5' },
    workers: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '1' },
    baseline: { type: 'string' },
  },
})
const SECONDS = Math.min(300, Number(values.seconds))
const RATE = Math.min(2000, Number(values.rate))
const REVOKE_EVERY_S = Number(values['revoke-every'])
const hey = which('hey')
if (!hey) throw new Error('hey is not installed (apt-get install hey)')

const dir = mkdtempSync(join(tmpdir(), 'gw-revoker-bench-'))
const children: ChildProcess[] = []
const stopAll = () => {
  for (const child of children) child.kill('SIGKILL')
}
process.on('exit', () => {
  stopAll()
  rmSync(dir, { recursive: true, force: true })
})

// The backend is a process of its own: this one must go on revoking while hey runs.
const backendPort = await freePort()
children.push(
  spawn(
    process.execPath,
    [
      '-e',
      `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'application/json'); s.end('{"ok":true}') }).listen(${backendPort}, '127.0.0.1')`,
    ],
    { stdio: 'ignore' },
  ),
)
await waitFor(`http://127.0.0.1:${backendPort}/`)

function writeConfig(name: string, port: number, revokerPort: number): string {
  const file = join(dir, `${name}.json`)
  const config = {
    version: 3,
    name,
    port,
    listen_ip: '127.0.0.1',
    extra_config: {
      'auth/revoker': {
        n: Number(values.n),
        p: Number(values.p),
        hash_name: 'optimal',
        ttl: 3600,
        port: revokerPort,
        token_keys: ['jti'],
      },
    },
    endpoints: [
      { endpoint: '/ping', backend: [{ host: [`http://127.0.0.1:${backendPort}`], url_pattern: '/' }] },
    ],
  }
  writeFileSync(file, JSON.stringify(config))
  return file
}

function start(bundle: string, config: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, [bundle, '--config', config, '--drain-grace', '0s', ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  children.push(child)
  return child
}

interface Figures {
  healthyMs: number
  p50: number
  p99: number
  p999: number
  max: number
  revocations: number
}

async function measure(bundle: string, label: string): Promise<Figures> {
  const [peerPort, peerRevoker, nodePort, nodeRevoker] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ])
  const peer = start(bundle, writeConfig(`${label}-peer`, peerPort, peerRevoker), ['--workers', '1'])
  await waitFor(`http://127.0.0.1:${peerPort}/__health`, 60_000)
  const at = { host: '127.0.0.1', port: peerRevoker }
  await addRevocations(at, ['jti-before'], 10_000)
  const started = performance.now()
  const node = start(bundle, writeConfig(`${label}-node`, nodePort, nodeRevoker), [
    '--workers',
    String(values.workers),
    '--revoker-peers',
    `127.0.0.1:${peerRevoker}`,
  ])
  await waitFor(`http://127.0.0.1:${nodePort}/__health`, 120_000)
  const healthyMs = performance.now() - started
  let revocations = 0
  let revoking = REVOKE_EVERY_S > 0
  const revoker = (async () => {
    while (revoking) {
      await sleep(REVOKE_EVERY_S * 1000)
      if (!revoking) break
      await addRevocations(at, [`jti-${label}-${revocations++}`], 10_000)
    }
  })()
  const url = `http://127.0.0.1:${nodePort}/ping`
  const { stdout } = await promisify(execFile)(
    hey as string,
    heyArgs(url, { rate: RATE, connections: 4, seconds: SECONDS }),
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...loadRunLimit(SECONDS) },
  )
  const latency = heyCsvLatency(url, stdout)
  revoking = false
  await revoker
  for (const child of [node, peer]) child.kill('SIGKILL')
  return { healthyMs, ...latency, revocations }
}

console.error('bundling the gateway runtime with esbuild ...')
const bundle = (await buildRuntimeBundle({ cacheDir: join(dir, 'cache'), force: true })).path
let baselineBundle: string | undefined
if (values.baseline) {
  const bundler = (await import(join(resolve(values.baseline), 'src', 'image', 'bundle.ts'))) as {
    buildRuntimeBundle: typeof buildRuntimeBundle
  }
  baselineBundle = (await bundler.buildRuntimeBundle({ cacheDir: join(dir, 'baseline-cache'), force: true }))
    .path
}

const results: Array<[string, Figures]> = []
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const [label, path] of [
    ['gateway', bundle],
    ...(baselineBundle ? [['baseline', baselineBundle]] : []),
  ] as Array<[string, string]>) {
    console.error(`round ${round}: ${label} (${SECONDS} s at ${RATE} req/s) ...`)
    results.push([label, await measure(path, label)])
  }
}

const ms = (x: number) => `${x.toFixed(1)} ms`
console.log(
  `auth/revoker n ${values.n}, p ${values.p}; pulling node --workers ${values.workers}; ${RATE} req/s for ${SECONDS} s; a revocation on the peer every ${REVOKE_EVERY_S} s (0: none)`,
)
for (const [label, f] of results)
  console.log(
    `${label.padEnd(9)} start to healthy ${ms(f.healthyMs)}; latency p50 ${ms(f.p50)}, p99 ${ms(f.p99)}, p99.9 ${ms(f.p999)}, max ${ms(f.max)} (${f.revocations} revocations)`,
  )
const best = (label: string, key: keyof Figures) =>
  Math.min(...results.filter(([l]) => l === label).map(([, f]) => f[key]))
if (baselineBundle)
  console.log(
    `gateway/baseline: p99.9 ${(best('gateway', 'p999') / best('baseline', 'p999')).toFixed(2)}x, max ${(best('gateway', 'max') / best('baseline', 'max')).toFixed(2)}x, start to healthy ${(best('gateway', 'healthyMs') / best('baseline', 'healthyMs')).toFixed(2)}x (lower is better)`,
  )
process.exit(0)
