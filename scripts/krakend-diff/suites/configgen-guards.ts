// The guards configgen.gen.ts mutates: a component's settings at the level KrakenD reads them, the
// endpoint and backend around them, and probes (requests on the unit's path `P`) the guard must stop
// and one it lets through.
import { sign } from '../backend.ts'
import type { Case } from '../run.ts'

export type Level = 'service' | 'endpoint' | 'backend'
export type Settings = Record<string, unknown> | unknown[]

/** One guard: its namespace, level, settings and what the probes send (`P` is the unit's path). */
export interface Guard {
  name: string
  ns: string
  level: Level
  settings: Settings
  /** The endpoint around it (method, backend url, other endpoint keys); `backend` extra keys too. */
  endpoint?: Record<string, unknown>
  backend?: Record<string, unknown>
  probes: Case[]
}

const token = (roles: string[]) =>
  sign({ sub: 'u1', roles, exp: 4102444800 }, { alg: 'HS256', kid: 'h1', typ: 'JWT' })

export function guards(origin: string): Guard[] {
  const get = (path: string, headers: Array<[string, string]> = []): Case => ({ path, headers })
  return [
    {
      name: 'ratelimit-router',
      ns: 'qos/ratelimit/router',
      level: 'endpoint',
      settings: { max_rate: 1, capacity: 1, every: '1h' },
      probes: [get('P'), get('P'), get('P')],
    },
    {
      name: 'ratelimit-router-client',
      ns: 'qos/ratelimit/router',
      level: 'endpoint',
      settings: { client_max_rate: 1, client_capacity: 1, strategy: 'header', key: 'X-Key', every: '1h' },
      probes: [get('P', [['X-Key', 'a']]), get('P', [['X-Key', 'a']]), get('P', [['X-Key', 'b']])],
    },
    {
      name: 'ratelimit-proxy',
      ns: 'qos/ratelimit/proxy',
      level: 'backend',
      settings: { max_rate: 1, capacity: 1, every: '1h' },
      probes: [get('P'), get('P'), get('P')],
    },
    {
      name: 'bot-detector',
      ns: 'security/bot-detector',
      level: 'endpoint',
      settings: { deny: ['BadBot/1.0'], allow: ['GoodBot/1.0'], patterns: ['Evil.*'], cache_size: 0 },
      probes: [
        get('P', [['User-Agent', 'BadBot/1.0']]),
        get('P', [['User-Agent', 'EvilCrawler']]),
        get('P', [['User-Agent', 'GoodBot/1.0']]),
        get('P', [['User-Agent', '']]),
      ],
    },
    {
      name: 'cel',
      ns: 'validation/cel',
      level: 'endpoint',
      settings: [{ check_expr: "'ok' in req_querystring" }],
      endpoint: { input_query_strings: ['ok'] },
      probes: [get('P'), get('P?ok=1')],
    },
    {
      name: 'json-schema',
      ns: 'validation/json-schema',
      level: 'endpoint',
      settings: { type: 'object', required: ['a'], properties: { a: { type: 'integer', maximum: 5 } } },
      endpoint: { method: 'POST' },
      probes: [
        { method: 'POST', path: 'P', body: '{}', headers: [['Content-Type', 'application/json']] },
        { method: 'POST', path: 'P', body: '{"a":9}', headers: [['Content-Type', 'application/json']] },
        { method: 'POST', path: 'P', body: '{"a":1}', headers: [['Content-Type', 'application/json']] },
      ],
    },
    {
      name: 'circuit-breaker',
      ns: 'qos/circuit-breaker',
      level: 'backend',
      settings: { interval: 60, timeout: 60, max_errors: 1 },
      backend: { url_pattern: '/status/500' },
      probes: [get('P'), get('P'), get('P'), get('P')],
    },
    {
      name: 'lua-endpoint',
      ns: 'modifier/lua-endpoint',
      level: 'endpoint',
      settings: {
        pre: "local r = ctx.load()\nif r:headers('X-Deny') == 'yes' then custom_error('denied', 403) end",
        live: false,
        allow_open_libs: false,
      },
      probes: [get('P', [['X-Deny', 'yes']]), get('P')],
    },
    {
      name: 'lua-proxy',
      ns: 'modifier/lua-proxy',
      level: 'endpoint',
      settings: { pre: "if request.load():headers('X-Deny') == 'yes' then custom_error('denied', 403) end" },
      endpoint: { input_headers: ['X-Deny'] },
      probes: [get('P', [['X-Deny', 'yes']]), get('P')],
    },
    {
      name: 'lua-backend',
      ns: 'modifier/lua-backend',
      level: 'backend',
      settings: { pre: "if request.load():headers('X-Deny') == 'yes' then custom_error('denied', 403) end" },
      endpoint: { input_headers: ['X-Deny'] },
      probes: [get('P', [['X-Deny', 'yes']]), get('P')],
    },
    {
      name: 'martian',
      ns: 'modifier/martian',
      level: 'backend',
      settings: { 'header.Modifier': { scope: ['request'], name: 'X-Martian', value: 'set' } },
      probes: [get('P')],
    },
    {
      name: 'validator',
      ns: 'auth/validator',
      level: 'endpoint',
      settings: {
        alg: 'HS256',
        jwk_url: `${origin}/jwks`,
        disable_jwk_security: true,
        roles_key: 'roles',
        roles: ['admin'],
      },
      probes: [
        get('P'),
        get('P', [['Authorization', `Bearer ${token(['user'])}`]]),
        get('P', [['Authorization', `Bearer ${token(['admin'])}`]]),
      ],
    },
    {
      name: 'cors',
      ns: 'security/cors',
      level: 'service',
      settings: { allow_origins: ['https://good.example'], allow_methods: ['GET'], max_age: '1h' },
      probes: [
        get('P', [['Origin', 'https://evil.example']]),
        get('P', [['Origin', 'https://good.example']]),
        {
          method: 'OPTIONS',
          path: 'P',
          headers: [
            ['Origin', 'https://evil.example'],
            ['Access-Control-Request-Method', 'GET'],
          ],
        },
      ],
    },
    {
      name: 'http-secure',
      ns: 'security/http',
      level: 'service',
      settings: { allowed_hosts: ['good.example'], frame_deny: true },
      probes: [get('P', [['Host', 'evil.example']]), get('P', [['Host', 'good.example']])],
    },
    {
      name: 'bot-detector-service',
      ns: 'security/bot-detector',
      level: 'service',
      settings: { deny: ['BadBot/1.0'], patterns: ['Evil.*'] },
      probes: [get('P', [['User-Agent', 'BadBot/1.0']]), get('P', [['User-Agent', 'EvilCrawler']]), get('P')],
    },
    {
      name: 'http-secure-headers',
      ns: 'security/http',
      level: 'service',
      settings: {
        ssl_redirect: true,
        ssl_proxy_headers: { 'X-Forwarded-Proto': 'https' },
        sts_seconds: 100,
        sts_include_subdomains: true,
        content_type_nosniff: true,
        browser_xss_filter: true,
        custom_frame_options_value: 'SAMEORIGIN',
        referrer_policy: 'same-origin',
      },
      probes: [get('P'), get('P', [['X-Forwarded-Proto', 'https']])],
    },
    {
      name: 'cors-preflight',
      ns: 'security/cors',
      level: 'service',
      settings: {
        allow_origins: ['https://good.example', 'https://*.sub.example'],
        allow_methods: ['GET', 'POST'],
        allow_headers: ['X-Ok'],
        expose_headers: ['X-Be'],
        allow_credentials: true,
        max_age: '12h',
      },
      probes: [
        {
          method: 'OPTIONS',
          path: 'P',
          headers: [
            ['Origin', 'https://a.sub.example'],
            ['Access-Control-Request-Method', 'POST'],
            ['Access-Control-Request-Headers', 'X-Ok'],
          ],
        },
        {
          method: 'OPTIONS',
          path: 'P',
          headers: [
            ['Origin', 'https://good.example'],
            ['Access-Control-Request-Method', 'DELETE'],
          ],
        },
        get('P', [['Origin', 'https://a.sub.example']]),
      ],
    },
    {
      name: 'bot-detector-empty-ua',
      ns: 'security/bot-detector',
      level: 'endpoint',
      settings: { empty_user_agent_is_bot: true, cache_size: 10, deny: ['A'] },
      probes: [get('P', [['User-Agent', '']]), get('P', [['User-Agent', 'A']]), get('P')],
    },
    {
      name: 'cel-backend',
      ns: 'validation/cel',
      level: 'backend',
      settings: [{ check_expr: "req_method == 'GET' && 'ok' in req_querystring" }],
      endpoint: { input_query_strings: ['ok'] },
      probes: [get('P'), get('P?ok=1')],
    },
    {
      name: 'plugin-server',
      ns: 'plugin/http-server',
      level: 'service',
      settings: { name: ['gate'], gate: { deny: true } },
      probes: [get('P')],
    },
    {
      name: 'plugin-modifier',
      ns: 'plugin/req-resp-modifier',
      level: 'endpoint',
      settings: { name: ['gate'], gate: { deny: true } },
      probes: [get('P')],
    },
    {
      name: 'backend-allow',
      ns: '',
      level: 'backend',
      settings: {},
      backend: { url_pattern: '/obj', allow: ['a', 'b'] },
      probes: [get('P')],
    },
    {
      name: 'backend-deny',
      ns: '',
      level: 'backend',
      settings: {},
      backend: { url_pattern: '/obj', deny: ['nested', 's', 'big'] },
      probes: [get('P')],
    },
    {
      name: 'input-headers',
      ns: '',
      level: 'endpoint',
      settings: {},
      endpoint: { input_headers: ['X-Pass'] },
      probes: [
        get('P', [
          ['X-Pass', '1'],
          ['X-Secret', 's'],
          ['Authorization', 'Basic eDp5'],
        ]),
      ],
    },
    {
      name: 'input-query-strings',
      ns: '',
      level: 'endpoint',
      settings: {},
      endpoint: { input_query_strings: ['pass'] },
      probes: [get('P?pass=1&secret=s')],
    },
  ]
}
