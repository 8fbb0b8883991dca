// The gateway's Go-exact JSON per backend body, outside the server: CPU and bytes allocated to
// decode a body (parseJsonKeepingNumbers; for /merge, the three merged as the endpoint merges
// them) and to write the answer (goJson), for the bench's documents with keys in a JavaScript
// backend's order and sorted as a Go backend sends them, alone (/proxy) and three merged (/merge). With --baseline DIR, DIR's decoder and writer run in the
// same process, in alternating rounds. CPU is the median of the rounds' per-call time; bytes are
// read from the heap's growth over a run too short for a scavenge (young generation fixed at 64 MB).
//
//   node bench/gateway/json.ts [--rounds 9] [--calls 20000] [--baseline DIR]...
import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import v8 from 'node:v8'
import { benchDocument } from './lab.ts'

const NODE_FLAGS = ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64']
if (!process.execArgv.includes('--expose-gc')) {
  const run = spawnSync(process.execPath, [...NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  })
  process.exit(run.status ?? 1)
}

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '9' },
    calls: { type: 'string', default: '20000' },
    baseline: { type: 'string', multiple: true, default: [] },
  },
})
const ROUNDS = Number(values.rounds)
const CALLS = Number(values.calls)

type Data = Record<string, unknown>
interface Runtime {
  label: string
  decode: (text: string) => unknown
  write: (data: unknown) => string
  merge: (results: Array<{ ok: true; data: Data; complete: true }>, backendCount: number) => { data?: Data }
}
async function runtime(label: string, root: string): Promise<Runtime> {
  const gateway = join(root, 'src', 'gateway')
  const { parseJsonKeepingNumbers } = await import(join(gateway, 'go-json-decoder.ts'))
  const { goJson } = await import(join(gateway, 'go-json.ts'))
  const { mergeResults } = await import(join(gateway, 'serve-endpoint.ts'))
  return { label, decode: parseJsonKeepingNumbers, write: goJson, merge: mergeResults }
}
const runtimes = [await runtime('this checkout', resolve(import.meta.dirname, '../..'))]
for (const root of values.baseline as string[]) runtimes.push(await runtime(root, root))

const documents = (names: string[], goOrder: boolean) => names.map((name) => benchDocument(name, goOrder))

const cases = [false, true].flatMap((goOrder) => {
  const keys = goOrder ? 'Go order' : 'JS order'
  return [
    { name: `/proxy, keys in ${keys}`, texts: documents(['item'], goOrder) },
    { name: `/merge, keys in ${keys}`, texts: documents(['a', 'b', 'c'], goOrder) },
  ]
})

/** The answers decoded and merged as the endpoint merges them (lura's merge of the backends' data). */
const decodeAll = (rt: Runtime, texts: string[]): unknown => {
  if (texts.length === 1) return rt.decode(texts[0] as string)
  const results = texts.map((text) => ({
    ok: true as const,
    data: rt.decode(text) as Data,
    complete: true as const,
  }))
  return rt.merge(results, texts.length).data
}

/** Microseconds per call (this round) and bytes allocated per call. */
function measure(fn: () => unknown): { us: number; bytes: number } {
  const gc = (globalThis as { gc?: () => void }).gc as () => void
  gc()
  const heap = v8.getHeapStatistics().used_heap_size
  const probe = Math.min(CALLS, 2000)
  for (let i = 0; i < probe; i += 1) fn()
  const bytes = (v8.getHeapStatistics().used_heap_size - heap) / probe
  const start = process.cpuUsage()
  for (let i = 0; i < CALLS; i += 1) fn()
  const cpu = process.cpuUsage(start)
  return { us: (cpu.user + cpu.system) / CALLS, bytes }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN
console.log(`per call: median of ${ROUNDS} alternating rounds of ${CALLS} calls; bytes allocated per call`)
console.log('| case | runtime | decode µs | decode B | write µs | write B |')
console.log('|---|---|---:|---:|---:|---:|')
for (const { name, texts } of cases) {
  const rows = runtimes.map(() => ({ decode: [] as number[], write: [] as number[], decodeB: 0, writeB: 0 }))
  for (const rt of runtimes) {
    // warm-up: the JIT and the writer's caches of shapes
    for (let i = 0; i < CALLS; i += 1) rt.write(decodeAll(rt, texts))
  }
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 ? [...runtimes.entries()].reverse() : [...runtimes.entries()]
    for (const [i, rt] of order) {
      const row = rows[i] as (typeof rows)[number]
      const decoded = measure(() => decodeAll(rt, texts))
      // Decoded data to write: goJson reorders a value in place or writes a copy, the same work
      // again on a value it has written before.
      const inputs = Array.from({ length: 256 }, () => decodeAll(rt, texts))
      let next = 0
      const written = measure(() => rt.write(inputs[next++ & 255]))
      row.decode.push(decoded.us)
      row.write.push(written.us)
      row.decodeB = decoded.bytes
      row.writeB = written.bytes
    }
  }
  for (const [i, rt] of runtimes.entries()) {
    const row = rows[i] as (typeof rows)[number]
    console.log(
      `| ${name} | ${rt.label} | ${median(row.decode).toFixed(2)} | ${row.decodeB.toFixed(0)} | ${median(row.write).toFixed(2)} | ${row.writeB.toFixed(0)} |`,
    )
  }
}
