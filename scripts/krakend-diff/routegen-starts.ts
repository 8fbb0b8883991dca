// Dev tool: does KrakenD start the seeded endpoint sets of routegen.gen.ts, and does this runtime?
// gin panics at registration on conflicting wildcards, duplicates, an unnamed wildcard...; lura
// refuses some paths before. Each set (odd segments, conflicting param names and all) is given to
// `krakend run` (started or refused) and to this runtime's validation and route building.
//
//   flock /tmp/krakend-diff.lock node scripts/krakend-diff/routegen-starts.ts [--seeds 1-50] [--n 6]
//
// KrakenD is KRAKEND_BIN or `krakend` on PATH; it listens on PORT (18081, run.ts's) on 127.0.0.1.
// Prints each set where the two disagree, with KrakenD's panic or error and our first problem.
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createGateway } from '../../src/gateway/app.ts'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { configOf, generate } from './suites/routegen.gen.ts'

const { values } = parseArgs({ options: { seeds: { type: 'string' }, n: { type: 'string' } } })
const [from, to] = (values.seeds ?? '1-40').split('-').map(Number) as [number, number]
const count = Number(values.n ?? 6)
const krakend = process.env.KRAKEND_BIN ?? 'krakend'
const port = Number(process.env.PORT ?? 18081)
const dir = mkdtempSync(join(tmpdir(), 'routegen-starts-'))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const answers = () =>
  new Promise<boolean>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/__health', agent: false }, (res) => {
      res.resume()
      resolve(true)
    })
    req.on('error', () => resolve(false))
    req.end()
  })

/** KrakenD's verdict: undefined when it serves, else the first line saying why it stopped. */
async function krakendRefusal(config: object): Promise<string | undefined> {
  const file = join(dir, 'krakend.json')
  writeFileSync(file, JSON.stringify({ ...config, port, listen_ip: '127.0.0.1' }))
  const child = spawn(krakend, ['run', '-c', file], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  let exited = false
  child.on('exit', () => (exited = true))
  try {
    for (let i = 0; i < 100; i += 1) {
      if (exited) {
        const reason =
          /^panic: .*$/m.exec(out)?.[0] ?? /ERROR.*$/m.exec(out)?.[0] ?? out.trim().split('\n').pop()
        return reason ?? 'exited'
      }
      if (await answers()) return undefined
      await sleep(100)
    }
    return 'neither served nor exited in 10 s'
  } finally {
    if (!exited && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    while (!exited) await sleep(20)
  }
}

/** This runtime's verdict: undefined when it would start. */
async function ourRefusal(config: object): Promise<string | undefined> {
  const raw = JSON.parse(JSON.stringify(config).replaceAll('BACKEND', 'http://127.0.0.1:19000'))
  const result = validateGatewayConfig(raw)
  if (!result.config) return result.errors[0]?.message ?? 'invalid'
  try {
    const gateway = createGateway(result.config, { metrics: false })
    await gateway.close({ force: true })
    return undefined
  } catch (error) {
    return `at start: ${(error as Error).message}`
  }
}

let differ = 0
let total = 0
let refusedByBoth = 0
for (let seed = from; seed <= to; seed += 1) {
  const set = generate(seed, count, { odd: 0.12, health: true })
  const config = JSON.parse(
    JSON.stringify(configOf(set, `routegen-starts ${seed}`)).replaceAll('BACKEND', 'http://127.0.0.1:19000'),
  )
  const [k, g] = [await krakendRefusal(config), await ourRefusal(config)]
  total += 1
  if (process.env.VERBOSE) console.log(`seed ${seed}: K ${k ?? 'starts'} | G ${g ?? 'starts'}`)
  if (k !== undefined && g !== undefined) refusedByBoth += 1
  if ((k === undefined) === (g === undefined)) continue
  differ += 1
  console.log(
    `\nseed ${seed}: KrakenD ${k === undefined ? 'starts' : 'refuses'}, we ${g === undefined ? 'start' : 'refuse'}`,
  )
  console.log(`  K: ${k ?? '-'}\n  G: ${g ?? '-'}`)
  for (const e of set.endpoints) console.log(`  ${e.method} ${e.endpoint}`)
}
console.log(
  `\n${differ}/${total} endpoint sets differ (started or refused); ${refusedByBoth} refused by both`,
)
process.exit(0)
