// How close can a Node process get to HAProxy at all? Measures, in one run and one process each,
// HAProxy as a plain proxy (one thread), Node reference servers (bench/gateway/reference-servers.ts:
// node:http answering from memory, a raw-socket proxy with and without the JSON re-encode KrakenD
// semantics require, node:http + undici) and the gateway runtime (one worker), over HTTP/1.1 and h2c.
// The figure that holds on a shared machine is CPU time per request, read from /proc for the
// target's process alone; req/s is printed too. The ratio column is HAProxy's CPU per request over
// the target's: the share of HAProxy's efficiency a target reaches (issue 19 asks 0.7 of the gateway).
// Then latency below peak (issue 19's added p99): each HTTP/1.1 target and the backend alone, paced
// requests on one connection (hey), and what each target adds to the backend's p50/p99/p99.9.
//
//   node bench/gateway/ceiling.ts [--duration 4] [--rounds 2]
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { buildRuntimeBundle } from '../../src/image/bundle.ts'
import {
  benchDocument,
  benchLab,
  freePort,
  HAPROXY_DEFAULTS,
  heyLatency,
  loadRunLimit,
  proxyFrontend,
  startItemBackend,
  type TailLatency,
  waitFor,
  waitForListener,
  which,
} from './lab.ts'
import { readH2load, readWrk } from './load-output.ts'
import { cpuUs } from './proc-stats.ts'

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '4' }, rounds: { type: 'string', default: '2' } },
})
const DURATION = Number(values.duration)
const ROUNDS = Number(values.rounds)
if (!(DURATION > 0 && DURATION <= 30) || !(Number.isInteger(ROUNDS) && ROUNDS > 0 && ROUNDS <= 5)) {
  console.error('--duration takes 1-30 seconds, --rounds 1-5')
  process.exit(2)
}
const tools = { wrk: which('wrk'), h2load: which('h2load'), haproxy: which('haproxy'), hey: which('hey') }
if (!tools.wrk || !tools.h2load || !tools.haproxy || !tools.hey) {
  console.error(
    'wrk, h2load, haproxy and hey are required: apt-get install -y wrk nghttp2-client haproxy hey',
  )
  process.exit(2)
}

const lab = benchLab('gw-ceiling-')
const { dir, start } = lab
// The backend and the proxy are separate HAProxy processes, so the proxy's CPU is its own.
const backendPort = await startItemBackend(tools.haproxy, lab)

interface Target {
  name: string
  protocol: 'h1' | 'h2c'
  url: string
  pid: number
}
const targets: Target[] = []

const proxyPort = await freePort()
const proxyH2Port = await freePort()
writeFileSync(
  join(dir, 'proxy.cfg'),
  `global
  nbthread 1
${HAPROXY_DEFAULTS}${proxyFrontend(proxyPort, proxyH2Port, backendPort)}`,
)
const haproxy = start(tools.haproxy, ['-f', join(dir, 'proxy.cfg'), '-db'])
await waitFor(`http://127.0.0.1:${proxyPort}/item`)
targets.push({
  name: 'HAProxy proxy',
  protocol: 'h1',
  url: `http://127.0.0.1:${proxyPort}/item`,
  pid: haproxy.pid as number,
})
targets.push({
  name: 'HAProxy proxy',
  protocol: 'h2c',
  url: `http://127.0.0.1:${proxyH2Port}/item`,
  pid: haproxy.pid as number,
})

const referenceServers = new URL('./reference-servers.ts', import.meta.url).pathname
for (const [mode, protocol, label] of [
  ['http-static', 'h1', 'node:http, answer from memory'],
  ['raw-proxy', 'h1', 'Node raw-socket proxy'],
  ['raw-proxy-json', 'h1', 'Node raw-socket proxy + JSON re-encode'],
  ['http-undici-json', 'h1', 'node:http + undici + JSON re-encode'],
  ['h2-compat-static', 'h2c', 'node:http2 compat API, from memory'],
  ['h2-stream-static', 'h2c', 'node:http2 stream API, from memory'],
] as const) {
  const port = await freePort()
  const child = start(process.execPath, [referenceServers, mode, String(port), String(backendPort)])
  await (protocol === 'h1' ? waitFor(`http://127.0.0.1:${port}/item`) : waitForListener(port))
  targets.push({ name: label, protocol, url: `http://127.0.0.1:${port}/item`, pid: child.pid as number })
}

console.error('bundling the gateway runtime with esbuild ...')
const bundle = await buildRuntimeBundle({ cacheDir: join(dir, 'cache'), force: true })
const gatewayPort = await freePort()
writeFileSync(
  join(dir, 'gateway.json'),
  JSON.stringify({
    version: 3,
    name: 'ceiling',
    port: gatewayPort,
    listen_ip: '127.0.0.1',
    extra_config: { router: { disable_access_log: true } },
    endpoints: [
      { endpoint: '/item', backend: [{ host: [`http://127.0.0.1:${backendPort}`], url_pattern: '/item' }] },
    ],
  }),
)
const gateway = start(process.execPath, [
  bundle.path,
  '--config',
  join(dir, 'gateway.json'),
  '--workers',
  '1',
  '--log-level',
  'ERROR',
])
await waitFor(`http://127.0.0.1:${gatewayPort}/item`)
for (const protocol of ['h1', 'h2c'] as const)
  targets.push({
    name: 'gateway (1 worker)',
    protocol,
    url: `http://127.0.0.1:${gatewayPort}/item`,
    pid: gateway.pid as number,
  })

/** Completed requests of one bounded load run. */
function load(target: Target, seconds = DURATION): number {
  if (target.protocol === 'h1') {
    const out = execFileSync(tools.wrk as string, ['-t2', '-c64', `-d${seconds}s`, target.url], {
      encoding: 'utf8',
      ...loadRunLimit(seconds),
    })
    return readWrk(target.url, out).requests
  }
  const out = execFileSync(
    tools.h2load as string,
    ['-D', String(seconds), '-c', '16', '-m', '10', '-t', '2', target.url],
    { encoding: 'utf8', ...loadRunLimit(seconds) },
  )
  return readH2load(target.url, out).requests
}

// Warm-up: JIT compilers and connection pools settle before anything is measured.
for (const target of targets) load(target, 2)

const best = new Map<Target, { rps: number; cpuUs: number }>()
for (let round = 1; round <= ROUNDS; round += 1)
  for (const target of targets) {
    const before = cpuUs(target.pid)
    const t0 = performance.now()
    const requests = load(target)
    const seconds = (performance.now() - t0) / 1000
    const result = { rps: requests / seconds, cpuUs: (cpuUs(target.pid) - before) / requests }
    console.error(
      `round ${round}: ${target.protocol} ${target.name}: ${result.rps.toFixed(0)} req/s, ${result.cpuUs.toFixed(0)} µs CPU/request`,
    )
    const previous = best.get(target)
    best.set(target, {
      rps: Math.max(result.rps, previous?.rps ?? 0),
      cpuUs: Math.min(result.cpuUs, previous?.cpuUs ?? Number.POSITIVE_INFINITY),
    })
  }

// Latency below peak: one keep-alive connection, a request every 1/PACED_RATE s, so each request finds
// the target idle (as most do below peak). What a target adds over the backend alone is its own
// work plus being woken twice (client side, then backend side) on this machine.
const PACED_RATE = 400
const backendTarget = { name: 'backend alone (no proxy)', url: `http://127.0.0.1:${backendPort}/item` }
const paced = new Map<string, TailLatency>()
for (let round = 1; round <= ROUNDS; round += 1)
  for (const target of [backendTarget, ...targets.filter((t) => t.protocol === 'h1')]) {
    const result = heyLatency(tools.hey, target.url, { rate: PACED_RATE, connections: 1, seconds: DURATION })
    console.error(
      `round ${round}: paced ${target.name}: p50 ${result.p50.toFixed(2)} p99 ${result.p99.toFixed(2)} p99.9 ${result.p999.toFixed(2)} ms`,
    )
    const previous = paced.get(target.name)
    if (!previous || result.p99 < previous.p99) paced.set(target.name, result)
  }

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
console.log(
  `\nceiling — ${new Date().toISOString()} — node ${process.version}, one process per target, wrk -t2 -c64 / h2load -c16 -m10, ${DURATION} s, best of ${ROUNDS}`,
)
console.log(
  `payload ${document().length} B JSON; backend = a separate HAProxy answering from memory; all on 127.0.0.1\n`,
)
console.log("| protocol | target | req/s | CPU µs/request | HAProxy CPU/request ÷ target's |")
console.log('|---|---|---:|---:|---:|')
for (const target of targets) {
  const r = best.get(target)
  const reference = best.get(targets.find((t) => t.protocol === target.protocol) as Target)
  if (!r || !reference) continue
  console.log(
    `| ${target.protocol} | ${target.name} | ${fmt(r.rps)} | ${fmt(r.cpuUs)} | ${(reference.cpuUs / r.cpuUs).toFixed(2)} |`,
  )
}

const base = paced.get(backendTarget.name)
if (base) {
  const ms = (n: number) => n.toFixed(2)
  console.log(
    `\nHTTP/1.1 latency at ${PACED_RATE} req/s on one keep-alive connection (hey), ${DURATION} s, the round with the lowest p99 of ${ROUNDS}:\n`,
  )
  console.log('| target | p50 ms | p99 ms | p99.9 ms | added p50 | added p99 | added p99.9 |')
  console.log('|---|---:|---:|---:|---:|---:|---:|')
  for (const [name, r] of paced) {
    const added =
      name === backendTarget.name
        ? '- | - | -'
        : `${ms(r.p50 - base.p50)} | ${ms(r.p99 - base.p99)} | ${ms(r.p999 - base.p999)}`
    console.log(`| ${name} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.p999)} | ${added} |`)
  }
}
// The reference servers and HAProxy would keep this process alive: the 'exit' handler stops them.
process.exit(0)

function document(): Buffer {
  return Buffer.from(benchDocument('item'))
}
