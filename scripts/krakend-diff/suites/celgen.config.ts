// Seeded validation/cel configs from a grammar (celgen-grammar.ts): SEED=, N= expressions per
// kind (10 by default). Kinds: endpoint-level req_ checks (/er), backend-level req_ checks (/br),
// endpoint-level and backend-level resp_ checks on a JSON answer the case picks (/es, /bs:
// /scripted/200/{h}/{b}), JWT checks behind auth/validator (/j). Now and then a list of two or
// three expressions (evaluator #N). An expression this runtime's check refuses is not served (its
// gateway would not start); their count goes to stderr (CELGEN_REFUSED=1 lists them). One KrakenD
// skips or does not parse shows as a difference: KrakenD then checks nothing there.
import { parseCel } from '../../../src/gateway/components/cel.ts'
import { celGrammar, type Side } from './celgen-grammar.ts'

export type Kind = 'er' | 'br' | 'es' | 'bs' | 'j'
export interface Planned {
  kind: Kind
  index: number
  method: string
}

const seed = Number(process.env.SEED ?? 1)
const perKind = Number(process.env.N ?? 10)
const grammar = celGrammar(seed)
const { rnd, pick } = grammar
const SIDES: Record<Kind, Side> = { er: 'req', br: 'req', es: 'resp', bs: 'resp', j: 'jwt' }

let refused = 0
let served = 0
const refusedList: string[] = []
function checkedExpressions(kind: Kind): string[] {
  const count = rnd() < 0.8 ? 1 : 2 + Math.floor(rnd() * 2)
  const out: string[] = []
  for (let tries = 0; out.length < count && tries < 20; tries += 1) {
    const expr = grammar.expression(SIDES[kind], 2 + Math.floor(rnd() * 3))
    let ok = true
    const report = { error: () => (ok = false), warn: () => {} }
    parseCel([{ check_expr: expr }], [], report, kind === 'br' || kind === 'bs' ? 'backend' : 'endpoint')
    if (ok) out.push(expr)
    else {
      refused += 1
      refusedList.push(expr)
    }
  }
  served += out.length
  return out
}

const cel = (exprs: string[]) => ({ 'validation/cel': exprs.map((check_expr) => ({ check_expr })) })
const VALIDATOR = {
  'auth/validator': { jwk_url: 'BACKEND/jwks', disable_jwk_security: true, cache: false, alg: 'RS256' },
}

export const plan: Planned[] = []
function endpoint(kind: Kind, index: number): Record<string, unknown> {
  const exprs = checkedExpressions(kind)
  const method = kind === 'er' || kind === 'br' ? pick(['GET', 'POST', 'PUT', 'DELETE']) : 'GET'
  plan.push({ kind, index, method })
  const inputs = { input_headers: ['X-A', 'X-B', 'Content-Type'], input_query_strings: ['q', 'n'] }
  switch (kind) {
    case 'er':
    case 'br': {
      const backend = { url_pattern: '/echo/{id}', ...(rnd() < 0.3 ? { method: 'PATCH' } : {}) }
      return {
        endpoint: `/${kind}${index}/{id}/{name}`,
        method,
        ...inputs,
        ...(kind === 'er' ? { extra_config: cel(exprs) } : {}),
        backend: [kind === 'br' ? { ...backend, extra_config: cel(exprs) } : backend],
      }
    }
    case 'es':
    case 'bs': {
      const backend = { url_pattern: '/scripted/200/{h}/{b}' }
      return {
        endpoint: `/${kind}${index}/{h}/{b}`,
        ...(kind === 'es' ? { extra_config: cel(exprs) } : {}),
        backend: [kind === 'bs' ? { ...backend, extra_config: cel(exprs) } : backend],
      }
    }
    default:
      return {
        endpoint: `/j${index}`,
        extra_config: { ...VALIDATOR, ...cel(exprs) },
        backend: [{ url_pattern: '/obj', allow: ['a'] }],
      }
  }
}

const kinds: Kind[] = ['er', 'br', 'es', 'bs', 'j']
export const config = {
  version: 3,
  name: 'celgen',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router: { disable_access_log: true, return_error_msg: rnd() < 0.5 } },
  endpoints: kinds.flatMap((kind) => Array.from({ length: perKind }, (_, i) => endpoint(kind, i))),
}
console.error(`celgen SEED=${seed}: ${served} expressions served, ${refused} refused by this runtime's check`)
if (process.env.CELGEN_REFUSED) for (const expr of refusedList) console.error(`  refused: ${expr}`)
