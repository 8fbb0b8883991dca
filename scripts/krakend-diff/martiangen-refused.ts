// Dev tool: the martian trees this runtime refuses in suites/martiangen.config.ts (SEED=, N=), each
// on an endpoint of its own served by KrakenD alone, called once. Each tree sits in a fifo.Group
// after a header.Modifier setting X-Probe, so the recording backend tells what KrakenD made of it:
// X-Probe arrived, KrakenD runs the tree (this runtime refuses a config KrakenD runs: the error
// printed says why, by design or not); no X-Probe, krakend-martian dropped it (logged the parse error
// and called the backend without modifiers), where this runtime refuses to start instead.
//
//   SEED=1 node scripts/krakend-diff/martiangen-refused.ts [-v]
//
// Ports as run.ts (PORT_BASE moves them). -v prints the dropped ones too.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { seen, startBackend } from './backend.ts'
import { krakendBinary, ports, sleep, startGroup, waitUp } from './side-by-side.ts'
import { PROBE, refused, SEED } from './suites/martiangen.config.ts'

const { values } = parseArgs({ options: { verbose: { type: 'boolean', short: 'v' } } })
const krakend = krakendBinary()
const { backend: BACKEND_PORT, K } = ports()

if (refused.length === 0) {
  console.log(`SEED=${SEED}: this runtime refuses no tree`)
  process.exit(0)
}
const endpoints = refused.map(({ endpoint }, i) => ({ ...endpoint, endpoint: `/r${i}` }))
const dir = mkdtempSync(join(tmpdir(), 'martiangen-refused-'))
const file = join(dir, 'krakend.json')
const text = JSON.stringify({ version: 3, port: K, listen_ip: '127.0.0.1', host: ['BACKEND'], endpoints })
writeFileSync(file, text.replaceAll('"BACKEND"', JSON.stringify(`http://127.0.0.1:${BACKEND_PORT}`)))
await startBackend(BACKEND_PORT)
startGroup(krakend, ['run', '-c', file])
await waitUp(K)

const call = (path: string, method: string) =>
  new Promise<number>((resolve) => {
    const req = request({ host: '127.0.0.1', port: K, path, method, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', () => resolve(-1))
    req.end(method === 'GET' ? undefined : '{}')
  })

let runs = 0
for (const [i, { endpoint, error, tree }] of refused.entries()) {
  seen.length = 0
  const status = await call(`/r${i}`, endpoint.method)
  await sleep(30)
  const probed = seen.some((r) => r.headers.some((v, j) => j % 2 === 0 && v.toLowerCase() === 'x-probe'))
  if (probed) runs += 1
  if (probed || values.verbose)
    console.log(
      `\n${probed ? 'KrakenD RUNS' : 'KrakenD drops'} ${endpoint.endpoint} (status ${status}): ${error}\n  ${JSON.stringify({ 'fifo.Group': { modifiers: [PROBE, tree] } })}`,
    )
}
console.log(`\nSEED=${SEED}: ${refused.length} refused trees, KrakenD runs ${runs}`)
process.exit(0)
