// CPU per request of this checkout's runtime against other checkouts' (--baseline DIR), one worker
// each, in alternating rounds: the figure a change's effect is measured by on a shared machine, where
// req/s swings with the other work and CPU time per request (read from /proc for the node alone,
// user and system apart) holds. Each round loads every runtime once, the order reversed every other
// round; the medians and each round's ratio to this checkout are printed. HTTP/1.1 load is wrk,
// h2c load is h2load (-c16 -m10, as run.ts; --connections and --streams change them); the backend is
// the bench's static HAProxy.
//
//   node bench/gateway/cpu-ab.ts --baseline DIR [--baseline DIR2] [--h2c] [--endpoint proxy|noop|merge]
//                                [--rounds 7] [--duration 3] [--go-order] [--ports 24000]
//                                [--connections 64 (h2c: 16)] [--streams 10 (h2c streams per connection)]
//                                [--simultaneous]   (every runtime loaded at the same time in each round:
//                                the machine's other work then weighs on all of them alike)
//                                [--code-cache]   (adds this checkout started as images start it: start.cjs,
//                                gateway.cjs from the V8 code cache its warm-up wrote)
//                                [--node-flags=FLAGS]...   (adds this checkout's bundle run with these
//                                node/V8 flags, e.g. --node-flags=--single-threaded-gc; repeatable)
//   (--ports: the first of the consecutive 127.0.0.1 ports to use; free ones are picked otherwise)
import { execFile, execFileSync, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { LOADER_FILE, WARM_UP_FILE } from '../../src/gateway/code-cache/names.ts'
import { benchScratch, freePort, loadRunLimit, proxyAndMergeConfig, waitFor, which } from './lab.ts'
import { readH2load, readWrk } from './load-output.ts'
import { cpuTimeUs } from './proc-stats.ts'
import { bundleRuntimes, startStaticBackend } from './runtimes.ts'

const { values } = parseArgs({
  options: {
    baseline: { type: 'string', multiple: true, default: [] },
    h2c: { type: 'boolean', default: false },
    endpoint: { type: 'string', default: 'proxy' },
    rounds: { type: 'string', default: '7' },
    duration: { type: 'string', default: '3' },
    'go-order': { type: 'boolean', default: false },
    ports: { type: 'string' },
    connections: { type: 'string' },
    streams: { type: 'string', default: '10' },
    simultaneous: { type: 'boolean', default: false },
    'code-cache': { type: 'boolean', default: false },
    'node-flags': { type: 'string', multiple: true, default: [] },
  },
})
const CONNECTIONS = values.connections ?? (values.h2c ? '16' : '64')
const ROUNDS = Number(values.rounds)
const DURATION = Number(values.duration)
if (
  !(Number.isInteger(ROUNDS) && ROUNDS > 0 && ROUNDS <= 31) ||
  !(DURATION > 0 && DURATION <= 30) ||
  !['proxy', 'noop', 'merge'].includes(values.endpoint as string)
) {
  console.error('--rounds takes 1-31, --duration 1-30 seconds, --endpoint proxy, noop or merge')
  process.exit(2)
}
const tools = { wrk: which('wrk'), h2load: which('h2load'), haproxy: which('haproxy') }
if (!tools.haproxy || !(values.h2c ? tools.h2load : tools.wrk)) {
  console.error(
    'haproxy and wrk (h2load for --h2c) are required: apt-get install -y haproxy wrk nghttp2-client',
  )
  process.exit(2)
}

let nextPort = values.ports === undefined ? undefined : Number(values.ports)
const port = async (): Promise<number> => (nextPort === undefined ? freePort() : nextPort++)

const { dir, children } = benchScratch('gw-cpu-ab-')
const backend = await startStaticBackend({
  haproxy: tools.haproxy,
  dir,
  port: await port(),
  goOrder: values['go-order'],
  children,
})
const runtimes: Array<{ label: string; bundle: string; flags?: string[] }> = await bundleRuntimes(
  dir,
  values.baseline as string[],
)
if (values['code-cache']) {
  const own = dirname(runtimes[0]?.bundle as string)
  execFileSync(process.execPath, [join(own, WARM_UP_FILE)], { stdio: ['ignore', 'ignore', 'inherit'] })
  runtimes.push({ label: 'this checkout, start.cjs + code cache', bundle: join(own, LOADER_FILE) })
}

for (const flags of values['node-flags'] as string[])
  runtimes.push({
    label: `this checkout, node ${flags}`,
    bundle: runtimes[0]?.bundle as string,
    flags: flags.split(' ').filter(Boolean),
  })

const served: Array<{ url: string; pid: number }> = []
for (const [i, runtime] of runtimes.entries()) {
  const gatewayPort = await port()
  const config = join(dir, `gateway-${i}.json`)
  writeFileSync(config, proxyAndMergeConfig('cpu-ab', gatewayPort, backend))
  const child = spawn(
    process.execPath,
    [
      ...(runtime.flags ?? []),
      runtime.bundle,
      '--config',
      config,
      '--workers',
      '1',
      '--drain-grace',
      '0s',
      '--log-level',
      'ERROR',
    ],
    { stdio: 'ignore' },
  )
  children.push(child)
  const url = `http://127.0.0.1:${gatewayPort}/${values.endpoint}`
  await waitFor(url)
  served.push({ url, pid: child.pid as number })
}

/** One bounded load run; resolves with the requests answered. */
async function load(url: string, seconds: number): Promise<number> {
  const run = promisify(execFile)
  if (values.h2c) {
    const { stdout } = await run(
      tools.h2load as string,
      ['-D', String(seconds), '-c', CONNECTIONS, '-m', values.streams as string, '-t', '2', url],
      { encoding: 'utf8', ...loadRunLimit(seconds) },
    )
    return readH2load(url, stdout).requests
  }
  const { stdout } = await run(tools.wrk as string, ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, url], {
    encoding: 'utf8',
    ...loadRunLimit(seconds),
  })
  return readWrk(url, stdout).requests
}

interface Round {
  total: number
  user: number
  system: number
  rps: number
}
const rounds: Round[][] = runtimes.map(() => [])
for (const s of served) await load(s.url, 2) // warm-up: JIT, pools, the h2 module
/** Loads one runtime and records its CPU per request. */
async function measure(i: number, s: { url: string; pid: number }): Promise<void> {
  const before = cpuTimeUs(s.pid)
  const started = performance.now()
  const requests = await load(s.url, DURATION)
  const seconds = (performance.now() - started) / 1000
  const after = cpuTimeUs(s.pid)
  const user = (after.user - before.user) / requests
  const system = (after.system - before.system) / requests
  rounds[i]?.push({ total: user + system, user, system, rps: requests / seconds })
}
for (let round = 0; round < ROUNDS; round += 1) {
  if (values.simultaneous) await Promise.all(served.map((s, i) => measure(i, s)))
  else {
    const order = round % 2 ? [...served.entries()].reverse() : [...served.entries()]
    for (const [i, s] of order) await measure(i, s)
  }
  const line = runtimes.map((_, i) => (rounds[i]?.[round]?.total ?? Number.NaN).toFixed(1)).join(' / ')
  const ratios = runtimes
    .slice(1)
    .map((_, i) =>
      ((rounds[0]?.[round]?.total ?? Number.NaN) / (rounds[i + 1]?.[round]?.total ?? Number.NaN)).toFixed(3),
    )
  console.error(`round ${round + 1}: CPU µs/request ${line}; this/baseline ${ratios.join(' ')}`)
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}
const protocol = values.h2c
  ? `h2c (h2load -c${CONNECTIONS} -m${values.streams})`
  : `HTTP/1.1 (wrk -t2 -c${CONNECTIONS})`
console.log(
  `/${values.endpoint} over ${protocol}, one worker each, median of ${ROUNDS} ${values.simultaneous ? 'simultaneous' : 'alternating'} rounds of ${DURATION} s${values['go-order'] ? ', keys in Go order' : ''}`,
)
console.log('| runtime | CPU µs/request | user | system | req/s | this ÷ runtime, per round (median) |')
console.log('|---|---:|---:|---:|---:|---|')
for (const [i, runtime] of runtimes.entries()) {
  const r = rounds[i] ?? []
  const ratios = r.map((x, k) => (rounds[0]?.[k]?.total ?? Number.NaN) / x.total)
  console.log(
    `| ${runtime.label} | ${median(r.map((x) => x.total)).toFixed(1)} | ${median(r.map((x) => x.user)).toFixed(1)} | ${median(r.map((x) => x.system)).toFixed(1)} | ${median(r.map((x) => x.rps)).toFixed(0)} | ${i === 0 ? '-' : `${ratios.map((x) => x.toFixed(2)).join(' ')} (${median(ratios).toFixed(3)})`} |`,
  )
}
process.exit(0)
