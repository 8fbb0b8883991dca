// Seeded requests for celgen.config.ts (SEED= as the config's, PER= requests per endpoint, 3 by
// default): params, multi-valued / absent / non-ASCII headers, query strings, backend JSON bodies
// and headers, JWT claims (celgen-values.ts).
import { sign } from '../backend.ts'
import type { Case } from '../run.ts'
import { plan } from './celgen.config.ts'
import { celRandom } from './celgen-grammar.ts'
import { BACKEND_HEADERS, BODIES, CLAIMS, reqSample } from './celgen-values.ts'

const { rnd, pick } = celRandom(Number(process.env.SEED ?? 1) + 7919)
const per = Number(process.env.PER ?? 3)
const b64 = (text: string) => Buffer.from(text).toString('base64url')

function request({ kind, index, method }: (typeof plan)[number]): Case {
  if (kind === 'er' || kind === 'br') {
    const r = reqSample(rnd, pick)
    const query = r.query.map(([k, v]) => `${k}=${v}`).join('&')
    const body = method === 'GET' || method === 'DELETE' ? undefined : '{"x":1}'
    return {
      method,
      path: `/${kind}${index}/${r.id}/${r.name}${query ? `?${query}` : ''}`,
      headers: r.headers.map(([name, value]) => [name, Buffer.from(value).toString('latin1')]),
      ...(body === undefined ? {} : { body }),
    }
  }
  if (kind === 'es' || kind === 'bs') {
    const headers = { 'Content-Type': ['application/json'], ...pick(BACKEND_HEADERS) }
    const status = pick([200, 200, 200, 201, 204, 404, 500])
    return { path: `/${kind}${index}/${status}/${b64(JSON.stringify(headers))}/${b64(pick(BODIES))}` }
  }
  const token = sign(pick(CLAIMS), { alg: 'RS256', kid: 'r1' })
  return { path: `/j${index}`, headers: [['Authorization', `Bearer ${token}`]] }
}

export const cases: Case[] = plan.flatMap((p) => Array.from({ length: per }, () => request(p)))
