// Tokens for auth.config.ts's endpoints (same SEED; N= tokens, default 300). Before they are drawn,
// both gateways' revokers take the same revocations through gwdeploy's own Go net/rpc client: half
// by Add on each, the other half by Add on this runtime only, whose filter (Snapshot) KrakenD then
// takes by Union — so this runtime's bits must be Go's for KrakenD to refuse those tokens too. A
// token one gateway refuses as revoked and the other lets through is a 401/200 difference.
import { createConnection } from 'node:net'
import {
  addRevocations,
  mergeRevocations,
  readRevocations,
} from '../../../src/gateway/revoker/revocation-client.ts'
import type { Case } from '../run.ts'
import {
  type AuthEndpoint,
  authEndpoints,
  chance,
  GATEWAY_REVOKER_PORT,
  KID_OF,
  KRAKEND_REVOKER_PORT,
  pick,
  signToken,
  THUMBS,
  TOKEN_KEYS,
} from './auth.config.ts'

const VALUES = ['v1', 'v2', 'ü', '', 'a-b', '123', 'true']
export const revoked = TOKEN_KEYS.flatMap((key) =>
  VALUES.filter(() => chance(0.15)).map((v) => `${key}-${v}`),
)
revoked.push('jti-v1', 'sub-\ufffd', 'sid-123')

async function listening(port: number) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => resolve(true))
      socket.on('error', () => resolve(false))
      socket.on('connect', () => socket.destroy())
    })
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`no revoker on 127.0.0.1:${port}`)
}
const krakend = { host: '127.0.0.1', port: KRAKEND_REVOKER_PORT }
const gateway = { host: '127.0.0.1', port: GATEWAY_REVOKER_PORT }
await listening(KRAKEND_REVOKER_PORT)
await listening(GATEWAY_REVOKER_PORT)
const half = Math.ceil(revoked.length / 2)
await addRevocations(krakend, revoked.slice(0, half), 5000)
await addRevocations(gateway, revoked, 5000)
await mergeRevocations(krakend, await readRevocations(gateway, 5000), 5000)

const now = Math.floor(Date.now() / 1000)
const u = (b: Buffer) => b.toString('base64url')

function header(ep: AuthEndpoint): { text: string; alg: string } {
  const alg = chance(0.85) ? ep.alg : pick(['RS256', 'ES256', 'HS256', 'EdDSA'])
  const kid = KID_OF[alg] as keyof typeof THUMBS
  const h: Record<string, unknown> = { alg }
  if (!chance(0.1)) h.kid = chance(0.9) ? kid : pick(['', 'R1', 'zz'])
  if (ep.strategy !== 'kid' || chance(0.1)) {
    const t = THUMBS[kid]
    if (chance(0.8))
      h.x5t = pick([u(t.x5t), u(t.x5t), `${u(t.x5t)}=`, u(Buffer.from(t.x5t.toString('hex'))), 5])
    if (chance(0.5)) h['x5t#S256'] = pick([u(t.s256), u(t.s256), ''])
  }
  return { text: JSON.stringify(h), alg }
}

/** jti and sub must be strings to go-jose (else 401): other types mostly go to sid, user.id and "". */
function claimValue(key: string): unknown {
  const v = pick(VALUES)
  if ((key === 'jti' || key === 'sub') && chance(0.9)) return v
  return pick<unknown>([v, v, v, Number(v) || 7, v === 'true', [v], { id: v }, null])
}

function payload(ep: AuthEndpoint): string {
  const c: Record<string, unknown> = {
    exp: chance(0.9) ? now + 600 : pick([now - 100, `${now + 600}`, now + 600.5]),
  }
  if (ep.issuer && chance(0.9)) c.iss = chance(0.9) ? ep.issuer : 'other'
  if (ep.audience && chance(0.9)) c.aud = pick(['a1', ['a1', 'a2'], 'a2', ['a3']])
  for (const key of TOKEN_KEYS) if (chance(0.3)) c[key] = claimValue(key)
  if (chance(0.2)) c.user = { id: claimValue('id') }
  let text = JSON.stringify(c)
  if (chance(0.05)) text = text.replace(/^\{/, '{"jti":"v1",')
  if (chance(0.05)) text = text.replace(/^\{/, '{"sub":"\\udc80",')
  return text
}

const count = Number(process.env.N ?? 300)
export const cases: Case[] = Array.from({ length: count }, () => {
  const ep = pick(authEndpoints)
  const h = header(ep)
  const token = signToken(h.text, payload(ep), h.alg)
  return { path: ep.path, headers: [['Authorization', `Bearer ${token}`]] as Array<[string, string]> }
})
