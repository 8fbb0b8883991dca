// Dev tool: seeded auth/signer endpoints (suites/signergen.config.ts; SEED=, N=) on KrakenD and on
// this runtime, one GET each; the status, Content-Type, a Lua post's X-L and the body are
// compared. Tokens of HS, RS and EdDSA algs must be byte-equal; ES and PS signatures are random, so
// there the header and payload parts must be equal and each side's signature must verify with the
// key's public half.
//
//   flock /tmp/krakend-diff.lock node scripts/krakend-diff/signergen.ts [-v]
//
// Ports as run.ts (PORT_BASE moves them); the JWKS server takes a free port on 127.0.0.1.
import { constants, createPublicKey, verify } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ensurePortsFree, krakendBinary, ports, startBoth, stopGroup, waitUp } from './side-by-side.ts'
import { BODIES, KEYS, plan, SEED, type SignerPlan } from './suites/signergen.config.ts'

const { values } = parseArgs({ options: { verbose: { type: 'boolean', short: 'v' } } })
const krakend = krakendBinary()
const { backend: BACKEND_PORT, K, G } = ports()
await ensurePortsFree([BACKEND_PORT, K, G])
const { endpoints, sets, plans } = plan(Number(process.env.N ?? 30))

const listen = async (server: ReturnType<typeof createServer>, port: number) => {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  server.unref()
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
const JSON_TYPE = { 'Content-Type': 'application/json' }
const jwks = await listen(
  createServer((req, res) => {
    const body = sets[req.url ?? '']
    res.writeHead(body === undefined ? 404 : 200, JSON_TYPE).end(body ?? '')
  }),
  0,
)
const backend = await listen(
  createServer((req, res) => {
    const [, , n, fail] = (req.url ?? '').split('/')
    res.writeHead(fail ? 500 : 200, JSON_TYPE).end(JSON.stringify(BODIES[Number(n)] ?? {}))
  }),
  BACKEND_PORT,
)

const dir = mkdtempSync(join(tmpdir(), 'signergen-run-'))
const configFile = (side: string, port: number) => {
  const file = join(dir, `${side}.json`)
  const text = JSON.stringify({ version: 3, port, listen_ip: '127.0.0.1', endpoints })
  writeFileSync(file, text.replaceAll('"BACKEND"', JSON.stringify(backend)).replaceAll('JWKS/', `${jwks}/`))
  return file
}
const gateways = startBoth(krakend, configFile('K', K), configFile('G', G))
await Promise.all([waitUp(K), waitUp(G)])

interface Answer {
  status: number
  type: string
  /** The header a lua-proxy post sets (suites/signergen.config.ts). */
  lua: string
  body: string
}
function get(port: number, path: string): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          lua: String(res.headers['x-l'] ?? '(none)'),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      )
    })
    req.on('error', (error) => resolve({ status: -1, type: '', lua: '', body: String(error) }))
    req.end()
  })
}

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' }

/** Whether `signature` of `input` verifies with `p`'s public key under its ES or PS alg. */
function verifies(p: SignerPlan, input: string, signature: string): boolean {
  const key = createPublicKey({ key: KEYS[p.key]?.public as never, format: 'jwk' })
  const hash = HASH[p.alg.slice(2)] as string
  const sig = Buffer.from(signature, 'base64url')
  if (p.alg.startsWith('ES')) return verify(hash, Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }, sig)
  return verify(
    hash,
    Buffer.from(input),
    { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
    sig,
  )
}

/** The signed parts and signature of a compact or full serialization. */
function parts(token: string): { header: string; payload: string; signature: string } | undefined {
  if (token.startsWith('{')) {
    const full = JSON.parse(token) as { protected: string; payload: string; signature: string }
    return { header: full.protected, payload: full.payload, signature: full.signature }
  }
  const [header, payload, signature, extra] = token.split('.')
  if (header === undefined || payload === undefined || signature === undefined || extra !== undefined)
    return undefined
  return { header, payload, signature }
}

/** Why two bodies differ beyond ES/PS randomness, or undefined. */
function bodyProblem(p: SignerPlan, k: string, g: string): string | undefined {
  if (k === g) return undefined
  if (!/^(ES|PS)/.test(p.alg)) return 'bodies differ'
  let kj: Record<string, unknown>
  let gj: Record<string, unknown>
  try {
    kj = JSON.parse(k)
    gj = JSON.parse(g)
  } catch {
    return 'bodies differ (not JSON)'
  }
  const names = new Set([...Object.keys(kj), ...Object.keys(gj)])
  for (const name of names) {
    const [kv, gv] = [kj[name], gj[name]]
    if (JSON.stringify(kv) === JSON.stringify(gv)) continue
    if (typeof kv !== 'string' || typeof gv !== 'string') return `${name} differs`
    const [kp, gp] = [parts(kv), parts(gv)]
    if (!kp || !gp) return `${name} differs`
    if (kp.header !== gp.header || kp.payload !== gp.payload) return `${name}: header or payload differs`
    for (const [side, x] of [
      ['K', kp],
      ['G', gp],
    ] as const)
      if (!verifies(p, `${x.header}.${x.payload}`, x.signature))
        return `${name}: ${side}'s signature does not verify`
  }
  // Same members, same order? The texts differ only in the signatures then.
  return Object.keys(kj).join() === Object.keys(gj).join() ? undefined : 'member order differs'
}

let differing = 0
for (const [i, p] of plans.entries()) {
  const [k, g] = await Promise.all([get(K, p.path), get(G, p.path)])
  const problems: string[] = []
  if (k.status !== g.status) problems.push(`status K ${k.status} G ${g.status}`)
  if (k.type !== g.type) problems.push(`content-type K ${k.type} G ${g.type}`)
  if (k.lua !== g.lua) problems.push(`X-L K ${k.lua} G ${g.lua}`)
  const why = bodyProblem(p, k.body, g.body)
  if (why) problems.push(`${why}\n    K ${k.body.slice(0, 400)}\n    G ${g.body.slice(0, 400)}`)
  const cfg = JSON.stringify(
    (endpoints[i] as { extra_config: Record<string, unknown> }).extra_config['auth/signer'],
  )
  if (problems.length > 0) {
    differing += 1
    console.log(`\n#${i} ${p.path} key=${p.key} ${cfg}\n  ${problems.join('\n  ')}`)
  } else if (values.verbose) console.log(`#${i} ${p.path} ${k.status} same (key=${p.key} ${cfg})`)
}
console.log(`\nSEED=${SEED}: ${differing} of ${plans.length} endpoints differ`)
await Promise.all(gateways.map(stopGroup))
process.exit(differing > 0 ? 1 : 0)
