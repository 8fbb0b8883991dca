// One fixed config for the request-mutation suite (reqmut.cases.ts): each endpoint carries one
// guarding component — auth/validator (header and cookie_key), security/bot-detector, per-client
// rate limits by header, ip and param, validation/cel on headers and query, validation/json-schema,
// martian header/query filters and blacklists, input_headers / input_query_strings allow-lists —
// behind service-level security/cors and security/http (allowed_hosts with host_proxy_headers).
// The cases keep the config and mutate the client's request one way at a time.
const echo = { url_pattern: '/echo' }
const jwt = (extra: Record<string, unknown> = {}) => ({
  'auth/validator': {
    alg: 'HS256',
    jwk_url: 'BACKEND/jwks',
    disable_jwk_security: true,
    cache: false,
    propagate_claims: [['sub', 'X-User']],
    ...extra,
  },
})
// Every spelling of a client counts once per run: one request per key, then 429 until the hour ends.
const perClient = (strategy: string, key?: string) => ({
  'qos/ratelimit/router': {
    client_max_rate: 1,
    client_capacity: 1,
    every: '1h',
    strategy,
    ...(key ? { key } : {}),
  },
})

export const config = {
  version: 3,
  name: 'reqmut',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: {
    router: { disable_access_log: true, return_error_msg: true },
    'security/cors': {
      allow_origins: ['https://a.example', 'http://*.b.example'],
      allow_methods: ['GET', 'POST'],
      allow_headers: ['X-Custom', 'Authorization'],
      expose_headers: ['X-Echo'],
      max_age: '1h',
      allow_credentials: true,
    },
    'security/http': {
      allowed_hosts: ['localhost', 'good.example', '127.0.0.1:8080'],
      host_proxy_headers: ['X-Forwarded-Host'],
      frame_deny: true,
    },
  },
  endpoints: [
    {
      endpoint: '/jwt',
      input_headers: ['Authorization', 'Cookie', 'X-User'],
      extra_config: jwt(),
      backend: [echo],
    },
    {
      endpoint: '/jwt-cookie',
      input_headers: ['Authorization', 'Cookie', 'X-User'],
      extra_config: jwt({ cookie_key: 'tok' }),
      backend: [echo],
    },
    {
      endpoint: '/jwt-roles/{id}',
      input_headers: ['X-User'],
      extra_config: jwt({ roles_key: 'roles', roles: ['admin'] }),
      backend: [{ url_pattern: '/echo/{id}' }],
    },
    {
      endpoint: '/bot',
      input_headers: ['User-Agent'],
      extra_config: {
        'security/bot-detector': {
          deny: ['evil'],
          patterns: ['bot.*', '(?i)^curl/'],
          allow: ['botgood'],
          empty_user_agent_is_bot: true,
        },
      },
      backend: [echo],
    },
    { endpoint: '/rl-h', extra_config: perClient('header', 'X-Client'), backend: [echo] },
    { endpoint: '/rl-ip', extra_config: perClient('ip'), backend: [echo] },
    { endpoint: '/rl-p/{who}', extra_config: perClient('param', 'who'), backend: [echo] },
    {
      endpoint: '/cel-h',
      input_headers: ['X-Deny', 'X-Pass'],
      extra_config: {
        'validation/cel': [
          { check_expr: "!('X-Deny' in req_headers)" },
          { check_expr: "'X-Pass' in req_headers && req_headers['X-Pass'][0] == 'yes'" },
        ],
      },
      backend: [echo],
    },
    {
      endpoint: '/cel-q',
      input_query_strings: ['q', 'r'],
      extra_config: {
        'validation/cel': [
          { check_expr: "!('q' in req_querystring) || req_querystring['q'][0] != 'evil'" },
          { check_expr: "!('r' in req_querystring)" },
        ],
      },
      backend: [echo],
    },
    {
      endpoint: '/cel-p/{id}',
      extra_config: { 'validation/cel': [{ check_expr: "req_params.Id != 'admin'" }] },
      backend: [{ url_pattern: '/echo/{id}' }],
    },
    {
      endpoint: '/schema',
      method: 'POST',
      input_headers: ['Content-Type', 'Content-Encoding', 'Content-Length', 'Transfer-Encoding'],
      extra_config: {
        'validation/json-schema': {
          type: 'object',
          required: ['n'],
          properties: { n: { type: 'number', maximum: 10 } },
        },
      },
      backend: [echo],
    },
    {
      endpoint: '/martian',
      input_headers: ['X-Secret', 'X-Keep', 'X-Trigger'],
      input_query_strings: ['secret', 'keep', 'trig'],
      backend: [
        {
          url_pattern: '/echo',
          extra_config: {
            'modifier/martian': {
              'fifo.Group': {
                scope: ['request'],
                modifiers: [
                  { 'header.Blacklist': { scope: ['request'], names: ['X-Secret'] } },
                  {
                    'header.Filter': {
                      scope: ['request'],
                      name: 'X-Trigger',
                      value: 'on',
                      modifier: {
                        'header.Modifier': { scope: ['request'], name: 'X-Triggered', value: 'yes' },
                      },
                    },
                  },
                  {
                    'querystring.Filter': {
                      scope: ['request'],
                      name: 'trig',
                      value: 'on',
                      modifier: {
                        'querystring.Modifier': { scope: ['request'], name: 'secret', value: 'gone' },
                      },
                    },
                  },
                ],
              },
            },
          },
        },
      ],
    },
    {
      endpoint: '/allow',
      method: 'POST',
      input_headers: ['X-Allowed', 'Content-Type'],
      input_query_strings: ['a', 'b'],
      backend: [echo],
    },
    {
      endpoint: '/allow-get',
      input_headers: ['X-Allowed'],
      input_query_strings: ['a'],
      backend: [echo],
    },
    {
      endpoint: '/lua-r/{id}',
      input_headers: ['X-Deny', 'X-Lua'],
      input_query_strings: ['q'],
      extra_config: {
        'modifier/lua-endpoint': {
          pre: [
            'local c = ctx.load()',
            "if c:headers('X-Deny') ~= '' then custom_error('header', 403) end",
            "if c:query('q') == 'evil' then custom_error('query', 403) end",
            "if c:params('id') == 'admin' then custom_error('param', 403) end",
            "if string.find(c:url(), 'admin', 1, true) then custom_error('url', 403) end",
            "if c:host() ~= 'localhost' then custom_error('host', 403) end",
            "c:headers('X-Lua', c:url())",
          ].join('\n'),
        },
      },
      backend: [{ url_pattern: '/echo/{id}' }],
    },
    {
      endpoint: '/lua-p/{id}',
      input_headers: ['X-Deny'],
      input_query_strings: ['q'],
      backend: [
        {
          url_pattern: '/echo/{id}',
          extra_config: {
            'modifier/lua-backend': {
              pre: [
                'local r = request.load()',
                "if r:headers('X-Deny') ~= '' then custom_error('header', 403) end",
                "if string.find(r:query(), 'q=evil', 1, true) then custom_error('query', 403) end",
                "if r:params('Id') == 'admin' then custom_error('param', 403) end",
                "if string.find(r:path(), 'admin', 1, true) then custom_error('path', 403) end",
              ].join('\n'),
            },
          },
        },
      ],
    },
    { endpoint: '/open', backend: [echo] },
    { endpoint: '/open-post', method: 'POST', backend: [echo] },
  ],
}
