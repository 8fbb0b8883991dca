// Random proxy/static configs (seeded: SEED=, ENDPOINTS= how many): every strategy (and an unknown one,
// which lura applies always) over one to three backends that answer, fail (4xx/5xx, bad JSON, null, an
// array), answer late (partial merges) or give no content; data with nested objects, arrays and numbers
// that are Go float64s (1e21, 0.1, 2^53+1, -0), merged over backend fields of the same names; groups,
// mappings, is_collection, return_error_code, cache_ttl and every output encoding.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { JSON_TYPE, scripted } from './scripted.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 3) * 7919 + 5)
const chance = (p: number) => rnd() < p
const KEYS = ['a', 'b', 'c', 'n', 'data', 'Z', 'x1', 'collection', 'k']
const NUMBERS = [0, 1, -1, 0.1, 1.5, 5, 1e6, 1e21, 1e-7, 123456789012, 2 ** 53 + 1, -0, 3.0]

function value(depth: number): unknown {
  switch (Math.floor(rnd() * (depth > 2 ? 6 : 9))) {
    case 0:
      return pick(NUMBERS)
    case 1:
      return pick(['x', '', 'a<b>&', 'é', '1'])
    case 2:
      return chance(0.5)
    case 3:
      return null
    case 4:
    case 5:
      return pick(NUMBERS)
    case 6:
      return Array.from({ length: Math.floor(rnd() * 3) }, () => value(depth + 1))
    default:
      return object('', depth + 1)
  }
}
function object(prefix: string, depth = 1): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const n = 1 + Math.floor(rnd() * 4)
  for (let i = 0; i < n; i++) out[prefix + pick(KEYS)] = value(depth)
  return out
}

// A backend's answer; in a merge each backend has keys of its own (p0a, p1a...), so which one
// arrives first does not decide the answer, while the static data may name any of them.
function answer(prefix: string): string {
  switch (Math.floor(rnd() * 8)) {
    case 0:
      return scripted(
        200,
        JSON_TYPE,
        `{"${prefix}a":1.50,"${prefix}big":123456789012345678901234,"${prefix}n":{"b":[1,2]}}`,
      )
    case 1:
      return scripted(pick([500, 404, 400, 204, 201]), JSON_TYPE, '{"err":true}')
    case 2:
      return pick(['/arr', '/badjson', '/null', '/status/500'])
    case 3:
      return '/slow'
    default:
      return scripted(200, JSON_TYPE, JSON.stringify(object(prefix)))
  }
}

export const config = {
  version: 3,
  timeout: '1s',
  extra_config: { router: { return_error_msg: chance(0.5) } },
  endpoints: Array.from({ length: Number(process.env.ENDPOINTS ?? 30) }, (_, i) => {
    const count = 1 + Math.floor(rnd() * 3)
    // Two backends in one group race in KrakenD (the last to answer writes it): a drawn name taken
    // already gets the backend's index.
    const groups = new Set<string>()
    const backend = Array.from({ length: count }, (_, b) => {
      const be: Record<string, unknown> = { host: ['BACKEND'], url_pattern: answer(count > 1 ? `p${b}` : '') }
      if (chance(0.2)) {
        const group = pick(['g', 'data', 'a'])
        be.group = groups.has(group) ? `${group}${b}` : group
        groups.add(String(be.group))
      }
      if (chance(0.15)) be.is_collection = true
      if (chance(0.15)) be.mapping = { a: 'renamed' }
      if (chance(0.1)) be.extra_config = { 'backend/http': { return_error_code: true } }
      return be
    })
    const data = object(pick(['', 'p0', 'p1']))
    return {
      endpoint: `/s${i}`,
      backend,
      extra_config: {
        proxy: {
          static: {
            strategy: pick(['always', 'success', 'complete', 'errored', 'incomplete', 'bogus']),
            data,
          },
        },
      },
      ...(chance(0.25)
        ? { output_encoding: pick(['xml', 'yaml', 'string', 'json-collection', 'negotiate']) }
        : {}),
      ...(chance(0.15) ? { cache_ttl: '10s' } : {}),
    }
  }),
}
