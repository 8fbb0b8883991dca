// Dev tool: auth/validator over time and key rotation, KrakenD against this runtime. Each scenario
// of suites/jwttime.scenarios.ts (SEED=, N=) starts both gateways on one config, each with a JWKS
// server of its own that the scenario's script changes for both between requests; each token is
// sent to both at once. The statuses are compared, and the JWKS downloads of each side shown. A case within 1.5 s of a date's edge is sent three times and counted only when
// each side answers the same every time.
//
//   flock /tmp/krakend-diff.lock node scripts/krakend-diff/jwttime.ts [--only NAME-PART] [-v]
//
// KrakenD is KRAKEND_BIN or `krakend` on PATH. Ports as run.ts (PORT_BASE moves them: backend
// PORT_BASE, KrakenD +1, this runtime +2); the JWKS servers take free ports on 127.0.0.1.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ensurePortsFree, krakendBinary, ports, sleep, startBoth, stopGroup, waitUp } from './side-by-side.ts'
import {
  type JwksState,
  jwkOf,
  margin,
  type Scenario,
  SEED,
  type Step,
  scenarios,
  tokenOf,
} from './suites/jwttime.scenarios.ts'

const { values } = parseArgs({
  options: { only: { type: 'string' }, verbose: { type: 'boolean', short: 'v' } },
})
const krakend = krakendBinary()
const { backend: BACKEND_PORT, K, G } = ports()
await ensurePortsFree([BACKEND_PORT, K, G])
const PORTS = { K, G }
const dir = mkdtempSync(join(tmpdir(), 'jwttime-'))

/** A JWKS server whose answer is `state`; counts its downloads. */
class JwksServer {
  state: JwksState = { keys: [] }
  downloads = 0
  private readonly server: Server
  constructor() {
    this.server = createServer((req, res) => {
      if (req.url === '/moved') return this.answer(res, this.state, true)
      this.downloads += 1
      this.answer(res, this.state, false)
    })
  }
  private answer(res: import('node:http').ServerResponse, s: JwksState, moved: boolean): void {
    if ('fail' in s) {
      if (s.fail === 'down') return void res.socket?.destroy()
      if (s.fail === 'invalid-json') return void res.writeHead(200, JSON_TYPE).end('{"keys": [')
      if (s.fail === 'html')
        return void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<h1>hi</h1>')
      if (s.fail === 'empty-set') return void res.writeHead(200, JSON_TYPE).end('{"keys": []}')
      return void res.writeHead(500, { 'Content-Type': 'text/plain' }).end('oops')
    }
    const body = JSON.stringify({ keys: s.keys.map(jwkOf) })
    if ('redirect' in s && !moved) return void res.writeHead(s.redirect, { Location: '/moved' }).end()
    const headers = { ...JSON_TYPE, ...('cacheControl' in s ? { 'Cache-Control': s.cacheControl } : {}) }
    const status = 'status' in s ? s.status : 200
    const write = () => res.writeHead(status, headers).end(body)
    if ('delayMs' in s) setTimeout(write, s.delayMs)
    else write()
  }
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks`
  }
  close(): void {
    this.server.closeAllConnections()
    this.server.close()
  }
}
const JSON_TYPE = { 'Content-Type': 'application/json' }
type Side = 'K' | 'G'

const backend = createServer((_req, res) => res.writeHead(200, JSON_TYPE).end('{"ok":true}'))
await new Promise<void>((resolve) => backend.listen(BACKEND_PORT, '127.0.0.1', resolve))
backend.unref()

function get(port: number, token: string | undefined): Promise<number> {
  return new Promise((resolve) => {
    const headers = token === undefined ? {} : { Authorization: `Bearer ${token}` }
    const req = request({ host: '127.0.0.1', port, path: '/v', headers, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.setTimeout(20_000, () => req.destroy(new Error('timeout')))
    req.on('error', () => resolve(-1))
    req.end()
  })
}

function configFile(side: 'K' | 'G', s: Scenario, jwkUrl: string): string {
  const file = join(dir, `${side}.json`)
  const validator = { alg: 'HS256', jwk_url: jwkUrl, disable_jwk_security: true, ...s.validator }
  const config = {
    version: 3,
    port: PORTS[side],
    listen_ip: '127.0.0.1',
    endpoints: [
      {
        endpoint: '/v',
        backend: [{ host: [`http://127.0.0.1:${BACKEND_PORT}`], url_pattern: '/' }],
        extra_config: { 'auth/validator': validator },
      },
    ],
  }
  writeFileSync(file, JSON.stringify(config))
  return file
}

interface Outcome {
  label: string
  statuses: number[]
  /** The case came within 1.5 s of a date's edge (then sent three times). */
  edge: boolean
}

/** Runs `steps` on both sides in lockstep: one token per step, sent to both at once. */
async function play(servers: Record<Side, JwksServer>, steps: Step[], leewayS: number) {
  const out: Record<Side, Outcome[]> = { K: [], G: [] }
  const both = async (token: string, statuses: Record<Side, number[]>) => {
    const [k, g] = await Promise.all([get(PORTS.K, token), get(PORTS.G, token)])
    statuses.K.push(k)
    statuses.G.push(g)
  }
  for (const step of steps) {
    if ('jwks' in step) {
      servers.K.state = step.jwks
      servers.G.state = step.jwks
    } else if ('wait' in step) await sleep(step.wait)
    else {
      const now = Date.now() / 1000
      const edge = margin(step.send, now, leewayS) < 1.5
      const token = tokenOf(step.send, now)
      const statuses: Record<Side, number[]> = { K: [], G: [] }
      for (let i = 0; i < (edge ? 3 : 1); i += 1) await both(token, statuses)
      if (step.replayAfterMs !== undefined) {
        await sleep(step.replayAfterMs)
        await both(token, statuses)
      }
      out.K.push({ label: step.label, statuses: statuses.K, edge })
      out.G.push({ label: step.label, statuses: statuses.G, edge })
    }
  }
  return out
}

function leewayOf(s: Scenario): number {
  const ms = /^(-?[\d.]+)(ms|s)$/.exec(String(s.validator.leeway ?? ''))
  if (!ms) return 1
  return Math.max(1, Number(ms[1]) / (ms[2] === 'ms' ? 1000 : 1))
}

let differing = 0
let compared = 0
for (const s of scenarios) {
  if (values.only && !s.name.includes(values.only)) continue
  const servers = { K: new JwksServer(), G: new JwksServer() }
  const urls = { K: await servers.K.listen(), G: await servers.G.listen() }
  servers.K.state = s.initial
  servers.G.state = s.initial
  const gateways = startBoth(krakend, configFile('K', s, urls.K), configFile('G', s, urls.G))
  await Promise.all([waitUp(PORTS.K, '/v'), waitUp(PORTS.G, '/v')])
  const startDownloads = { K: servers.K.downloads, G: servers.G.downloads }
  const leewayS = leewayOf(s)
  const { K: ko, G: go } = await play(servers, s.steps, leewayS)
  const lines: string[] = []
  for (const [i, kc] of ko.entries()) {
    const gc = go[i] as Outcome
    compared += 1
    // Near an edge only answers each side repeats count, the first of them.
    const edge = kc.edge
    const stable = (o: Outcome) => o.statuses.slice(0, 3).every((x) => x === o.statuses[0])
    const shown = (o: Outcome) => (edge ? [o.statuses[0], ...o.statuses.slice(3)] : o.statuses)
    if (edge && (!stable(kc) || !stable(gc))) continue
    const line = `  ${kc.label}: K ${shown(kc).join(',')} G ${shown(gc).join(',')}${edge ? ' (edge)' : ''}`
    if (shown(kc).join() !== shown(gc).join()) lines.push(line)
    else if (values.verbose) console.log(line)
  }
  const downloads = `JWKS downloads K ${startDownloads.K}+${servers.K.downloads - startDownloads.K} G ${startDownloads.G}+${servers.G.downloads - startDownloads.G}`
  if (lines.length > 0) differing += 1
  console.log(`${lines.length > 0 ? 'DIFF' : 'same'} ${s.name} (${downloads})`)
  for (const line of lines) console.log(line)
  await Promise.all(gateways.map(stopGroup))
  servers.K.close()
  servers.G.close()
}
console.log(`\nSEED=${SEED}: ${differing} scenario(s) differ; ${compared} cases compared`)
process.exit(differing > 0 ? 1 : 0)
