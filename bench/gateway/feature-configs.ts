// The endpoints of the feature benchmark (features.ts), as data: one endpoint per KrakenD CE feature
// that runs without another service, each over the same ~1.5 KB JSON backend (`/item`, `/a`, `/b`,
// `/c`: the bench documents), served alike by the gateway and KrakenD; and how wrk asks for each.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface FeatureEndpoint {
  /** The endpoint's path, also the feature's name in the report. */
  path: string
  /** What the endpoint exercises, for the report. */
  what: string
  /** Request headers the load sends (wrk -H). */
  headers?: string[]
  /** A request body the load posts (JSON). */
  body?: string
  endpoint: Record<string, unknown>
}

export function featureEndpoints(at: { backend: string; jwkPath: string }): FeatureEndpoint[] {
  const host = [at.backend]
  const one = (extra: Record<string, unknown> = {}, backendExtra: Record<string, unknown> = {}) => ({
    backend: [{ host, url_pattern: '/item', ...backendExtra }],
    ...extra,
  })
  const features: Array<Omit<FeatureEndpoint, 'endpoint'> & { endpoint: Record<string, unknown> }> = [
    { path: '/proxy', what: 'one backend, JSON decoded and rendered (the reference)', endpoint: one() },
    {
      path: '/noop',
      what: 'no-op encoding: the body passed through',
      endpoint: one({ output_encoding: 'no-op' }, { encoding: 'no-op' }),
    },
    {
      path: '/merge',
      what: 'three backends merged',
      endpoint: { backend: ['a', 'b', 'c'].map((n) => ({ host, url_pattern: `/${n}` })) },
    },
    {
      path: '/sequential',
      what: 'proxy.sequential over two backends, the second on a value of the first',
      endpoint: {
        backend: [
          { host, url_pattern: '/a' },
          { host, url_pattern: '/b?id={resp0_a_1.id}' },
        ],
        extra_config: { proxy: { sequential: true } },
      },
    },
    {
      path: '/allow-mapping',
      what: 'backend allow list and mapping',
      endpoint: one({}, { allow: ['item_1', 'item_2.name', 'item_3'], mapping: { item_1: 'first' } }),
    },
    {
      path: '/deny',
      what: 'backend deny list',
      endpoint: one({}, { deny: ['item_1', 'item_2.tags', 'item_15'] }),
    },
    {
      path: '/group-target',
      what: 'backend target and group',
      endpoint: one({}, { target: 'item_4', group: 'four' }),
    },
    {
      path: '/flatmap',
      what: 'proxy flatmap_filter: move and del',
      endpoint: one(
        {},
        {
          extra_config: {
            proxy: {
              flatmap_filter: [
                { type: 'move', args: ['item_0.name', 'name'] },
                { type: 'del', args: ['item_1'] },
              ],
            },
          },
        },
      ),
    },
    {
      path: '/static',
      what: 'proxy/static data merged into every answer',
      endpoint: one({
        extra_config: { 'proxy/static': { strategy: 'always', data: { static: { a: 1, b: 'two' } } } },
      }),
    },
    {
      path: '/headers-query',
      what: 'every header and query string forwarded',
      endpoint: one({ input_headers: ['*'], input_query_strings: ['*'] }),
    },
    { path: '/xml', what: 'output_encoding xml', endpoint: one({ output_encoding: 'xml' }) },
    { path: '/yaml', what: 'output_encoding yaml', endpoint: one({ output_encoding: 'yaml' }) },
    {
      path: '/jwt',
      what: 'auth/validator, HS256 from a local JWK',
      headers: ['Authorization: Bearer TOKEN'],
      endpoint: one({
        extra_config: {
          'auth/validator': {
            alg: 'HS256',
            jwk_local_path: at.jwkPath,
            disable_jwk_security: true,
            audience: ['bench'],
            issuer: 'bench',
          },
        },
      }),
    },
    {
      path: '/ratelimit',
      what: 'qos/ratelimit/router by client IP (limits too high to refuse)',
      endpoint: one({
        extra_config: {
          'qos/ratelimit/router': { max_rate: 10_000_000, client_max_rate: 10_000_000, strategy: 'ip' },
        },
      }),
    },
    {
      path: '/circuit-breaker',
      what: 'qos/circuit-breaker on the backend',
      endpoint: one(
        {},
        { extra_config: { 'qos/circuit-breaker': { interval: 60, timeout: 10, max_errors: 100 } } },
      ),
    },
    {
      path: '/http-cache',
      what: "qos/http-cache, the backend answer fresh for an hour (with its Date, which Go's cache needs: answers from the cache)",
      endpoint: {
        backend: [{ host, url_pattern: '/cacheable', extra_config: { 'qos/http-cache': { shared: true } } }],
      },
    },
    {
      path: '/cel',
      what: 'validation/cel on a request header',
      headers: ['X-Tenant: bench'],
      endpoint: one({
        input_headers: ['X-Tenant'],
        extra_config: { 'validation/cel': [{ check_expr: "req_headers['X-Tenant'][0] == 'bench'" }] },
      }),
    },
    {
      path: '/json-schema',
      what: 'validation/json-schema on a posted body',
      body: '{"name":"bench","count":3,"tags":["a","b"]}',
      endpoint: one({
        method: 'POST',
        extra_config: {
          'validation/json-schema': {
            type: 'object',
            required: ['name', 'count'],
            properties: {
              name: { type: 'string', maxLength: 64 },
              count: { type: 'integer', minimum: 0 },
              tags: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      }),
    },
    {
      path: '/lua-endpoint',
      what: 'modifier/lua-endpoint pre: a header set from the query',
      endpoint: one({
        input_headers: ['X-From-Lua'],
        extra_config: {
          'modifier/lua-endpoint': {
            pre: "local r = ctx.load(); r:headers('X-From-Lua', r:query('q') or 'none')",
          },
        },
      }),
    },
    {
      path: '/lua-proxy',
      what: 'modifier/lua-proxy post: a field added to the answer',
      endpoint: one({
        extra_config: {
          'modifier/lua-proxy': {
            post: "local r = response.load(); r:data():set('seen', true)",
            allow_open_libs: true,
          },
        },
      }),
    },
    {
      path: '/martian',
      what: 'modifier/martian: a request header set',
      endpoint: one(
        {},
        {
          extra_config: {
            'modifier/martian': {
              'header.Modifier': { scope: ['request'], name: 'X-Martian', value: 'bench' },
            },
          },
        },
      ),
    },
    {
      path: '/bot-detector',
      what: 'security/bot-detector on the User-Agent',
      endpoint: one({
        extra_config: {
          'security/bot-detector': {
            deny: ['curl/.*'],
            patterns: ['(Pingdom.com_bot_version_).*'],
            cache_size: 10_000,
          },
        },
      }),
    },
  ]
  return features
}

/** A config serving `features` on 127.0.0.1:port, with the access log off and the given logging. */
export const featureConfig = (
  features: FeatureEndpoint[],
  port: number,
  logging: Record<string, unknown>,
) => ({
  version: 3,
  name: 'features rev-0000000',
  port,
  listen_ip: '127.0.0.1',
  timeout: '3s',
  extra_config: { router: { disable_access_log: true }, 'telemetry/logging': logging },
  endpoints: features.map((f) => ({ endpoint: f.path, ...f.endpoint })),
})

/** The URL the load asks for (a query for the scripts that read one). */
export const featureUrl = (f: FeatureEndpoint, port: number) => `http://127.0.0.1:${port}${f.path}?q=bench`

/** The feature's request headers, the bench token in place of TOKEN. */
export const featureHeaders = (f: FeatureEndpoint, token: string) =>
  (f.headers ?? []).map((h) => h.replace('TOKEN', token))

/** wrk's arguments for one feature: its headers, and a Lua script (written to `dir`) posting its body. */
export function featureWrkArgs(f: FeatureEndpoint, dir: string, token: string): string[] {
  const args = featureHeaders(f, token).flatMap((h) => ['-H', h])
  if (f.body === undefined) return args
  const script = join(dir, `post${f.path.replaceAll('/', '-')}.lua`)
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(f.body)}\nwrk.headers["Content-Type"] = "application/json"\n`,
  )
  return [...args, '-s', script]
}
