// Random configs (seeded: SEED=) that put several components on one service and its endpoints —
// security/cors, security/bot-detector, security/http, service and endpoint modifier/lua-endpoint,
// auth/validator (HS256), qos/ratelimit/router and /proxy, modifier/lua-proxy and lua-backend,
// validation/cel and json-schema, qos/circuit-breaker, modifier/martian, input_headers and
// input_query_strings, router options — and requests that several of them refuse or change at
// once (no token, bad origin, bot UA, bad Host, over a limit, bad body, preflights, HEAD, 404/405,
// trailing slashes). Rate limits and breakers are set so that no slot comes back during a run:
// what a refused request used up shows in the later answers. V2=1 draws more Lua, CEL and
// methods; V3=1 also encoded params and repeated or upper-cased headers; V4=1 also endpoints that
// share one path (405s, Allow); V5=1 (with V2 and V3's draws) also validators with scopes (string or
// list claims, any/all) and audiences, tokens carrying them, and Authorization written otherwise
// (lower-case scheme, no scheme, two spaces). /__health is left out (its body and HEAD are ours on purpose).
// Differences KrakenD itself makes at random are listed in README (lua-backend).

import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { sign } from '../backend.ts'
import type { Case } from '../run.ts'

function generate(seed: number, backendOrigin: string) {
  const v2 = process.env.V2 === '1' || process.env.V3 === '1' || process.env.V4 === '1' || V5
  const { next: rnd, pick } = seededRandom(seed * 7919 + 17)
  const chance = (p: number) => rnd() < p
  const some = <T>(list: readonly T[], max = list.length): T[] => {
    const out = new Set<T>()
    const n = 1 + Math.floor(rnd() * max)
    for (let i = 0; i < n; i++) out.add(pick(list))
    return [...out]
  }
  const router: Record<string, unknown> = { disable_access_log: true }
  if (chance(0.4)) router.auto_options = true
  if (chance(0.4)) router.return_error_msg = true
  if (chance(0.15)) router.disable_redirect_trailing_slash = true
  if (chance(0.15)) router.disable_redirect_fixed_path = true
  if (chance(0.1)) router.disable_handle_method_not_allowed = true
  const svc: Record<string, unknown> = { router }
  if (chance(0.6)) {
    const cors: Record<string, unknown> = {
      allow_origins: pick([
        ['*'],
        ['https://good.example'],
        ['https://good.example', 'https://*.sub.example'],
      ]),
      allow_methods: some(['GET', 'POST', 'PUT', 'DELETE', 'HEAD']),
      max_age: pick(['1h', '12h', '30s']),
    }
    if (chance(0.6))
      cors.allow_headers = some(['Authorization', 'Content-Type', 'X-Ep-Deny', 'X-Key', 'X-Cel'])
    if (chance(0.5)) cors.expose_headers = some(['X-Krakend-Completed', 'Content-Length', 'X-Lua-Post'])
    if (chance(0.4)) cors.allow_credentials = true
    if (chance(0.15)) cors.options_passthrough = true
    if (chance(0.15)) cors.options_success_status = 200
    if (chance(0.2)) cors.allow_private_network = true
    svc['security/cors'] = cors
  }
  if (chance(0.45))
    svc['security/bot-detector'] = {
      deny: ['BadBot/1.0'],
      allow: ['GoodBot/1.0'],
      patterns: ['Evil.*', '(Crawl|Spider)er'],
      ...(chance(0.3) ? { empty_user_agent_is_bot: true } : {}),
      cache_size: pick([0, 100]),
    }
  if (chance(0.5)) {
    const sec: Record<string, unknown> = {}
    if (chance(0.7)) sec.allowed_hosts = ['localhost', 'good.example']
    if (chance(0.5)) {
      sec.ssl_redirect = true
      sec.ssl_proxy_headers = { 'X-Forwarded-Proto': 'https' }
      if (chance(0.4)) sec.ssl_host = 'secure.example'
    }
    if (chance(0.5)) sec.sts_seconds = 100
    if (chance(0.5)) sec.frame_deny = true
    if (chance(0.5)) sec.content_type_nosniff = true
    if (chance(0.3)) sec.browser_xss_filter = true
    if (chance(0.3)) sec.host_proxy_headers = ['X-Forwarded-Host']
    if (chance(0.2)) sec.referrer_policy = 'same-origin'
    svc['security/http'] = sec
  }
  if (chance(0.35))
    svc['modifier/lua-endpoint'] = {
      pre: v2
        ? pick(SVC_LUA)
        : "local c = ctx.load(); if c:headers('X-Svc-Deny') == 'yes' then custom_error('svc denied', 418) end; c:headers('X-Svc', 'seen')",
    }
  // (a draw once spent on router.max_payload: enforced here on purpose, KrakenD EE's, CE ignores it)
  if (v2) chance(0.3)
  if (v2 && chance(0.2)) router.error_body = { '404': { err: 'nf' }, '405': { err: 'na' } }
  if (v2 && chance(0.2) && svc['security/http'] === undefined)
    svc['security/http'] = { allowed_hosts: ['localhost'], host_proxy_headers: ['X-Forwarded-Host'] }

  const endpoints: Array<Record<string, unknown>> = []
  const count = 2 + Math.floor(rnd() * 3)
  for (let i = 0; i < count; i++) {
    const method = v2
      ? pick(['GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
      : pick(['GET', 'GET', 'POST', 'PUT'])
    const param = chance(0.3)
    // V4: endpoints share paths (one per method), so 405s, Allow and auto_options lists mix guards
    const shared = process.env.V4 === '1'
    const path = shared ? (param ? `/s/{id}` : `/s`) : param ? `/e${i}/{id}` : `/e${i}`
    if (shared && endpoints.some((e) => e.endpoint === path && e.method === method)) continue
    const ep: Record<string, unknown> = { endpoint: path, method }
    const extra: Record<string, unknown> = {}
    if (chance(0.6))
      ep.input_headers = pick([
        ['Authorization', 'X-Svc', 'X-Ep', 'X-Px', 'X-User', 'Content-Type', 'X-Key'],
        ['X-User', 'X-Svc', 'X-Ep'],
        ['Content-Type', 'X-Px'],
      ])
    if (chance(0.4)) ep.input_query_strings = pick([['q'], ['*']])
    if (chance(0.2))
      extra['security/bot-detector'] = { deny: ['EpBot/2'], patterns: ['Evil.*'], cache_size: 0 }
    const jwt = chance(0.5)
    if (jwt) {
      const v: Record<string, unknown> = {
        alg: 'HS256',
        jwk_url: `${backendOrigin}/jwks`,
        disable_jwk_security: true,
      }
      if (chance(0.4)) {
        v.roles_key = 'roles'
        v.roles = ['admin']
      }
      if (chance(0.4)) v.propagate_claims = [['sub', 'X-User']]
      if (chance(0.2)) v.cookie_key = 'tok'
      if (chance(0.2)) v.issuer = 'iss-a'
      if (V5 && chance(0.5)) {
        v.scopes_key = 'scope'
        v.scopes = pick([['read'], ['read', 'write'], ['admin:all']])
        if (chance(0.5)) v.scopes_matcher = pick(['any', 'all'])
      }
      if (V5 && chance(0.3)) v.audience = pick([['aud-a'], ['aud-a', 'aud-b']])
      extra['auth/validator'] = v
    }
    if (chance(0.4)) {
      const rl: Record<string, unknown> = {}
      const kind = rnd()
      if (kind < 0.35) Object.assign(rl, { max_rate: 0.001, capacity: 2 })
      else if (kind < 0.65) Object.assign(rl, { client_max_rate: 0.001, client_capacity: 1, strategy: 'ip' })
      else if (kind < 0.85)
        Object.assign(rl, { client_max_rate: 0.001, client_capacity: 1, strategy: 'header', key: 'X-Key' })
      else
        Object.assign(rl, {
          max_rate: 0.001,
          capacity: 3,
          client_max_rate: 0.001,
          client_capacity: 1,
          strategy: 'ip',
        })
      extra['qos/ratelimit/router'] = rl
    }
    if (chance(0.3))
      extra['modifier/lua-endpoint'] = {
        pre: v2
          ? pick(EP_LUA).replaceAll('{P}', param ? 'id' : 'none')
          : "local c = ctx.load(); if c:headers('X-Ep-Deny') == 'yes' then custom_error('ep denied', 403) end; c:headers('X-Ep', 'lua')",
      }
    if (chance(0.3)) {
      const lp: Record<string, unknown> = {
        pre: v2
          ? pick(PX_LUA)
          : "local r = request.load(); if r:headers('X-Px-Deny') == 'yes' then custom_error('px denied', 409) end; r:headers('X-Px', 'pre')",
      }
      if (chance(0.6))
        lp.post = "local r = response.load(); r:data():set('lua', true); r:headers('X-Lua-Post', 'yes')"
      extra['modifier/lua-proxy'] = lp
    }
    if (chance(0.35)) {
      const cel: Array<Record<string, unknown>> = []
      if (chance(0.7))
        cel.push({ check_expr: "!('X-Cel' in req_headers) || req_headers['X-Cel'][0] != 'no'" })
      if (chance(0.5))
        cel.push({ check_expr: pick(["'a' in resp_data", "!('lua' in resp_data)", 'resp_completed']) })
      if (jwt && chance(0.6)) cel.push({ check_expr: "has(JWT.sub) && JWT.sub != 'blocked'" })
      if (v2 && chance(0.5))
        cel.push({
          check_expr: pick([
            "!('q' in req_querystring) || req_querystring.q[0] != 'lua'",
            "req_method != 'DELETE'",
            "!req_path.endsWith('/x')",
            ...(param ? ["req_params.Id != 'abc'"] : []),
            "!('X-User' in req_headers) || req_headers['X-User'][0] != 'u2'",
          ]),
        })
      if (cel.length > 0) extra['validation/cel'] = cel
    }
    if (v2 && chance(0.15)) ep.concurrent_calls = 2
    if (v2 && chance(0.1)) ep.output_encoding = pick(['string', 'xml', 'negotiate'])
    if (method !== 'GET' && chance(0.5))
      extra['validation/json-schema'] = {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' } },
      }
    if (Object.keys(extra).length > 0) ep.extra_config = extra
    const backends: Array<Record<string, unknown>> = []
    const nb = chance(0.3) ? 2 : 1
    for (let b = 0; b < nb; b++) {
      const be: Record<string, unknown> = {
        host: [backendOrigin],
        url_pattern: pick(['/echo/b', '/obj', '/status/500', '/echo/b']) + (param ? '/{id}' : ''),
      }
      if (nb === 2) be.group = `g${b}`
      const bx: Record<string, unknown> = {}
      if (chance(0.2)) bx['qos/ratelimit/proxy'] = { max_rate: 0.001, capacity: 1 }
      if (chance(0.2)) bx['qos/circuit-breaker'] = { interval: 60, timeout: 60, max_errors: 1 }
      if (chance(0.2))
        bx['modifier/martian'] = {
          'header.Modifier': { scope: ['request'], name: 'X-Martian', value: 'yes' },
        }
      if (v2 && chance(0.15) && !bx['validation/cel'])
        bx['modifier/lua-backend'] = {
          pre: "local r = request.load(); if r:headers('X-Be-Deny') == 'yes' then custom_error('be denied', 451) end; r:headers('X-Be-Lua', 'yes')",
        }
      if (chance(0.15) && !bx['modifier/lua-backend'])
        bx['validation/cel'] = [
          { check_expr: "!('X-Cel' in req_headers) || req_headers['X-Cel'][0] != 'be'" },
        ]
      if (Object.keys(bx).length > 0) be.extra_config = bx
      backends.push(be)
    }
    ep.backend = backends
    endpoints.push(ep)
  }
  const config = {
    version: 3,
    name: `combined-${seed}`,
    listen_ip: '127.0.0.1',
    timeout: '3s',
    extra_config: svc,
    endpoints,
  }
  return { config, cases: drawCases(rnd, pick, chance, endpoints, v2) }
}

const SVC_LUA = [
  "local c = ctx.load(); if c:headers('X-Svc-Deny') == 'yes' then custom_error('svc denied', 418) end; c:headers('X-Svc', 'seen')",
  "local c = ctx.load(); if c:headers('X-Make-Bot') == 'yes' then c:headers('User-Agent', 'BadBot/1.0') end; if c:headers('X-Tok') ~= '' then c:headers('Authorization', 'Bearer ' .. c:headers('X-Tok')) end",
  "local c = ctx.load(); if c:headers('X-Svc-Deny') == 'yes' then custom_error('{\"svc\":1}', 429, 'application/json') end; c:headers('X-Key', 'svc-key')",
  "local c = ctx.load(); if c:headers('X-Unbot') == 'yes' then c:headers('User-Agent', nil) end; c:headers('X-Svc', c:method())",
  "local c = ctx.load(); if c:headers('X-Requery') == 'yes' then c:query('q', 'lua') end",
]
const EP_LUA = [
  "local c = ctx.load(); if c:headers('X-Ep-Deny') == 'yes' then custom_error('ep denied', 403) end; c:headers('X-Ep', 'lua')",
  "local c = ctx.load(); c:headers('X-Key', 'lua-key'); c:headers('X-Ep', c:query('q'))",
  "local c = ctx.load(); if c:headers('X-Requery') == 'yes' then c:query('q', 'lua') end; if c:params('{P}') == '7' then c:params('{P}', 'seven') end",
  "local c = ctx.load(); if c:headers('X-Ep-Deny') == 'yes' then custom_error('ep denied', 999) end; c:headers('Authorization', nil); c:headers('X-User', 'from-lua')",
  "local c = ctx.load(); if c:headers('X-Ep-Deny') == 'yes' then c:method('DELETE') end; c:headers('X-Ep', c:url())",
]
const PX_LUA = [
  "local r = request.load(); if r:headers('X-Px-Deny') == 'yes' then custom_error('px denied', 409) end; r:headers('X-Px', 'pre')",
  "local r = request.load(); if r:headers('X-Px-Deny') == 'yes' then r:headers('X-Cel', 'no') end; r:headers('X-Px', r:method())",
  "local r = request.load(); if r:headers('X-Px-Deny') == 'yes' then r:body('{\"name\":\"lua\"}') end; r:headers('X-Px', r:path())",
  "local r = request.load(); if r:headers('X-Px-Deny') == 'yes' then r:query('q', 'lua') end; r:headers('X-Px', r:query('q') or 'none')",
]

const FAR = 4102444800 // 2100-01-01
const tokens = {
  valid: () => sign({ sub: 'u1', roles: ['admin'], exp: FAR, iss: 'iss-a' }, { alg: 'HS256', kid: 'h1' }),
  norole: () => sign({ sub: 'u2', roles: ['user'], exp: FAR, iss: 'iss-a' }, { alg: 'HS256', kid: 'h1' }),
  blocked: () =>
    sign({ sub: 'blocked', roles: ['admin'], exp: FAR, iss: 'iss-a' }, { alg: 'HS256', kid: 'h1' }),
  expired: () =>
    sign({ sub: 'u1', roles: ['admin'], exp: 1000000000, iss: 'iss-a' }, { alg: 'HS256', kid: 'h1' }),
  otheriss: () => sign({ sub: 'u1', roles: ['admin'], exp: FAR, iss: 'iss-b' }, { alg: 'HS256', kid: 'h1' }),
  garbage: () => 'abc.def.ghi',
}

const V5 = process.env.V5 === '1'
const AUTH_SCHEMES = ['bearer ', 'BEARER ', '', 'Bearer  ', 'Token ']
const scopedTokens = {
  scopeRead: () =>
    sign({ sub: 'u1', roles: ['admin'], exp: FAR, iss: 'iss-a', scope: 'read' }, { alg: 'HS256', kid: 'h1' }),
  scopeBoth: () =>
    sign(
      { sub: 'u1', roles: ['admin'], exp: FAR, iss: 'iss-a', scope: 'write read', aud: 'aud-a' },
      { alg: 'HS256', kid: 'h1' },
    ),
  scopeList: () =>
    sign(
      { sub: 'u1', roles: ['admin'], exp: FAR, iss: 'iss-a', scope: ['read', 'write'], aud: ['aud-b'] },
      { alg: 'HS256', kid: 'h1' },
    ),
  scopeOther: () =>
    sign(
      { sub: 'u2', roles: ['admin'], exp: FAR, iss: 'iss-a', scope: 'admin:all readx', aud: 'aud-c' },
      { alg: 'HS256', kid: 'h1' },
    ),
}

function drawCases(
  rnd: () => number,
  pick: <T>(l: readonly T[]) => T,
  chance: (p: number) => boolean,
  endpoints: Array<Record<string, unknown>>,
  v2: boolean,
): Case[] {
  const out: Case[] = []
  const v3 = process.env.V3 === '1' || process.env.V4 === '1' || V5
  const kinds = [...Object.keys(tokens), ...(V5 ? Object.keys(scopedTokens) : [])]
  const token = (kind: string) =>
    (tokens[kind as keyof typeof tokens] ?? scopedTokens[kind as keyof typeof scopedTokens])()
  const concrete = (ep: Record<string, unknown>) =>
    String(ep.endpoint).replace(
      '{id}',
      pick(v3 ? ['7', 'abc', 'a%2Fb', 'a%3Fb', '%41bc', 'x%20y', 'caf%C3%A9'] : ['7', 'abc']),
    )
  const n = 10 + endpoints.length * 14
  for (let i = 0; i < n; i++) {
    const ep = pick(endpoints)
    let path = concrete(ep)
    const roll = rnd()
    if (roll < 0.06) path += '/'
    else if (roll < 0.09) path = path.toUpperCase()
    else if (roll < 0.12) path = '/nowhere'
    else if (roll < 0.14) path = '/e9'
    if (chance(0.3)) path += pick(['?q=1&z=2', '?z=3', '?q=a&q=b'])
    let method = String(ep.method)
    const m = rnd()
    const headers: Array<[string, string]> = []
    let preflight = false
    if (m < 0.12) {
      method = 'OPTIONS'
      preflight = chance(0.8)
    } else if (m < 0.2)
      method = pick(
        v2 ? ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH'] : ['GET', 'POST', 'PUT', 'DELETE', 'HEAD'],
      )
    const host = rnd()
    headers.push(['Host', host < 0.7 ? 'localhost' : host < 0.85 ? 'good.example' : 'evil.example'])
    if (chance(0.5)) headers.push(['X-Forwarded-Proto', 'https'])
    if (chance(0.1)) headers.push(['X-Forwarded-Host', pick(['good.example', 'evil.example'])])
    const origin = rnd()
    if (origin < 0.5 || preflight)
      headers.push([
        'Origin',
        pick(['https://good.example', 'https://evil.example', 'https://a.sub.example', 'null']),
      ])
    if (preflight) {
      headers.push(['Access-Control-Request-Method', pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])])
      if (chance(0.5))
        headers.push([
          'Access-Control-Request-Headers',
          pick(['Authorization', 'X-Other', 'content-type,x-key']),
        ])
      if (chance(0.2)) headers.push(['Access-Control-Request-Private-Network', 'true'])
    }
    const ua = rnd()
    if (ua < 0.6) headers.push(['User-Agent', 'Mozilla/5.0'])
    else if (ua < 0.7) headers.push(['User-Agent', 'BadBot/1.0'])
    else if (ua < 0.78) headers.push(['User-Agent', 'EvilCrawler'])
    else if (ua < 0.84) headers.push(['User-Agent', 'GoodBot/1.0'])
    else if (ua < 0.9) headers.push(['User-Agent', 'EpBot/2'])
    const tok = rnd()
    if (tok < 0.6) {
      const t = token(pick(kinds))
      if (chance(0.85))
        headers.push(['Authorization', `${V5 && chance(0.2) ? pick(AUTH_SCHEMES) : 'Bearer '}${t}`])
      else headers.push(['Cookie', `tok=${t}`])
    }
    if (!v2)
      for (const deny of ['X-Svc-Deny', 'X-Ep-Deny', 'X-Px-Deny'])
        if (chance(0.12)) headers.push([deny, 'yes'])
    if (v2) {
      for (const deny of [
        'X-Svc-Deny',
        'X-Ep-Deny',
        'X-Px-Deny',
        'X-Be-Deny',
        'X-Make-Bot',
        'X-Unbot',
        'X-Requery',
      ])
        if (chance(0.1)) headers.push([deny, 'yes'])
      if (chance(0.08))
        headers.push(['X-Tok', tokens[pick(Object.keys(tokens) as Array<keyof typeof tokens>)]()])
      if (chance(0.1)) headers.push(['X-User', pick(['u1', 'u2'])])
    }
    if (chance(0.2)) headers.push(['X-Cel', pick(['no', 'be', 'ok'])])
    if (chance(0.4)) headers.push(['X-Key', pick(['k1', 'k2'])])
    let body: string | undefined
    if (method === 'POST' || method === 'PUT' || (method === 'DELETE' && chance(0.3))) {
      body = pick([
        '{"name":"x"}',
        '{"nope":1}',
        'garbage',
        '',
        '{"name":"y","extra":[1,2]}',
        ...(v2 ? ['{"name":"a-long-body-over-the-limit-of-64-bytes-0123456789-0123456789"}'] : []),
      ])
      if (chance(0.8)) headers.push(['Content-Type', 'application/json'])
    }
    if (v3) {
      // repeated and oddly cased headers the components read
      if (chance(0.15))
        headers.push([
          'Authorization',
          `Bearer ${tokens[pick(Object.keys(tokens) as Array<keyof typeof tokens>)]()}`,
        ])
      if (chance(0.1)) headers.push(['Origin', pick(['https://good.example', 'https://evil.example'])])
      if (chance(0.1)) headers.push(['x-forwarded-proto', pick(['http', 'https'])])
      if (chance(0.1)) headers.push(['user-agent', pick(['BadBot/1.0', 'Mozilla/5.0'])])
      if (chance(0.1)) headers.push(['X-Key', 'k3'])
      for (let j = headers.length - 1; j > 0; j--)
        if (chance(0.2))
          headers.splice(j, 1, [
            (headers[j] as [string, string])[0].toUpperCase(),
            (headers[j] as [string, string])[1],
          ])
    }
    const c: Case = { method, path, headers, ...(body !== undefined ? { body } : {}) }
    out.push(c)
    // the same again: what the first one used up (rate-limit slots, breaker counts)
    if (chance(0.25)) out.push({ ...c })
  }
  return out
}

const generated = generate(Number(process.env.SEED ?? 1), 'BACKEND')
export const config = generated.config
export const cases: Case[] = generated.cases
