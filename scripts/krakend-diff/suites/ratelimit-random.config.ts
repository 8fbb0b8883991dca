// Seeded qos/ratelimit/router and qos/ratelimit/proxy settings (SEED=, ENDPOINTS= how many, 10 by
// default): rates and capacities whole, fractional and huge, client capacities, every strategy in
// any letter case and key, shards and clean-up settings. Every rate is per hour or slower, so the
// answers depend on the counts alone: the n-th request each gateway refuses is compared.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 15485863 + 11)
for (let i = 0; i < 5; i += 1) rnd()
const maybe = <T>(p: number, value: () => T): T | undefined => (rnd() < p ? value() : undefined)

const RATES = [0.5, 1, 2, 3, 2.5, 1.9999, 0.0001]
const CAPACITIES = [0, 1, 2, 3, 2.7, 0.4, 1e20, 2 ** 64, 9.3e18]
const EVERY = ['1h', '2h', '90m', '1h0m0.5s', '3600s', '3600000ms', '24h']
const STRATEGIES = [
  ['ip', ''],
  ['ip', 'X-Client'],
  ['IP', 'x-client'],
  ['header', 'X-Key'],
  ['Header', 'x-key'],
  ['header', 'X-Forwarded-For'],
  ['param', 'p'],
  ['PARAM', 'p'],
]

function routerLimit(): Record<string, unknown> {
  const out: Record<string, unknown> = { every: pick(EVERY) }
  const global = rnd() < 0.6
  const client = !global || rnd() < 0.5
  if (global) {
    out.max_rate = pick(RATES)
    const capacity = maybe(0.6, () => pick(CAPACITIES))
    if (capacity !== undefined) out.capacity = capacity
  }
  if (client) {
    out.client_max_rate = pick(RATES)
    const capacity = maybe(0.6, () => pick(CAPACITIES))
    if (capacity !== undefined) out.client_capacity = capacity
    const [strategy, key] = pick(STRATEGIES) as [string, string]
    out.strategy = strategy
    if (key !== '') out.key = key
    const shards = maybe(0.4, () => pick([0, 1, 2, 3, 2048]))
    if (shards !== undefined) out.num_shards = shards
    const cleanup = maybe(0.3, () => pick(['1s', '10ms', '1m', '2h']))
    if (cleanup !== undefined) out.cleanup_period = cleanup
    const threads = maybe(0.3, () => pick([0, 1, 4]))
    if (threads !== undefined) out.cleanup_threads = threads
  }
  return out
}

function proxyLimit(): Record<string, unknown> {
  const out: Record<string, unknown> = { max_rate: pick(RATES), every: pick(EVERY) }
  const capacity = maybe(0.6, () => pick(CAPACITIES))
  if (capacity !== undefined) out.capacity = capacity
  return out
}

export const config = {
  version: 3,
  name: 'ratelimit-random',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router: { disable_access_log: true } },
  endpoints: Array.from({ length: Number(process.env.ENDPOINTS ?? 10) }, (_, i) => {
    const proxied = rnd() < 0.3
    return {
      endpoint: `/r${i}/{p}`,
      ...(proxied ? {} : { extra_config: { 'qos/ratelimit/router': routerLimit() } }),
      backend: [
        {
          url_pattern: '/obj',
          allow: ['a'],
          ...(proxied || rnd() < 0.15 ? { extra_config: { 'qos/ratelimit/proxy': proxyLimit() } } : {}),
        },
      ],
    }
  }),
}
