// What sets the p99 at half of the gateway's peak (issue 19 point 2). run.ts paces hey at half the
// gateway's peak over 8 connections and reports what the gateway adds to the backend's p99; this
// bench puts the same pace on targets that do less and less of the gateway's work, in one run and
// alternating rounds, so what the tail follows can be read off: the backend alone, HAProxy as a
// plain proxy, node:http answering from memory, node:http + undici + JSON re-encode (the gateway's
// building blocks, bench/gateway/reference-servers.ts), and the gateway runtime with one and with
// two workers. Beside each target's p50/p99/p99.9 it prints the target's CPU per request at that
// pace and under full load (wrk -c64), read from /proc, and how busy the machine's cores were
// during the paced run (/proc/stat): hey, HAProxy and the target share them.
//
//   node bench/gateway/tail.ts [--rate N (default: half the 2-worker gateway's peak, measured)]
//                              [--connections 8] [--duration 4] [--rounds 2]
import { execFile, execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { buildRuntimeBundle } from '../../src/image/bundle.ts'
import {
  benchLab,
  freePort,
  HAPROXY_DEFAULTS,
  heyArgs,
  heyCsvLatency,
  loadRunLimit,
  proxyFrontend,
  startItemBackend,
  type TailLatency,
  waitFor,
  which,
} from './lab.ts'
import { readWrk } from './load-output.ts'
import { treeCpuUs } from './proc-stats.ts'

const { values } = parseArgs({
  options: {
    rate: { type: 'string' },
    connections: { type: 'string', default: '8' },
    duration: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '2' },
  },
})
const DURATION = Number(values.duration)
const ROUNDS = Number(values.rounds)
const CONNECTIONS = Number(values.connections)
if (
  !(DURATION > 0 && DURATION <= 30) ||
  !(Number.isInteger(ROUNDS) && ROUNDS > 0 && ROUNDS <= 9) ||
  !(Number.isInteger(CONNECTIONS) && CONNECTIONS > 0 && CONNECTIONS <= 256) ||
  (values.rate !== undefined && !(Number(values.rate) > 0 && Number(values.rate) <= 200_000))
) {
  console.error('--duration takes 1-30 seconds, --rounds 1-9, --connections 1-256, --rate 1-200000')
  process.exit(2)
}
const tools = { wrk: which('wrk'), haproxy: which('haproxy'), hey: which('hey') }
if (!tools.wrk || !tools.haproxy || !tools.hey) {
  console.error('wrk, haproxy and hey are required: apt-get install -y wrk haproxy hey')
  process.exit(2)
}

const lab = benchLab('gw-tail-')
const { dir, start } = lab
const backendPort = await startItemBackend(tools.haproxy, lab)

interface Target {
  name: string
  url: string
  /** The process whose CPU (its workers' included) is the target's; none for the backend alone. */
  pid: number | undefined
}
const targets: Target[] = [
  { name: 'backend alone (no proxy)', url: `http://127.0.0.1:${backendPort}/item`, pid: undefined },
]

const proxyPort = await freePort()
writeFileSync(
  join(dir, 'proxy.cfg'),
  `global\n  nbthread 1\n${HAPROXY_DEFAULTS}${proxyFrontend(proxyPort, await freePort(), backendPort)}`,
)
const haproxy = start(tools.haproxy, ['-f', join(dir, 'proxy.cfg'), '-db'])
await waitFor(`http://127.0.0.1:${proxyPort}/item`)
targets.push({
  name: 'HAProxy proxy (1 thread)',
  url: `http://127.0.0.1:${proxyPort}/item`,
  pid: haproxy.pid,
})

const referenceServers = new URL('./reference-servers.ts', import.meta.url).pathname
for (const [mode, label] of [
  ['http-static', 'node:http, answer from memory'],
  ['http-undici-json', 'node:http + undici + JSON re-encode'],
] as const) {
  const port = await freePort()
  const child = start(process.execPath, [referenceServers, mode, String(port), String(backendPort)])
  await waitFor(`http://127.0.0.1:${port}/item`)
  targets.push({ name: label, url: `http://127.0.0.1:${port}/item`, pid: child.pid })
}

console.error('bundling the gateway runtime with esbuild ...')
const bundle = await buildRuntimeBundle({ cacheDir: join(dir, 'cache'), force: true })
for (const workers of [1, 2]) {
  const port = await freePort()
  const config = join(dir, `gateway-${workers}.json`)
  writeFileSync(
    config,
    JSON.stringify({
      version: 3,
      name: 'tail',
      port,
      listen_ip: '127.0.0.1',
      timeout: '3s',
      extra_config: { router: { disable_access_log: true }, 'telemetry/logging': { level: 'ERROR' } },
      endpoints: [
        { endpoint: '/item', backend: [{ host: [`http://127.0.0.1:${backendPort}`], url_pattern: '/item' }] },
      ],
    }),
  )
  const gateway = start(process.execPath, [bundle.path, '--config', config, '--workers', String(workers)])
  await waitFor(`http://127.0.0.1:${port}/item`)
  targets.push({
    name: `gateway (${workers} worker${workers === 1 ? '' : 's'})`,
    url: `http://127.0.0.1:${port}/item`,
    pid: gateway.pid,
  })
}
const twoWorkers = targets.at(-1) as Target

const wrk = (url: string, seconds: number): number => {
  const out = execFileSync(tools.wrk as string, ['-t2', '-c64', `-d${seconds}s`, url], {
    encoding: 'utf8',
    ...loadRunLimit(seconds),
  })
  return readWrk(url, out).rps
}
// Warm-up (JIT, pools), then the pace: half of the 2-worker gateway's peak, as run.ts measures it.
for (const target of targets) wrk(target.url, 2)
const peak = values.rate === undefined ? wrk(twoWorkers.url, DURATION) : undefined
const RATE = values.rate === undefined ? Math.round((peak as number) / 2) : Number(values.rate)

/** Busy and total jiffies of all cores so far (/proc/stat's first line). */
function machineTicks(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1)
  const n = fields.map(Number)
  const total = n.reduce((a, b) => a + b, 0)
  const idle = (n[3] ?? 0) + (n[4] ?? 0)
  return { busy: total - idle, total }
}

interface Paced extends TailLatency {
  cpuUsPerRequest: number
  machineBusy: number
  /** CPU µs per request under wrk -c64 in the same round. */
  fullLoadCpuUs: number
}
const heyRun = promisify(execFile)
async function paced(target: Target): Promise<Paced> {
  const cpu0 = target.pid === undefined ? 0 : treeCpuUs(target.pid)
  const ticks0 = machineTicks()
  const { stdout } = await heyRun(
    tools.hey as string,
    heyArgs(target.url, { rate: RATE, connections: CONNECTIONS, seconds: DURATION }),
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...loadRunLimit(DURATION) },
  )
  const ticks1 = machineTicks()
  const latency = heyCsvLatency(target.url, stdout)
  const requests = stdout.split('\n').length - 2
  const cpu = target.pid === undefined ? Number.NaN : (treeCpuUs(target.pid) - cpu0) / Math.max(1, requests)
  const machineBusy = (ticks1.busy - ticks0.busy) / (ticks1.total - ticks0.total)
  let fullLoadCpuUs = Number.NaN
  if (target.pid !== undefined) {
    const before = treeCpuUs(target.pid)
    const out = execFileSync(tools.wrk as string, ['-t2', '-c64', `-d${DURATION}s`, target.url], {
      encoding: 'utf8',
      ...loadRunLimit(DURATION),
    })
    fullLoadCpuUs = (treeCpuUs(target.pid) - before) / Math.max(1, readWrk(target.url, out).requests)
  }
  return { ...latency, cpuUsPerRequest: cpu, machineBusy, fullLoadCpuUs }
}

const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
const results = new Map<Target, Paced[]>()
for (let round = 1; round <= ROUNDS; round += 1) {
  const order = round % 2 === 1 ? targets : [...targets].reverse()
  for (const target of order) {
    const r = await paced(target)
    console.error(
      `round ${round}: ${target.name}: p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} p99.9 ${r.p999.toFixed(2)} ms, ${r.cpuUsPerRequest.toFixed(0)} µs CPU/request (${r.fullLoadCpuUs.toFixed(0)} under wrk), cores ${(100 * r.machineBusy).toFixed(0)}% busy`,
    )
    results.set(target, [...(results.get(target) ?? []), r])
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}
const ms = (n: number) => n.toFixed(2)
console.log(
  `\ntail — ${new Date().toISOString()} — node ${process.version}, hey ${RATE} req/s over ${CONNECTIONS} connections${peak === undefined ? '' : ` (half of the 2-worker gateway's ${Math.round(peak)} req/s under wrk -c64)`}, ${DURATION} s, medians of ${ROUNDS} alternating rounds; load average before: ${loadBefore}\n`,
)
console.log(
  '| target | p50 ms | p99 ms | p99.9 ms | added p99 | CPU µs/request at the pace | under wrk -c64 | cores busy |',
)
console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
const base = median((results.get(targets[0] as Target) ?? []).map((r) => r.p99))
for (const target of targets) {
  const rs = results.get(target) ?? []
  const m = (f: (r: Paced) => number) => median(rs.map(f))
  const added = target === targets[0] ? '-' : ms(m((r) => r.p99) - base)
  const cpu = target.pid === undefined ? '-' : m((r) => r.cpuUsPerRequest).toFixed(0)
  const full = target.pid === undefined ? '-' : m((r) => r.fullLoadCpuUs).toFixed(0)
  console.log(
    `| ${target.name} | ${ms(m((r) => r.p50))} | ${ms(m((r) => r.p99))} | ${ms(m((r) => r.p999))} | ${added} | ${cpu} | ${full} | ${(100 * m((r) => r.machineBusy)).toFixed(0)}% |`,
  )
}
process.exit(0)
