/**
 * bench/release: wall time of local releases, split into the waits the config imposes
 * (health interval x rise, bake) and gwdeploy's own overhead; rollback time; 2 vs 20 nodes.
 *
 *   node bench/release/run.ts [--bin bin/run.js] [--interval 1s] [--bake 3s] [--rounds 3]
 *   node bench/release/run.ts --provider haproxy   (see haproxy.ts: real HAProxy + containers)
 *
 * Runs the CLI as a user does (subprocess, CI=true for timestamped step lines) against a
 * throw-away project on a free loopback port, and tears everything down at the end.
 * Prints a table and ratios; never asserts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { stringify } from 'yaml'
import { fmt, liveName, median, type Run, cli as runCli, sha } from './common.ts'

const { values } = parseArgs({
  options: {
    bin: { type: 'string', default: 'bin/run.js' },
    interval: { type: 'string', default: '1s' },
    rise: { type: 'string', default: '2' },
    bake: { type: 'string', default: '3s' },
    rounds: { type: 'string', default: '3' },
    provider: { type: 'string', default: 'local' },
  },
})
const cli = (cwd: string, args: string[]) => runCli(values.bin as string, cwd, args)
if (values.provider === 'haproxy') {
  const { benchHaproxy } = await import('./haproxy.ts')
  await benchHaproxy({
    bin: values.bin as string,
    rounds: Number(values.rounds),
    interval: values.interval as string,
    rise: Number(values.rise),
  })
  process.exit(0)
}
const ms = (text: string) => {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text)
  if (!m) throw new Error(`bad duration ${text}`)
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1)
}
const intervalMs = ms(values.interval as string)
const rise = Number(values.rise)
const bakeMs = ms(values.bake as string)
const rounds = Number(values.rounds)

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer()
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0))
    })
  })
}

async function project(size: number, bake: string) {
  const dir = await mkdtemp(join(tmpdir(), 'gwd-bench-'))
  const port = await freePort()
  await writeFile(
    join(dir, 'gateway.json'),
    JSON.stringify({
      version: 3,
      name: 'bench',
      endpoints: [
        { endpoint: '/v1/ping', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/ping' }] },
      ],
    }),
  )
  await writeFile(
    join(dir, 'gwdeploy.yml'),
    stringify({
      service: 'bench',
      fleet: { size },
      health: { interval: values.interval, rise, timeout: '2s', deadline: '120s' },
      shift: { bake },
      provider: { kind: 'local', local: { listen: `127.0.0.1:${port}` } },
    }),
  )
  return { dir, port }
}

// 1. CLI start-up reference: `gwdeploy history` (loads config, no provider work).
// 2. 3-node release with bake: total, imposed waits, overhead.
// 3. rollback: CLI wall time, and time until the front answers the old name.
// 4. 2 vs 20 nodes, no bake.
const three = await project(3, values.bake as string)
let n = 1
const warm = await cli(three.dir, ['release', '--sha', sha(n++)])
if (warm.code !== 0) throw new Error('first release failed')
const startup: number[] = []
for (let i = 0; i < rounds; i++) startup.push((await cli(three.dir, ['history'])).wallMs)
const releases: Run[] = []
const rollbacks: Array<{ wall: number; switched: number }> = []
for (let i = 0; i < rounds; i++) {
  const run = await cli(three.dir, ['release', '--sha', sha(n++)])
  if (run.code !== 0) throw new Error('release failed')
  releases.push(run)
  const before = await liveName(three.port)
  const t0 = performance.now()
  let switched = 0
  const rb = cli(three.dir, ['rollback'])
  for (;;) {
    const name = await liveName(three.port)
    if (name && name !== before) {
      switched = performance.now() - t0
      break
    }
    await new Promise((r) => setTimeout(r, 5))
  }
  const done = await rb
  if (done.code !== 0) throw new Error('rollback failed')
  rollbacks.push({ wall: done.wallMs, switched })
}
await cli(three.dir, ['destroy', '--force'])
await rm(three.dir, { recursive: true, force: true })

const sized: Record<number, number[]> = {}
for (const size of [2, 20]) {
  const p = await project(size, '0s')
  let k = 100
  sized[size] = []
  const first = await cli(p.dir, ['release', '--sha', sha(k++)])
  if (first.code !== 0) throw new Error(`release of ${size} nodes failed`)
  for (let i = 0; i < rounds; i++) {
    const run = await cli(p.dir, ['release', '--sha', sha(k++)])
    if (run.code !== 0) throw new Error(`release of ${size} nodes failed`)
    sized[size]?.push(run.wallMs)
  }
  await cli(p.dir, ['destroy', '--force'])
  await rm(p.dir, { recursive: true, force: true })
}

const total = median(releases.map((r) => r.wallMs))
const imposed = intervalMs * rise + bakeMs
const overhead = total - imposed
const stepMedian = (name: string) => median(releases.map((r) => r.steps[name] ?? 0))
const rbWall = median(rollbacks.map((r) => r.wall))
const rbSwitch = median(rollbacks.map((r) => r.switched))
const two = median(sized[2] ?? [])
const twenty = median(sized[20] ?? [])

console.log(
  `bench/release (${rounds} rounds, medians; health interval ${values.interval} x rise ${rise}, bake ${values.bake}; ${values.bin})`,
)
console.log(`  CLI start-up (gwdeploy history)      ${fmt(median(startup))}`)
console.log(`  3-node release, total                ${fmt(total)}`)
console.log(`    imposed waits (interval x rise + bake) ${fmt(imposed)}`)
console.log(
  `    gwdeploy overhead (total - waits)  ${fmt(overhead)}  = ${((overhead / total) * 100).toFixed(1)}% of total (aim <= 10%)`,
)
for (const step of ['lock', 'stamp', 'plan', 'provision', 'verify', 'shift', 'finalize']) {
  console.log(`      ${step.padEnd(10)} ${fmt(stepMedian(step))}`)
}
console.log(`  rollback: CLI wall                   ${fmt(rbWall)} (aim <= 1 s)`)
console.log(`  rollback: until the front switched   ${fmt(rbSwitch)}`)
console.log(`  release  2 nodes (no bake)           ${fmt(two)}`)
console.log(
  `  release 20 nodes (no bake)           ${fmt(twenty)}  = ${(twenty / two).toFixed(2)}x of 2 nodes (aim <= 1.5x)`,
)
