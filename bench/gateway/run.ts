// Gateway benchmark: wrk (HTTP/1.1), h2load (h2c) and hey (rate-limited p99) against
//   (a) the backend directly, (b) HAProxy as a plain proxy, (c) our gateway (the esbuild bundle),
//   (d) KrakenD CE when `krakend` is on PATH,
// all on the same config: a single-backend proxy endpoint (JSON decoded and rendered), the same proxy
// with no-op encoding (the body passed through, as HAProxy passes it) and a 3-backend merge endpoint with
// ~1.5 KB of JSON per backend. The backend is HAProxy answering static files (`http-request
// return`), so the backend is never the bottleneck. Everything binds 127.0.0.1; each load run is
// bounded in time. Targets alternate inside each round; the best round is reported.
//
// Component cost: the same proxy endpoint behind auth/validator (an HS256 token on every request) and
// behind qos/ratelimit/router (limits too high to reject), as ratios of the plain proxy.
// Besides req/s, the CPU time the gateway's processes (and the baseline's, KrakenD's) spent per request,
// read from /proc: a figure that holds when other work shares the machine.
// --baseline DIR bundles the runtime of another gwdeploy checkout (e.g. a worktree of the previous
// release) and measures it in the same rounds, so a change's effect is one ratio of one run.
//
//   node bench/gateway/run.ts [--duration 4] [--rounds 2] [--connections 64] [--workers 0] [--baseline DIR]
//                             [--soak 60]   (full load on /proxy for that long, worker RSS every 10 s)
//                             [--go-order]   (the backend's keys sorted, as a Go backend sends them)
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect as connectH2 } from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { LOADER_FILE, WARM_UP_FILE } from '../../src/gateway/code-cache/names.ts'
import { buildRuntimeBundle } from '../../src/image/bundle.ts'
import { benchConfigs } from './bench-configs.ts'
import {
  benchDocument,
  benchJwt,
  freePort,
  HAPROXY_DEFAULTS,
  heyLatency,
  loadRunLimit,
  proxyFrontend,
  sleep,
  staticBackendFrontend,
  type TailLatency,
  waitFor,
  which,
} from './lab.ts'
import { type LoadFigures, readH2load, readWrk } from './load-output.ts'
import { largestWorkerRssMb, rssMb, treeCpuUs } from './proc-stats.ts'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
    workers: { type: 'string', default: '0' },
    baseline: { type: 'string' },
    soak: { type: 'string', default: '0' },
    'go-order': { type: 'boolean', default: false },
  },
})
const DURATION = Number(values.duration)
const ROUNDS = Number(values.rounds)
const CONNECTIONS = Number(values.connections)
const WORKERS = Number(values.workers)
const SOAK_S = Number(values.soak)
if (!Number.isInteger(SOAK_S) || SOAK_S < 0 || SOAK_S > 600) {
  console.error(`--soak ${values.soak}: give whole seconds from 0 to 600`)
  process.exit(2)
}

const tools = {
  wrk: which('wrk'),
  hey: which('hey'),
  h2load: which('h2load'),
  haproxy: which('haproxy'),
  krakend: which('krakend'),
}
for (const needed of ['wrk', 'haproxy'] as const)
  if (!tools[needed]) {
    console.error(`${needed} is required: apt-get install -y wrk haproxy hey nghttp2-client`)
    process.exit(2)
  }

const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'))
const children: ChildProcess[] = []
const cleanup = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
}
process.on('exit', cleanup)
process.on('SIGINT', () => process.exit(130))
process.on('SIGTERM', () => process.exit(143))

for (const name of ['item', 'a', 'b', 'c'])
  writeFileSync(join(dir, `${name}.json`), benchDocument(name, values['go-order']))
const size = Buffer.byteLength(benchDocument('item'))

const ports = {
  backend: await freePort(),
  haproxy: await freePort(),
  haproxyH2: await freePort(),
  gateway: await freePort(),
  baseline: await freePort(),
  krakend: await freePort(),
}

writeFileSync(
  join(dir, 'haproxy.cfg'),
  `global
  nbthread 2
  maxconn 4000
${HAPROXY_DEFAULTS}${staticBackendFrontend(ports.backend, dir, ['item', 'a', 'b', 'c'])}${proxyFrontend(ports.haproxy, ports.haproxyH2, ports.backend)}`,
)
const haproxy = spawn(tools.haproxy as string, ['-f', join(dir, 'haproxy.cfg'), '-db'], { stdio: 'ignore' })
children.push(haproxy)
await waitFor(`http://127.0.0.1:${ports.backend}/item`)

const backendUrl = `http://127.0.0.1:${ports.backend}`
const { jwkPath, token } = await benchJwt(dir)
const configs = benchConfigs({ backendUrl, jwkPath, ports })
for (const [name, config] of Object.entries(configs))
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(config, null, 2))

console.error('bundling the gateway runtime with esbuild ...')
const bundle = await buildRuntimeBundle({ cacheDir: join(dir, 'cache'), force: true })

// Start-up time and idle RSS of one single-worker node: cold (gateway.cjs, no cache), and as the
// bundled image and local nodes run it: start.cjs, gateway.cjs from the V8 code cache its warm-up
// writes, the rest from V8's compile cache (NODE_COMPILE_CACHE, written by a first run).
const compileCache = join(dir, 'compile-cache')
const { NODE_COMPILE_CACHE: _ignored, ...coldEnv } = process.env
execFileSync(process.execPath, [bundle.path, '--version'], {
  env: { ...coldEnv, NODE_COMPILE_CACHE: compileCache },
})
execFileSync(process.execPath, [join(bundle.dir, WARM_UP_FILE)], {
  env: { ...coldEnv, NODE_COMPILE_CACHE: compileCache },
})
const startupRuns: number[] = []
const cachedStartupRuns: number[] = []
let idleRssMb = 0
/** The same node once it has served an h2c request (node:http2 loads with the first h2c client). */
let h2cRssMb = 0
for (let i = 0; i < 6; i += 1) {
  const cached = i % 2 === 1
  const port = await freePort()
  const t0 = performance.now()
  const child = spawn(
    process.execPath,
    [
      cached ? join(bundle.dir, LOADER_FILE) : bundle.path,
      ...['--config', join(dir, 'gateway.json'), '--port', String(port), '--workers', '1'],
    ],
    { stdio: 'ignore', env: cached ? { ...coldEnv, NODE_COMPILE_CACHE: compileCache } : coldEnv },
  )
  children.push(child)
  await waitFor(`http://127.0.0.1:${port}/__health`)
  ;(cached ? cachedStartupRuns : startupRuns).push(performance.now() - t0)
  await sleep(300)
  if (!cached) {
    idleRssMb = rssMb(child.pid as number)
    await h2cHealth(port)
    await sleep(300)
    h2cRssMb = rssMb(child.pid as number)
  }
  child.kill('SIGTERM')
  await once(child, 'exit')
}

const gateway = spawn(
  process.execPath,
  [bundle.path, '--config', join(dir, 'gateway.json'), '--workers', String(WORKERS), '--drain-grace', '0s'],
  { stdio: 'ignore' },
)
children.push(gateway)
await waitFor(`http://127.0.0.1:${ports.gateway}/proxy`)
let baselineUp = false
let baselinePid: number | undefined
if (values.baseline) {
  const baselineBundler = (await import(join(values.baseline, 'src', 'image', 'bundle.ts'))) as {
    buildRuntimeBundle: typeof buildRuntimeBundle
  }
  const baselineBundle = await baselineBundler.buildRuntimeBundle({
    cacheDir: join(dir, 'baseline-cache'),
    force: true,
  })
  const baseline = spawn(
    process.execPath,
    [
      baselineBundle.path,
      '--config',
      join(dir, 'baseline.json'),
      '--workers',
      String(WORKERS),
      '--drain-grace',
      '0s',
    ],
    { stdio: 'ignore' },
  )
  children.push(baseline)
  await waitFor(`http://127.0.0.1:${ports.baseline}/proxy`)
  baselineUp = true
  baselinePid = baseline.pid
}
let krakendUp = false
let krakendPid: number | undefined
if (tools.krakend) {
  const krakend = spawn(tools.krakend, ['run', '-c', join(dir, 'krakend.json')], { stdio: 'ignore' })
  children.push(krakend)
  krakendPid = krakend.pid
  await waitFor(`http://127.0.0.1:${ports.krakend}/proxy`, 20_000)
  krakendUp = true
}

interface Result extends LoadFigures {
  /** CPU time the target's processes spent per request (µs), when measured: unlike req/s, it hardly
   * moves when other work shares the machine. */
  cpuUs?: number
}
function wrk(url: string): Result {
  const auth = url.endsWith('/jwt') ? ['-H', `Authorization: Bearer ${token}`] : []
  const out = execFileSync(
    tools.wrk as string,
    ['-t2', `-c${CONNECTIONS}`, `-d${DURATION}s`, '--latency', '--timeout', '5s', ...auth, url],
    { encoding: 'utf8', ...loadRunLimit(DURATION) },
  )
  return readWrk(url, out)
}
function h2load(url: string): Result {
  const out = execFileSync(
    tools.h2load as string,
    ['-D', String(DURATION), '-c', '16', '-m', '10', '-t', '2', url],
    { encoding: 'utf8', ...loadRunLimit(DURATION) },
  )
  return readH2load(url, out)
}

type Key = string
const best = new Map<Key, Result>()
const leastCpu = new Map<Key, number>()
const record = (key: Key, r: Result) => {
  const prev = best.get(key)
  if (!prev || r.rps > prev.rps) best.set(key, r)
  if (r.cpuUs !== undefined && !(r.cpuUs >= (leastCpu.get(key) ?? Number.POSITIVE_INFINITY)))
    leastCpu.set(key, r.cpuUs)
}
const pidsOf: Record<string, number | undefined> = {
  gateway: gateway.pid,
  baseline: baselinePid,
  krakend: krakendPid,
}
function measure(key: Key, url: string, load = wrk): Result {
  const pid = pidsOf[key.split(' ')[1] ?? '']
  const before = pid === undefined ? 0 : treeCpuUs(pid)
  const measured = load(url)
  if (pid !== undefined) measured.cpuUs = (treeCpuUs(pid) - before) / measured.requests
  return measured
}
const targets: Array<[Key, string]> = [
  ['proxy direct', `${backendUrl}/item`],
  ['proxy haproxy', `http://127.0.0.1:${ports.haproxy}/item`],
  ['proxy gateway', `http://127.0.0.1:${ports.gateway}/proxy`],
  ['noop gateway', `http://127.0.0.1:${ports.gateway}/noop`],
  ['merge gateway', `http://127.0.0.1:${ports.gateway}/merge`],
  ['jwt gateway', `http://127.0.0.1:${ports.gateway}/jwt`],
  ['ratelimit gateway', `http://127.0.0.1:${ports.gateway}/ratelimit`],
]
if (baselineUp)
  targets.push(
    ['proxy baseline', `http://127.0.0.1:${ports.baseline}/proxy`],
    ['noop baseline', `http://127.0.0.1:${ports.baseline}/noop`],
    ['merge baseline', `http://127.0.0.1:${ports.baseline}/merge`],
  )
if (krakendUp)
  targets.push(
    ['proxy krakend', `http://127.0.0.1:${ports.krakend}/proxy`],
    ['noop krakend', `http://127.0.0.1:${ports.krakend}/noop`],
    ['merge krakend', `http://127.0.0.1:${ports.krakend}/merge`],
  )
for (const [, url] of targets) wrk(url) // warm-up (JIT, pools)
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [key, url] of round % 2 ? [...targets].reverse() : targets) {
    const measured = measure(key, url)
    record(key, measured)
    console.error(`round ${round + 1}: ${key.padEnd(14)} ${measured.rps.toFixed(0)} req/s`)
  }
  if (tools.h2load) {
    record('h2c haproxy', h2load(`http://127.0.0.1:${ports.haproxyH2}/item`))
    record('h2c gateway', measure('h2c gateway', `http://127.0.0.1:${ports.gateway}/proxy`, h2load))
    if (baselineUp)
      record('h2c baseline', measure('h2c baseline', `http://127.0.0.1:${ports.baseline}/proxy`, h2load))
  }
}

const loadedRssMb = largestWorkerRssMb(gateway.pid as number)

// Soak: full load on /proxy in bounded slices, the workers' RSS after each.
const soakRssMb: number[] = []
for (let elapsed = 0; elapsed < SOAK_S; elapsed += 10) {
  execFileSync(
    tools.wrk as string,
    ['-t2', `-c${CONNECTIONS}`, '-d10s', `http://127.0.0.1:${ports.gateway}/proxy`],
    loadRunLimit(10),
  )
  soakRssMb.push(largestWorkerRssMb(gateway.pid as number))
  console.error(`soak ${elapsed + 10}s: worker RSS ${soakRssMb.at(-1)?.toFixed(1)} MB`)
}

// Added tail latency at half of the gateway's peak (hey, rate-limited), vs the backend directly.
let halfRate = 0
const noTail: TailLatency = { p50: Number.NaN, p99: Number.NaN, p999: Number.NaN, max: Number.NaN }
let tailDirect = noTail
let tailGateway = noTail
if (tools.hey) {
  halfRate = Math.round((best.get('proxy gateway')?.rps ?? 0) / 2)
  tailDirect = heyLatency(tools.hey, `${backendUrl}/item`, {
    rate: halfRate,
    connections: 8,
    seconds: DURATION,
  })
  tailGateway = heyLatency(tools.hey, `http://127.0.0.1:${ports.gateway}/proxy`, {
    rate: halfRate,
    connections: 8,
    seconds: DURATION,
  })
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits)
const cpuRatio = (a: Key, b: Key) => {
  const x = leastCpu.get(a)
  const y = leastCpu.get(b)
  return x && y ? `${(x / y).toFixed(2)}x` : '-'
}
const ratio = (a: Key, b: Key) => {
  const x = best.get(a)?.rps
  const y = best.get(b)?.rps
  return x && y ? `${(x / y).toFixed(2)}x` : '-'
}
const lines = [
  `gateway benchmark — ${new Date().toISOString()} — node ${process.version}, ${WORKERS || 'all'} gateway workers, wrk -t2 -c${CONNECTIONS} -d${DURATION}s, best of ${ROUNDS} alternating rounds`,
  `payload ${size} B JSON per backend${values['go-order'] ? ', keys in Go order' : ''}; backend = HAProxy static files; all on 127.0.0.1 of one machine (load generator shares the cores)`,
  '',
  '| target | endpoint | req/s | p99 ms | CPU µs/req |',
  '|---|---|---:|---:|---:|',
  ...[...best.entries()].map(([key, r]) => {
    const [endpoint, target] = key.split(' ')
    return `| ${target} | ${endpoint} | ${fmt(r.rps)} | ${fmt(r.p99ms, 2)} | ${fmt(leastCpu.get(key))} |`
  }),
  '',
  `proxy: gateway/HAProxy ${ratio('proxy gateway', 'proxy haproxy')}, gateway/direct ${ratio('proxy gateway', 'proxy direct')}, gateway/KrakenD ${ratio('proxy gateway', 'proxy krakend')}`,
  `no-op proxy (the body passed through): gateway/HAProxy ${ratio('noop gateway', 'proxy haproxy')}, gateway/KrakenD ${ratio('noop gateway', 'noop krakend')}`,
  `merge: gateway/KrakenD ${ratio('merge gateway', 'merge krakend')}${krakendUp ? '' : ' (no krakend on PATH)'}`,
  `CPU per request: gateway/KrakenD proxy ${cpuRatio('proxy gateway', 'proxy krakend')}, no-op ${cpuRatio('noop gateway', 'noop krakend')}, merge ${cpuRatio('merge gateway', 'merge krakend')}`,
  `h2c proxy: gateway/HAProxy ${ratio('h2c gateway', 'h2c haproxy')}`,
  `components: JWT-validated proxy/plain proxy ${ratio('jwt gateway', 'proxy gateway')}, rate-limited proxy/plain proxy ${ratio('ratelimit gateway', 'proxy gateway')}`,
  ...(baselineUp
    ? [
        `baseline (${values.baseline}): gateway/baseline req/s proxy ${ratio('proxy gateway', 'proxy baseline')}, no-op ${ratio('noop gateway', 'noop baseline')}, merge ${ratio('merge gateway', 'merge baseline')}, h2c ${ratio('h2c gateway', 'h2c baseline')}`,
        `baseline: CPU per request gateway/baseline (lower is faster) proxy ${cpuRatio('proxy gateway', 'proxy baseline')}, no-op ${cpuRatio('noop gateway', 'noop baseline')}, merge ${cpuRatio('merge gateway', 'merge baseline')}, h2c ${cpuRatio('h2c gateway', 'h2c baseline')}`,
      ]
    : []),
  `at half of gateway peak (${halfRate} req/s, hey): p99 direct ${fmt(tailDirect.p99, 2)} ms, gateway ${fmt(tailGateway.p99, 2)} ms, added ${fmt(tailGateway.p99 - tailDirect.p99, 2)} ms; p99.9 direct ${fmt(tailDirect.p999, 2)} ms, gateway ${fmt(tailGateway.p999, 2)} ms, added ${fmt(tailGateway.p999 - tailDirect.p999, 2)} ms`,
  `start to healthy (bundle, 1 worker): ${startupRuns.map((t) => `${t.toFixed(0)} ms`).join(', ')}; from the code and compile caches (as images start) ${cachedStartupRuns.map((t) => `${t.toFixed(0)} ms`).join(', ')}; idle RSS per worker ${idleRssMb.toFixed(0)} MB (${h2cRssMb.toFixed(0)} MB once it has served h2c); largest worker RSS after the rounds ${loadedRssMb.toFixed(0)} MB`,
  ...(soakRssMb.length
    ? [
        `soak ${SOAK_S} s at full load on /proxy: largest worker RSS every 10 s ${soakRssMb.map((m) => m.toFixed(0)).join(' ')} MB (last - first ${((soakRssMb.at(-1) ?? 0) - (soakRssMb[0] ?? 0)).toFixed(1)} MB)`,
      ]
    : []),
]
console.log(lines.join('\n'))
gateway.kill('SIGTERM')
cleanup()
process.exit(0)

/** One h2c (prior knowledge) GET of /__health; rejects unless it answers 200. */
function h2cHealth(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const session = connectH2(`http://127.0.0.1:${port}`)
    session.on('error', reject)
    const stream = session.request({ ':path': '/__health' })
    stream.on('response', (headers) => {
      if (headers[':status'] !== 200) reject(new Error(`h2c /__health answered ${headers[':status']}`))
    })
    stream.resume()
    stream.on('end', () => {
      session.close()
      resolve()
    })
    stream.on('error', reject)
    stream.end()
  })
}
