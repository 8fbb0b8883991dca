// Feature benchmark: one endpoint per KrakenD CE feature that needs no other service (no-op, merge,
// sequential, allow/deny/mapping/target/group, flatmap, static data, forwarded headers, XML and YAML
// output, JWT, rate limit, circuit breaker, HTTP cache, CEL, JSON schema, Lua, martian, bot detector:
// feature-configs.ts), served by the gateway and by KrakenD CE (when `krakend` is on PATH) from one
// config over the same static HAProxy backend, each measured with wrk in alternating turns. Prints
// req/s and CPU per request of both, their ratios, and each feature's cost against the gateway's own
// plain `/proxy`: a feature where the gateway falls behind KrakenD shows here before a user finds it.
// Every endpoint must answer 200 on both first (a run never measures error answers). Everything
// binds 127.0.0.1; each wrk run is bounded in time.
//
//   node bench/gateway/features.ts [--duration 2] [--rounds 1] [--connections 64] [--workers 0]
//                                  [--only /noop,/merge]
import { execFileSync, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { buildRuntimeBundle } from '../../src/image/bundle.ts'
import {
  type FeatureEndpoint,
  featureConfig,
  featureEndpoints,
  featureHeaders,
  featureUrl,
  featureWrkArgs,
} from './feature-configs.ts'
import { benchJwt, benchScratch, freePort, loadRunLimit, waitFor, which } from './lab.ts'
import { readWrk } from './load-output.ts'
import { treeCpuUs } from './proc-stats.ts'
import { startStaticBackend } from './runtimes.ts'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '1' },
    connections: { type: 'string', default: '64' },
    workers: { type: 'string', default: '0' },
    only: { type: 'string' },
  },
})
const DURATION = Number(values.duration)
const ROUNDS = Number(values.rounds)
const WORKERS = Number(values.workers)
if (
  !(DURATION > 0 && DURATION <= 30) ||
  !(Number.isInteger(ROUNDS) && ROUNDS > 0 && ROUNDS <= 9) ||
  !(Number.isInteger(WORKERS) && WORKERS >= 0 && WORKERS <= 64)
) {
  console.error('--duration takes 1-30 seconds, --rounds 1-9, --workers 0-64 (0: one per core)')
  process.exit(2)
}
const tools = { wrk: which('wrk'), haproxy: which('haproxy'), krakend: which('krakend') }
if (!tools.wrk || !tools.haproxy) {
  console.error('wrk and haproxy are required: apt-get install -y wrk haproxy')
  process.exit(2)
}

const { dir, children } = benchScratch('gw-features-')
const backend = await startStaticBackend({
  haproxy: tools.haproxy,
  dir,
  port: await freePort(),
  goOrder: false,
  children,
})
const { jwkPath, token } = await benchJwt(dir)
const only = values.only?.split(',')
const features = featureEndpoints({ backend, jwkPath }).filter((f) => !only || only.includes(f.path))
if (features.length === 0) {
  console.error(`--only ${values.only}: no such endpoint`)
  process.exit(2)
}

const ports = { gateway: await freePort(), krakend: await freePort() }
writeFileSync(
  join(dir, 'gateway.json'),
  JSON.stringify(featureConfig(features, ports.gateway, { level: 'ERROR' })),
)
// KrakenD as its docs advise for production (bench-configs.ts): no access log, logging at ERROR
writeFileSync(
  join(dir, 'krakend.json'),
  JSON.stringify(
    featureConfig(features, ports.krakend, {
      level: 'ERROR',
      stdout: true,
      syslog: false,
      prefix: '[KRAKEND]',
    }),
  ),
)

console.error('bundling the gateway runtime with esbuild ...')
const bundle = await buildRuntimeBundle({ cacheDir: join(dir, 'cache'), force: true })
const targets: Array<{ name: string; port: number; pid: number }> = []
const gateway = spawn(
  process.execPath,
  [bundle.path, '--config', join(dir, 'gateway.json'), '--workers', String(WORKERS), '--drain-grace', '0s'],
  { stdio: 'ignore' },
)
children.push(gateway)
await waitFor(`http://127.0.0.1:${ports.gateway}/proxy`)
targets.push({ name: 'gateway', port: ports.gateway, pid: gateway.pid as number })
if (tools.krakend) {
  const krakend = spawn(tools.krakend, ['run', '-c', join(dir, 'krakend.json')], { stdio: 'ignore' })
  children.push(krakend)
  await waitFor(`http://127.0.0.1:${ports.krakend}/proxy`, 20_000)
  targets.push({ name: 'krakend', port: ports.krakend, pid: krakend.pid as number })
}

// Each endpoint answers 200 on every target before anything is measured.
for (const f of features)
  for (const target of targets) {
    const res = await fetch(featureUrl(f, target.port), {
      method: f.body === undefined ? 'GET' : 'POST',
      headers: Object.fromEntries(featureHeaders(f, token).map((h) => h.split(': ') as [string, string])),
      ...(f.body === undefined ? {} : { body: f.body }),
    })
    await res.arrayBuffer()
    if (res.status !== 200) {
      console.error(
        `${target.name} ${f.path}: ${res.status}, not 200: the bench measures answers, not errors`,
      )
      process.exit(1)
    }
  }

interface Figures {
  rps: number
  cpuUs: number
}
const best = new Map<string, Figures>()
function measure(f: FeatureEndpoint, target: (typeof targets)[number], duration: number): Figures {
  const before = treeCpuUs(target.pid)
  const url = featureUrl(f, target.port)
  const out = execFileSync(
    tools.wrk as string,
    [
      '-t2',
      `-c${values.connections}`,
      `-d${duration}s`,
      '--timeout',
      '5s',
      ...featureWrkArgs(f, dir, token),
      url,
    ],
    { encoding: 'utf8', ...loadRunLimit(duration) },
  )
  const { rps, requests } = readWrk(url, out)
  return { rps, cpuUs: (treeCpuUs(target.pid) - before) / requests }
}
for (const f of features) for (const target of targets) measure(f, target, 1) // warm-up (JIT, pools, caches)
for (let round = 0; round < ROUNDS; round += 1)
  for (const f of features)
    for (const target of round % 2 ? [...targets].reverse() : targets) {
      const key = `${target.name} ${f.path}`
      const got = measure(f, target, DURATION)
      const prev = best.get(key)
      // the best round's req/s, the least CPU per request (the figure least moved by other work)
      best.set(key, {
        rps: Math.max(got.rps, prev?.rps ?? 0),
        cpuUs: Math.min(got.cpuUs, prev?.cpuUs ?? Number.POSITIVE_INFINITY),
      })
      console.error(`round ${round + 1}: ${key.padEnd(32)} ${got.rps.toFixed(0)} req/s`)
    }

const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '-' : n.toFixed(digits))
const ratio = (x: number | undefined, y: number | undefined) => (x && y ? `${(x / y).toFixed(2)}x` : '-')
const plain = best.get('gateway /proxy')
console.log(
  [
    `gateway feature benchmark — ${new Date().toISOString()} — node ${process.version}, ${WORKERS || 'all'} gateway workers, wrk -t2 -c${values.connections} -d${DURATION}s, best of ${ROUNDS} alternating rounds; ${tools.krakend ? 'KrakenD on PATH' : 'no krakend on PATH: gateway figures only'}`,
    '',
    '| endpoint | what | gateway req/s | KrakenD req/s | req/s ratio | gateway CPU µs/req | KrakenD CPU µs/req | CPU ratio | gateway CPU / own /proxy |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...features.map((f) => {
      const g = best.get(`gateway ${f.path}`)
      const k = best.get(`krakend ${f.path}`)
      return `| ${f.path} | ${f.what} | ${fmt(g?.rps)} | ${fmt(k?.rps)} | ${ratio(g?.rps, k?.rps)} | ${fmt(g?.cpuUs)} | ${fmt(k?.cpuUs)} | ${ratio(g?.cpuUs, k?.cpuUs)} | ${ratio(g?.cpuUs, plain?.cpuUs)} |`
    }),
  ].join('\n'),
)
process.exit(0)
