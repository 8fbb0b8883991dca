// Seeded validation/cel configs from a grammar (celgen-grammar.ts): SEED=, N= expressions per
// kind (10 by default), ILL= how often a sub-expression is ill-typed on purpose (0.06). Kinds:
// endpoint-level req_ checks (/er), backend-level req_ checks (/br), endpoint-level and
// backend-level resp_ checks on an answer the case picks (/es, /bs: /scripted/{s}/{h}/{b}; allow,
// deny, mapping, target, group, no-op, a second backend now and then), JWT checks behind
// auth/validator (/j). Now and then a list of two or three expressions (evaluator #N). An
// expression this runtime's check refuses is not served (its gateway would not start); their count
// goes to stderr (CELGEN_REFUSED=1 lists them). One KrakenD skips or does not parse shows as a
// difference: KrakenD then checks nothing there.
import { parseCel } from '../../../src/gateway/components/cel.ts'
import { denyOutsideAllow } from './allow-deny.ts'
import { celGrammar, type Side } from './celgen-grammar.ts'

export type Kind = 'er' | 'br' | 'es' | 'bs' | 'j'
export interface Planned {
  kind: Kind
  index: number
  method: string
}

const seed = Number(process.env.SEED ?? 1)
const perKind = Number(process.env.N ?? 10)
const grammar = celGrammar(seed, Number(process.env.ILL ?? 0.06))
const { rnd, pick } = grammar
const SIDES: Record<Kind, Side> = { er: 'req', br: 'req', es: 'resp', bs: 'resp', j: 'jwt' }

const OTHER_SIDES: Record<Kind, Side[]> = {
  // A JWT expression where no auth/validator runs it is a config error here (KrakenD skips it).
  er: ['resp'],
  br: ['resp'],
  es: ['req'],
  bs: ['req'],
  j: ['req', 'resp'],
}

let refused = 0
let served = 0
const refusedList: string[] = []
function checkedExpressions(kind: Kind): string[] {
  const count = rnd() < 0.8 ? 1 : 2 + Math.floor(rnd() * 2)
  const out: string[] = []
  for (let tries = 0; out.length < count && tries < 20; tries += 1) {
    let expr = grammar.expression(SIDES[kind], 2 + Math.floor(rnd() * 3))
    // krakend-cel picks phases by substrings: an expression naming another phase's variables (or
    // a text holding its word) runs there too, where they are unbound.
    if (rnd() < 0.1) expr = `${expr} ${pick(['&&', '||'])} ${grammar.expression(pick(OTHER_SIDES[kind]), 1)}`
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

/** lura's response shaping, which backend-level checks see applied and endpoint-level ones merged. */
function shaping(): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (rnd() < 0.2)
    out.allow = pick([
      ['a', 'n'],
      ['m', 'l', 'z'],
      ['m.k', 'a'],
    ])
  if (rnd() < 0.1) out.deny = pick([['a'], ['m.k', 'b']])
  // A deny path the allow list keeps is refused here (lura applies allow alone: it would leak).
  if (out.allow && out.deny) out.deny = denyOutsideAllow(out.allow as string[], out.deny as string[])
  if (rnd() < 0.15) out.mapping = pick([{ a: 'aa' }, { n: 'a' }])
  if (rnd() < 0.1) out.target = pick(['m', 'l'])
  if (rnd() < 0.15) out.group = 'g'
  return out
}

export const plan: Planned[] = []
function endpoint(kind: Kind, index: number): Record<string, unknown> {
  const exprs = checkedExpressions(kind)
  const method = kind === 'er' || kind === 'br' ? pick(['GET', 'POST', 'PUT', 'DELETE']) : 'GET'
  plan.push({ kind, index, method })
  const inputs = {
    input_headers:
      rnd() < 0.3
        ? ['*']
        : pick([
            ['X-A', 'X-B', 'Content-Type'],
            ['x-a', 'X-b', 'user-agent'],
          ]),
    input_query_strings: rnd() < 0.3 ? ['*'] : ['q', 'n'],
  }
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
      const noop = rnd() < 0.15
      const backend = { url_pattern: '/scripted/{s}/{h}/{b}', ...(noop ? { encoding: 'no-op' } : shaping()) }
      const second =
        !noop && kind === 'es' && rnd() < 0.25
          ? [{ url_pattern: '/obj', allow: ['b', 'nested'], group: 'o' }]
          : []
      return {
        endpoint: `/${kind}${index}/{s}/{h}/{b}`,
        ...(noop ? { output_encoding: 'no-op' } : {}),
        ...(kind === 'es' ? { extra_config: cel(exprs) } : {}),
        backend: [kind === 'bs' ? { ...backend, extra_config: cel(exprs) } : backend, ...second],
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
