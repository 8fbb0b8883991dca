// Bytes the gateway allocates per request: a figure that, unlike CPU time and req/s, hardly moves when
// other work shares the machine (the same requests allocate the same objects however slowly they run).
// Each runtime (this checkout's bundle and every --baseline checkout's) serves the bench's proxy and
// 3-backend merge endpoints with one worker under V8's --trace-gc and a fixed 16 MB young generation;
// what was allocated is read from the heap sizes each GC prints (before this GC minus after the last).
// Runtimes alternate inside each round; the median of the rounds is reported.
//
//   node bench/gateway/allocation.ts [--rounds 3] [--duration 4] [--go-order] [--baseline DIR]...
//   (--go-order: the backend's objects have their keys sorted, as a Go backend sends them)
import { execFile, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { benchScratch, freePort, loadRunLimit, proxyAndMergeConfig, waitFor, which } from './lab.ts'
import { readWrk } from './load-output.ts'
import { bundleRuntimes, startStaticBackend } from './runtimes.ts'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '4' },
    baseline: { type: 'string', multiple: true, default: [] },
    'go-order': { type: 'boolean', default: false },
  },
})
const ROUNDS = Number(values.rounds)
const DURATION = Number(values.duration)
const wrkBin = which('wrk')
const haproxyBin = which('haproxy')
if (!wrkBin || !haproxyBin) {
  console.error('wrk and haproxy are required: apt-get install -y wrk haproxy')
  process.exit(2)
}

const { dir, children } = benchScratch('gw-alloc-')

const backend = await startStaticBackend({
  haproxy: haproxyBin,
  dir,
  port: await freePort(),
  goOrder: values['go-order'],
  children,
})
const runtimes = await bundleRuntimes(dir, values.baseline as string[])

/** `Scavenge 22.5 (26.9) -> 10.6 (42.9) MB`: the heap used before and after one GC. */
const GC_LINE = /(Scavenge|Mark-Compact)[^\d]*([\d.]+) \([\d.]+\) -> ([\d.]+) \(/

interface Served {
  port: number
  /** The GC lines the node has printed so far. */
  gcLines: string[]
}
const served: Served[] = []
for (const [i, runtime] of runtimes.entries()) {
  const port = await freePort()
  const config = join(dir, `gateway-${i}.json`)
  writeFileSync(config, proxyAndMergeConfig('bench', port, backend))

  const gcLines: string[] = []
  const child = spawn(
    process.execPath,
    [
      '--trace-gc',
      '--min-semi-space-size=16',
      '--max-semi-space-size=16',
      runtime.bundle,
      '--config',
      config,
      '--workers',
      '1',
      '--drain-grace',
      '0s',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  )
  children.push(child)
  let partial = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) if (GC_LINE.test(line)) gcLines.push(line)
  })
  await waitFor(`http://127.0.0.1:${port}/proxy`)
  served.push({ port, gcLines })
}

/** MB allocated between the GC lines [from, to): each GC's heap before it minus the last one's after. */
function allocatedMb(lines: string[], from: number, to: number): number {
  let mb = 0
  for (let i = Math.max(from, 1); i < to; i += 1) {
    const before = GC_LINE.exec(lines[i] as string)
    const previous = GC_LINE.exec(lines[i - 1] as string)
    if (before && previous) mb += Number(before[2]) - Number(previous[3])
  }
  return mb
}

/** One bounded wrk run; the bench's own event loop keeps reading the nodes' GC lines meanwhile. */
async function wrk(url: string, seconds: number): Promise<number> {
  const { stdout } = await promisify(execFile)(wrkBin as string, ['-t2', '-c64', `-d${seconds}s`, url], {
    encoding: 'utf8',
    ...loadRunLimit(seconds),
  })
  const { requests } = readWrk(url, stdout)
  // the node prints its last GC lines asynchronously
  await new Promise((resolve) => setTimeout(resolve, 300))
  return requests
}

const perRequestKb = new Map<string, number[]>()
for (const endpoint of ['proxy', 'merge']) {
  for (const s of served) await wrk(`http://127.0.0.1:${s.port}/${endpoint}`, 2) // warm-up (JIT, pools)
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 ? [...served.entries()].reverse() : [...served.entries()]
    for (const [i, s] of order) {
      const from = s.gcLines.length
      const requests = await wrk(`http://127.0.0.1:${s.port}/${endpoint}`, DURATION)
      const kb = (allocatedMb(s.gcLines, from, s.gcLines.length) * 1024) / requests
      const key = `${endpoint} ${i}`
      perRequestKb.set(key, [...(perRequestKb.get(key) ?? []), kb])
      console.error(`round ${round + 1}: ${endpoint} ${runtimes[i]?.label}: ${kb.toFixed(1)} KB per request`)
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN
console.log(
  `KB allocated per request (one worker, wrk -t2 -c64, median of ${ROUNDS} alternating rounds${values['go-order'] ? ', keys in Go order' : ''})`,
)
console.log('| runtime | proxy | merge |')
console.log('|---|---:|---:|')
for (const [i, runtime] of runtimes.entries())
  console.log(
    `| ${runtime.label} | ${median(perRequestKb.get(`proxy ${i}`) ?? []).toFixed(1)} | ${median(perRequestKb.get(`merge ${i}`) ?? []).toFixed(1)} |`,
  )
process.exit(0)
