// Dev tool: seeded security/bot-detector objects (suites/botgen.draw.ts, odd values included), each
// at an endpoint of one KrakenD config, against this runtime's config check of each alone. KrakenD
// logs per endpoint whether it built the detector ("registered successfully") or runs without one
// (a warning: a value encoding/json cannot decode, a pattern Go rejects, a cache size lru refuses).
// Prints the detectors whose outcome differs: this runtime takes one KrakenD disables (it would
// refuse bots KrakenD lets through), or refuses one KrakenD builds (with the reason).
//
//   SEEDS=1-40 PER=10 [PORT=21101] [ALL=1] node scripts/krakend-diff/botgen-configs.ts
//
// KrakenD is KRAKEND_BIN or `krakend` on PATH; it listens on PORT at 127.0.0.1 (no request is sent).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { krakendBinary, sleep, startGroup } from './side-by-side.ts'
import { detectorDraws, refusals } from './suites/botgen.draw.ts'

const [from, to] = (process.env.SEEDS ?? '1-20').split('-').map(Number) as [number, number]
const per = Number(process.env.PER ?? 10)
const port = Number(process.env.PORT ?? 21101)

const detectors = new Map<string, Record<string, unknown>>()
for (let seed = from; seed <= (to ?? from); seed += 1) {
  const { detector } = detectorDraws(seed, true)
  for (let i = 0; i < per; i += 1) detectors.set(`/s${seed}e${i}`, detector())
}

const dir = mkdtempSync(join(tmpdir(), 'botgen-configs-'))
const file = join(dir, 'krakend.json')
writeFileSync(
  file,
  JSON.stringify({
    version: 3,
    port,
    listen_ip: '127.0.0.1',
    host: ['http://127.0.0.1:8080'],
    extra_config: { router: { disable_access_log: true } },
    endpoints: [...detectors].map(([endpoint, d]) => ({
      endpoint,
      extra_config: { 'security/bot-detector': d },
      backend: [{ url_pattern: '/' }],
    })),
  }),
)

const child = startGroup(krakendBinary(), ['run', '-c', file])
let log = ''
child.stdout?.on('data', (d: Buffer) => {
  log += d.toString()
})
child.stderr?.on('data', (d: Buffer) => {
  log += d.toString()
})
const last = `[ENDPOINT: ${[...detectors.keys()].at(-1)}][Botdetector]`
for (let i = 0; i < 100 && !log.includes(last) && child.exitCode === null; i += 1) await sleep(100)
if (!log.includes(last)) {
  console.error(`KrakenD did not build every endpoint:\n${log.slice(-2000)}`)
  process.exit(2)
}

/** KrakenD's word on each endpoint's detector: undefined when built, else its warning. */
function krakendOutcome(endpoint: string): string | undefined {
  const line = log.split('\n').find((l) => l.includes(`[ENDPOINT: ${endpoint}][Botdetector]`))
  if (line === undefined) return 'no log line'
  return line.includes('registered successfully') ? undefined : line.replace(/^.*\]\[Botdetector\] /, '')
}

let differ = 0
for (const [endpoint, d] of detectors) {
  const ours = refusals(d)
  const theirs = krakendOutcome(endpoint)
  const same = ours.length > 0 === (theirs !== undefined)
  if (same && process.env.ALL !== '1') continue
  if (!same) differ += 1
  const verdict = same
    ? 'same'
    : theirs === undefined
      ? 'REFUSED HERE, KrakenD runs it'
      : 'RUN HERE, KrakenD disables it'
  console.log(`${endpoint} ${verdict}: ${JSON.stringify(d)}`)
  if (theirs !== undefined) console.log(`  KrakenD: ${theirs}`)
  for (const why of ours) console.log(`  here: ${why}`)
}
console.log(`\n${differ}/${detectors.size} detectors differ`)
process.exit(0)
