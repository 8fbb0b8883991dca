// Start-up only (issue 19 points 5 and 6): start to healthy, the CPU time a node spent until then and
// its idle RSS, for this checkout's runtime bundle, other checkouts' (--baseline DIR, repeatable) and
// bare node:http answering from memory (the floor), one worker each, starts alternating in one run.
// CPU time (user + sys, read inside the node when it is healthy) holds better than wall time when
// other work shares the machine. `--cached` starts them from V8's compile cache, as images did before
// the code cache; `--code-cache` adds this checkout started as images and local nodes start it now
// (start.cjs, from the V8 code cache its warm-up wrote, and the compile cache for the rest);
// `--metrics` gives the runtimes a metrics port, as every provider starts its nodes.
//
//   node bench/gateway/startup.ts [--runs 15] [--cached] [--code-cache] [--metrics] [--config FILE] [--baseline DIR]...
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { LOADER_FILE, WARM_UP_FILE } from '../../src/gateway/code-cache/names.ts'
import { buildRuntimeBundle } from '../../src/image/bundle.ts'
import { freePort, sleep, waitFor } from './lab.ts'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    cached: { type: 'boolean', default: false },
    'code-cache': { type: 'boolean', default: false },
    metrics: { type: 'boolean', default: false },
    config: { type: 'string' },
    baseline: { type: 'string', multiple: true, default: [] },
  },
})
const RUNS = Number(values.runs)
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 200) {
  console.error(`--runs ${values.runs}: give a whole number from 1 to 200`)
  process.exit(2)
}

const dir = mkdtempSync(join(tmpdir(), 'gw-startup-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
process.on('SIGINT', () => process.exit(130))

// A plain config (a proxy and a 3-backend merge endpoint): nothing is called at start.
const config = values.config ?? join(dir, 'gateway.json')
if (!values.config) {
  const backend = { host: ['http://127.0.0.1:19'], url_pattern: '/item' }
  writeFileSync(
    config,
    JSON.stringify({
      version: 3,
      name: 'startup',
      listen_ip: '127.0.0.1',
      extra_config: { router: { disable_access_log: true }, 'telemetry/logging': { level: 'ERROR' } },
      endpoints: [
        { endpoint: '/proxy', backend: [backend] },
        { endpoint: '/merge', backend: ['a', 'b', 'c'].map((n) => ({ ...backend, url_pattern: `/${n}` })) },
      ],
    }),
  )
}
// Preloaded into every node: writes its CPU time so far when asked (SIGUSR2).
const probe = join(dir, 'cpu-probe.cjs')
writeFileSync(
  probe,
  `process.on('SIGUSR2', () => { const u = process.cpuUsage(); require('node:fs').writeFileSync(process.env.GW_CPU_OUT, String((u.user + u.system) / 1000)) })\n`,
)
const bare = join(dir, 'bare.cjs')
writeFileSync(
  bare,
  `require('node:http').createServer((req, res) => res.end('ok')).listen(Number(process.argv[2]), '127.0.0.1')\n`,
)

interface Target {
  name: string
  args: (port: number, metricsPort: number) => string[]
  /** Started with V8's compile cache even without --cached (as images and local nodes start). */
  compileCache?: boolean
}
const targets: Target[] = [{ name: 'bare node:http', args: (port) => [bare, String(port)] }]
const runtime = (name: string, path: string): Target => ({
  name,
  args: (port, metricsPort) => [
    path,
    ...['--config', config, '--port', String(port), '--workers', '1', '--drain-grace', '0s'],
    ...(values.metrics ? ['--metrics-port', String(metricsPort)] : []),
  ],
})
console.error('bundling the gateway runtime with esbuild ...')
const own = await buildRuntimeBundle({ cacheDir: join(dir, 'cache'), force: true })
targets.push(runtime('this checkout', own.path))
if (values['code-cache']) {
  execFileSync(process.execPath, [join(own.dir, WARM_UP_FILE)], { stdio: ['ignore', 'ignore', 'inherit'] })
  targets.push({ ...runtime('this checkout, start.cjs', join(own.dir, LOADER_FILE)), compileCache: true })
}
for (const [i, checkout] of (values.baseline ?? []).entries()) {
  const bundler = (await import(join(checkout, 'src', 'image', 'bundle.ts'))) as {
    buildRuntimeBundle: typeof buildRuntimeBundle
  }
  const bundle = await bundler.buildRuntimeBundle({ cacheDir: join(dir, `baseline-${i}`), force: true })
  targets.push(runtime(`baseline ${checkout}`, bundle.path))
}

const { NODE_COMPILE_CACHE: _ignored, ...coldEnv } = process.env
const envOf = (i: number) => {
  if (!values.cached && !targets[i]?.compileCache) return coldEnv
  const cache = join(dir, `compile-cache-${i}`)
  mkdirSync(cache, { recursive: true })
  return { ...coldEnv, NODE_COMPILE_CACHE: cache }
}

interface Start {
  wallMs: number
  cpuMs: number
  rssMb: number
  /** Anonymous memory: RSS without file pages, which the kernel sometimes maps as huge pages for Node's own binary (RSS then jumps by ~5 MB). */
  anonMb: number
}
async function start(target: Target, i: number): Promise<Start> {
  const port = await freePort()
  const metricsPort = await freePort()
  const cpuOut = join(dir, 'cpu.txt')
  rmSync(cpuOut, { force: true })
  const t0 = performance.now()
  const child = spawn(process.execPath, ['-r', probe, ...target.args(port, metricsPort)], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...envOf(i), GW_CPU_OUT: cpuOut },
  })
  try {
    await waitFor(`http://127.0.0.1:${port}/__health`)
    const wallMs = performance.now() - t0
    child.kill('SIGUSR2')
    let cpuMs = Number.NaN
    for (let tries = 0; tries < 100 && Number.isNaN(cpuMs); tries++) {
      await sleep(10)
      try {
        cpuMs = Number(readFileSync(cpuOut, 'utf8'))
      } catch {}
    }
    await sleep(300)
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
    const rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024
    const rollup = readFileSync(`/proc/${child.pid}/smaps_rollup`, 'utf8')
    const anonMb = Number(/Anonymous:\s+(\d+)/.exec(rollup)?.[1]) / 1024
    return { wallMs, cpuMs, rssMb, anonMb }
  } finally {
    // A clean exit: Node writes the compile cache when the process exits, not when it is killed.
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(killer)
  }
}

// A first start of each (fills the compile cache with --cached), then alternating rounds.
for (const [i, target] of targets.entries()) await start(target, i)
const results = targets.map(() => [] as Start[])
for (let round = 0; round < RUNS; round++) {
  const order = targets.map((_, i) => i)
  if (round % 2 === 1) order.reverse()
  for (const i of order) results[i]?.push(await start(targets[i] as Target, i))
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}
/** The median and, in brackets, the quartiles: how much alternating starts moved. */
const spread = (xs: number[], unit: string) => {
  const s = [...xs].sort((a, b) => a - b)
  const at = (q: number) => s[Math.round((s.length - 1) * q)] as number
  return `${median(xs).toFixed(1)} ${unit} (${at(0.25).toFixed(1)}–${at(0.75).toFixed(1)})`
}
const loadavg = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
console.log(
  `${RUNS} alternating ${values.cached ? 'starts from the compile cache' : 'cold starts'}, one worker${values.metrics ? ' with a metrics port' : ''}, medians (quartiles) (load average at the end ${loadavg}):`,
)
console.log('| target | start to healthy | CPU to healthy | idle RSS | of which anonymous |')
console.log('|---|---:|---:|---:|---:|')
for (const [i, target] of targets.entries()) {
  const r = results[i] as Start[]
  console.log(
    `| ${target.name} | ${spread(
      r.map((s) => s.wallMs),
      'ms',
    )} | ${spread(
      r.map((s) => s.cpuMs),
      'ms',
    )} | ${spread(
      r.map((s) => s.rssMb),
      'MB',
    )} | ${median(r.map((s) => s.anonMb)).toFixed(1)} MB |`,
  )
}
