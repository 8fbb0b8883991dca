// Dev tool: each seeded config mutation of suites/configgen.gen.ts alone, on KrakenD and here —
// does each start (KrakenD `run`; here the config check, then an in-process gateway), and what do
// the guard's probe requests get (status, body, what reached the backend). Prints the units whose
// outcome differs, worst first: KrakenD stops a probe this runtime lets through; this runtime
// starts where KrakenD does not; this runtime refuses a config KrakenD runs (with KrakenD's
// answers, which tell whether its guard was on).
//
//   SEED=1 N=200 [MULTI=1] [PORT=18081] [ONLY=id] [ALL=1] node scripts/krakend-diff/configgen-start.ts
//
// KrakenD is KRAKEND_BIN or `krakend` on PATH. Ports PORT (KrakenD), PORT+1 (here) and PORT+900
// (the recording backend) on 127.0.0.1; run under `flock /tmp/krakend-diff.lock` with the default.
// MULTI=1: two mutations per unit; ALL=1 prints the units that agree too.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGateway } from '../../src/gateway/app.ts'
import { checkGatewayConfigText } from '../../src/gateway/config/load.ts'
import { listen } from '../../src/gateway/server.ts'
import { quietLogger } from '../../test/gateway/helpers.ts'
import { seen, startBackend } from './backend.ts'
import { writeCaseHeaders } from './case-headers.ts'
import type { Case } from './run.ts'
import { dupText, generateUnits, type Unit } from './suites/configgen.gen.ts'

const krakend = process.env.KRAKEND_BIN ?? 'krakend'
const base = Number(process.env.PORT ?? 18081)
const [K_PORT, G_PORT, B_PORT] = [base, base + 1, base + 900]
const origin = `http://127.0.0.1:${B_PORT}`
const units = generateUnits(
  Number(process.env.SEED ?? 1),
  Number(process.env.N ?? 100),
  origin,
  process.env.MULTI === '1',
)
const only = process.env.ONLY === undefined ? undefined : Number(process.env.ONLY)
const dir = mkdtempSync(join(tmpdir(), 'configgen-'))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Outcome {
  started: boolean
  why: string
  answers: string[]
}

function configText(unit: Unit, port: number): string {
  const config = {
    version: 3,
    port,
    listen_ip: '127.0.0.1',
    timeout: '3s',
    extra_config: { router: { disable_access_log: true }, ...unit.service },
    endpoints: [unit.endpoint],
  }
  return dupText(JSON.stringify(config, null, 1))
}

function send(port: number, c: Case): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, method: c.method ?? 'GET', path: c.path, agent: false, setHost: false },
      (res) => {
        let body = ''
        res.on('data', (d: Buffer) => {
          body += d.toString('latin1')
        })
        res.on('end', () => {
          const cors = res.headers['access-control-allow-origin']
          resolve(`${res.statusCode} ${body.slice(0, 200)}${cors ? ` ACAO=${cors}` : ''}`)
        })
      },
    )
    req.setTimeout(5000, () => req.destroy(new Error('timeout')))
    req.on('error', (error) => resolve(`error ${error.message}`))
    writeCaseHeaders(req, c)
    req.end(c.body)
  })
}

/** What the backend saw: method, URL and the headers the guards add or pass. */
const backendSaw = () =>
  seen.splice(0).map((r) => {
    const shown: string[] = []
    for (let i = 0; i < r.headers.length; i += 2)
      if (/^(x-(martian|pass|secret|deny|key)|authorization)$/i.test(r.headers[i] as string))
        shown.push(`${(r.headers[i] as string).toLowerCase()}=${r.headers[i + 1]}`)
    return `  -> ${r.method} ${r.url} ${shown.join(' ')}`
  })

async function probe(port: number, unit: Unit): Promise<string[]> {
  const out: string[] = []
  for (const c of unit.probes) {
    seen.length = 0
    out.push(await send(port, c))
    await sleep(20)
    out.push(...backendSaw())
  }
  return out
}

async function onKrakend(unit: Unit): Promise<Outcome> {
  const file = join(dir, `k${unit.id}.json`)
  writeFileSync(file, configText(unit, K_PORT))
  const child: ChildProcess = spawn(krakend, ['run', '-c', file], { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  child.stdout?.on('data', (d) => {
    log += d
  })
  child.stderr?.on('data', (d) => {
    log += d
  })
  let exited = false
  child.on('exit', () => {
    exited = true
  })
  try {
    for (let i = 0; i < 100 && !exited; i++) {
      if (!(await send(K_PORT, { path: '/__health' })).startsWith('error')) {
        const answers = await probe(K_PORT, unit)
        const errors = log
          .split('\n')
          .filter((l) => /ERROR|WARNING|CRITICAL/.test(l) && !/bot rejected|rate limit|denied/i.test(l))
        return { started: true, why: errors.slice(0, 3).join(' | ').slice(0, 400), answers }
      }
      await sleep(50)
    }
    return { started: false, why: log.trim().split('\n').slice(-2).join(' | ').slice(0, 400), answers: [] }
  } finally {
    child.kill('SIGKILL')
    await new Promise((resolve) => (exited ? resolve(undefined) : child.once('exit', resolve)))
  }
}

async function here(unit: Unit): Promise<Outcome> {
  let checked: ReturnType<typeof checkGatewayConfigText>
  try {
    checked = checkGatewayConfigText(configText(unit, G_PORT), 'configgen.json')
  } catch (error) {
    return { started: false, why: String(error).slice(0, 400), answers: [] }
  }
  if (!checked.config)
    return {
      started: false,
      why: checked.errors
        .map((e) => `${e.location?.path ?? ''} ${e.message}`)
        .join(' | ')
        .slice(0, 400),
      answers: [],
    }
  const server = await listen(createGateway(checked.config, { logger: quietLogger() }), {
    port: G_PORT,
    host: '127.0.0.1',
  })
  try {
    return {
      started: true,
      why: checked.warnings
        .map((w) => w.message)
        .join(' | ')
        .slice(0, 300),
      answers: await probe(G_PORT, unit),
    }
  } finally {
    await server.close()
  }
}

const plainAnswers = new Map<string, string>()
/** KrakenD's answers to the unit's guard unmutated (the guard on), once per guard. */
async function plainOnKrakend(unit: Unit): Promise<string> {
  const known = plainAnswers.get(unit.guard)
  if (known !== undefined) return known
  const answers = unit.plain ? (await onKrakend(unit.plain)).answers.join('\n') : ''
  plainAnswers.set(unit.guard, answers)
  return answers
}

const rank = async (unit: Unit, k: Outcome, g: Outcome) => {
  if (k.started && g.started) return 0 // answers differ: is a guard off on one side?
  if (!k.started && g.started) return 1
  return k.answers.join('\n') === (await plainOnKrakend(unit)) ? 2 : 3
}
const LABELS = [
  'answers differ',
  'this runtime starts, KrakenD does not',
  'this runtime refuses, KrakenD runs with the guard as unmutated',
  'this runtime refuses, KrakenD runs answering otherwise than unmutated (guard off or changed)',
]
const found: Array<{ rank: number; text: string }> = []
await startBackend(B_PORT)
let both = 0
let refusedBoth = 0
for (const unit of units) {
  if (only !== undefined && unit.id !== only) continue
  const k = await onKrakend(unit)
  const g = await here(unit)
  if (!k.started && !g.started) refusedBoth += 1
  if (k.started && g.started) both += 1
  if (!process.env.ALL && k.started === g.started && k.answers.join('\n') === g.answers.join('\n')) continue
  const r = await rank(unit, k, g)
  const text = [
    `#${unit.id} ${unit.guard}: ${unit.mutation} [${LABELS[r]}]`,
    `  K ${k.started ? 'runs' : 'refuses'}${k.why ? `: ${k.why}` : ''}`,
    ...k.answers.map((a) => `    K ${a}`),
    `  G ${g.started ? 'runs' : 'refuses'}${g.why ? `: ${g.why}` : ''}`,
    ...g.answers.map((a) => `    G ${a}`),
  ].join('\n')
  found.push({ rank: r, text })
}
for (const f of found.sort((a, b) => a.rank - b.rank)) console.log(`\n${f.text}`)
const counted = only === undefined ? units.length : 1
console.log(
  `\n${found.length}/${counted} units differ (${both} run on both, ${refusedBoth} refused by both); ` +
    LABELS.map((l, i) => `${l}: ${found.filter((f) => f.rank === i).length}`).join(', '),
)
process.exit(0)
