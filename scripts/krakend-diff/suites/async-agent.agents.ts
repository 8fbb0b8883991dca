// The agents async-agent.compare.ts runs on KrakenD and on this runtime: the pipe krakend-ce builds
// (backend components, lua-proxy, CEL, JSON schema, static, flatmap, shadows), what reads lura's
// header map, long namespace names, decoders and failures on the agent's line, agents KrakenD leaves
// out (no backend) and amqps:// through a TLS terminator.
import { brokerAgents } from './async-agent.broker-agents.ts'

/** Each agent: its backends, settings, and the messages published to its topic. */
export interface ComparedAgent {
  name: string
  backends: Array<Record<string, unknown>>
  amqp?: Record<string, unknown>
  extra?: Record<string, unknown>
  consumer?: Record<string, unknown>
  /** The namespace its async/amqp settings go under (krakend-amqp's own long name). */
  amqpNamespace?: string
  /** Its pipe fails and the message goes back to the queue without end: its first delivery compared. */
  requeues?: boolean
  /** Messages the pipe refuses before any backend. */
  refused?: string[]
  messages: string[]
}

/** Where the agents connect: the broker's amqp:// URL, the TLS terminator's amqps:// and its CA file. */
export interface AgentBrokers {
  broker: string
  amqps: string
  caFile: string
}

export function comparedAgents(brokers: AgentBrokers): ComparedAgent[] {
  return [...pipeAgents(), ...brokerAgents(brokers)]
}

/** The agents of the pipe's components and backends (HTTP ones). */
function pipeAgents(): ComparedAgent[] {
  return [
    {
      name: 'deliver',
      backends: [{ url_pattern: '/echo/a?q=1', method: 'POST' }, { url_pattern: '/obj' }],
      consumer: { workers: 2 },
      messages: ['{"a":1}', '', 'not json'],
    },
    {
      name: 'fails',
      backends: [{ url_pattern: '/status/502', method: 'PUT' }],
      requeues: true,
      messages: ['f1'],
    },
    { name: 'text', backends: [{ url_pattern: '/text' }], amqp: { nack_discard: true }, messages: ['t1'] },
    { name: 'noop', backends: [{ url_pattern: '/status/500', encoding: 'no-op' }], messages: ['n1'] },
    { name: 'placeholders', backends: [{ url_pattern: '/echo/{id}?x={JWT.sub}' }], messages: ['p1'] },
    {
      name: 'lua',
      backends: [
        {
          url_pattern: '/echo/lua',
          method: 'POST',
          extra_config: {
            'modifier/lua-backend': {
              pre: "local r = request.load(); r:headers('X-Lua', 'yes'); r:headers('X-UA', '[' .. r:headers('User-Agent') .. ']'); r:body(r:body() .. '-lua')",
            },
          },
        },
      ],
      messages: ['l1'],
    },
    {
      // a backend's CEL sees lura's header map too
      name: 'celbackend',
      backends: [
        {
          url_pattern: '/echo/celbackend',
          extra_config: { 'validation/cel': [{ check_expr: "!('User-Agent' in req_headers)" }] },
        },
      ],
      amqp: { nack_discard: true },
      messages: ['cb1'],
    },
    {
      // martian modifies Go's request before its transport adds the User-Agent
      name: 'martianua',
      backends: [
        {
          url_pattern: '/echo/martianua',
          extra_config: {
            'modifier/martian': {
              'header.Copy': { scope: ['request'], from: 'User-Agent', to: 'X-Ua-Copy' },
            },
          },
        },
      ],
      messages: ['mu1'],
    },
    {
      // Go's transport asks for gzip below lura's header map: no script or check sees it
      name: 'gzipmap',
      backends: [
        {
          url_pattern: '/echo/gzipmap',
          method: 'POST',
          extra_config: {
            'modifier/lua-backend': {
              pre: "local r = request.load(); r:headers('X-Ae-Backend', '[' .. r:headers('Accept-Encoding') .. ']')",
            },
            'validation/cel': [{ check_expr: "!('Accept-Encoding' in req_headers)" }],
          },
        },
      ],
      extra: {
        'modifier/lua-proxy': {
          pre: "local r = request.load(); r:headers('X-Ae-Proxy', '[' .. r:headers('Accept-Encoding') .. ']')",
        },
        'validation/cel': [{ check_expr: "!('Accept-Encoding' in req_headers)" }],
      },
      messages: ['gz1'],
    },
    {
      name: 'errdetails',
      backends: [
        { url_pattern: '/status/504', extra_config: { 'backend/http': { return_error_details: 'b504' } } },
      ],
      // lura makes the error the answer's data: the message is acknowledged
      messages: ['ed1'],
    },
    {
      name: 'errcode',
      backends: [
        { url_pattern: '/status/505', extra_config: { 'backend/http': { return_error_code: true } } },
      ],
      amqp: { nack_discard: true },
      messages: ['ec1'],
    },
    // what each decoder says of an answer it cannot read, on the agent's line
    {
      name: 'xmltext',
      backends: [{ url_pattern: '/text', encoding: 'xml' }],
      amqp: { nack_discard: true },
      messages: ['xt1'],
    },
    {
      name: 'xmlobj',
      backends: [{ url_pattern: '/obj', encoding: 'xml' }],
      amqp: { nack_discard: true },
      messages: ['xo1'],
    },
    {
      name: 'rsstext',
      backends: [{ url_pattern: '/text', encoding: 'rss' }],
      amqp: { nack_discard: true },
      messages: ['rt1'],
    },
    {
      name: 'safejsonarr',
      backends: [{ url_pattern: '/text', encoding: 'safejson' }],
      amqp: { nack_discard: true },
      messages: ['sj1'],
    },
    // the agent's deadline (consumer.timeout) cuts a slow backend: lone, and merged with another
    {
      name: 'slowlone',
      backends: [{ url_pattern: '/slow' }],
      consumer: { timeout: '500ms' },
      amqp: { nack_discard: true },
      messages: ['sl1'],
    },
    {
      name: 'slowmerged',
      backends: [
        { url_pattern: '/slow', method: 'POST' },
        { url_pattern: '/obj', method: 'POST' },
      ],
      consumer: { timeout: '500ms' },
      amqp: { nack_discard: true },
      messages: ['sm1'],
    },
    // several failures: lura's merge error, on the agent's line
    {
      name: 'twofail',
      backends: [
        { url_pattern: '/status/502', method: 'POST' },
        { url_pattern: '/status/503', method: 'POST' },
      ],
      amqp: { nack_discard: true },
      messages: ['tf1'],
    },
    {
      name: 'seqfail',
      backends: [
        { url_pattern: '/status/501', method: 'POST' },
        { url_pattern: '/echo/seqfail', method: 'POST' },
      ],
      extra: { proxy: { sequential: true } },
      amqp: { nack_discard: true },
      messages: ['sf1'],
    },
    {
      // CEL's post checks run inside Lua's post script: they see the data before the script changes it
      name: 'luacelpost',
      backends: [{ url_pattern: '/echo/luacelpost', method: 'POST' }],
      extra: {
        'modifier/lua-proxy': { post: "local r = response.load(); r:data():set('added', 1)" },
        'validation/cel': [{ check_expr: "!has(resp_data.added) && resp_data.method == 'POST'" }],
      },
      amqp: { nack_discard: true },
      messages: ['lcp1'],
    },
    {
      name: 'sequential',
      backends: [{ url_pattern: '/echo/first', method: 'POST' }, { url_pattern: '/echo/second' }],
      extra: { proxy: { sequential: true } },
      messages: ['s1'],
    },
    {
      name: 'respwritten',
      backends: [
        { url_pattern: '/echo/resp0', method: 'POST' },
        { url_pattern: '/echo/resp1/{resp0_method}?u={resp0_url}' },
      ],
      extra: { proxy: { sequential: true } },
      messages: ['r1'],
    },
    {
      // propagated values are params of the later backends (their components read them), not URL parts
      name: 'propagated',
      backends: [
        { url_pattern: '/echo/prop0', method: 'POST' },
        {
          url_pattern: '/echo/prop1',
          method: 'POST',
          extra_config: {
            'modifier/lua-backend': {
              pre: "local r = request.load(); r:headers('X-P', tostring(r:params('Resp0_method')) .. '|' .. tostring(#r:params('Resp0')))",
            },
          },
        },
      ],
      extra: { proxy: { sequential: true, sequential_propagated_params: ['resp0_method', 'resp0'] } },
      messages: ['pr1'],
    },
    {
      name: 'discard',
      backends: [{ url_pattern: '/status/503' }],
      amqp: { nack_discard: true },
      messages: ['d1'],
    },
    // the proxy stack krakend-ce builds an agent's pipe with (proxy_factory.go)
    {
      name: 'luaproxy',
      backends: [
        { url_pattern: '/echo/luaproxy/{id}', method: 'POST' },
        {
          url_pattern: '/echo/luaproxy2',
          // the param the proxy script set under the placeholder's name: a param, not a URL part
          extra_config: {
            'modifier/lua-backend': {
              pre: "local r = request.load(); r:headers('X-Id', '[' .. tostring(r:params('Id')) .. ']')",
            },
          },
        },
      ],
      extra: {
        'modifier/lua-proxy': {
          pre: [
            'local r = request.load()',
            "r:headers('X-Seen', '[' .. r:method() .. '|' .. r:path() .. '|' .. r:url() .. '|' .. r:query() .. '|' .. tostring(r:headers('User-Agent')) .. '|' .. tostring(r:params('Id')) .. ']')",
            "r:params('Id', 'set')",
            "r:query('lq=1&lq=2')",
            "if r:body() == 'lp-bad' then error('refused by lua') end",
            "r:body(r:body() .. '-lua')",
          ].join('\n'),
          post: "local r = response.load(); if r:data():get('method') == nil then error('no data') end",
        },
      },
      amqp: { nack_discard: true },
      messages: ['lp1', 'lp-bad'],
      refused: ['lp-bad'],
    },
    {
      // the agent logs the component's error (a refusal's text), as KrakenD's agent does
      name: 'luacustom',
      backends: [{ url_pattern: '/echo/luacustom' }],
      extra: { 'modifier/lua-proxy': { pre: "custom_error('teapot here', 418)" } },
      amqp: { nack_discard: true },
      messages: ['lc1'],
      refused: ['lc1'],
    },
    {
      name: 'luapost',
      backends: [{ url_pattern: '/echo/luapost' }],
      extra: { 'modifier/lua-proxy': { post: "error('refused after the call')" } },
      requeues: true,
      messages: ['lpost'],
    },
    {
      name: 'luaskip',
      backends: [{ url_pattern: '/echo/luaskip' }],
      extra: { 'modifier/lua-proxy': { pre: 'local r = request.load()', skip_next: true } },
      messages: ['lskip'],
      refused: ['lskip'],
    },
    {
      name: 'celpre',
      backends: [{ url_pattern: '/echo/celpre', method: 'POST' }],
      extra: {
        'validation/cel': [
          {
            check_expr:
              "req_method == '' && req_path == '' && size(req_params) == 0 && size(req_headers) == 0 && size(req_querystring) == 0",
          },
        ],
      },
      messages: ['c1'],
    },
    {
      name: 'celrefused',
      backends: [{ url_pattern: '/echo/celrefused' }],
      extra: { 'validation/cel': [{ check_expr: "req_method == 'GET'" }] },
      amqp: { nack_discard: true },
      messages: ['cr1'],
      refused: ['cr1'],
    },
    {
      name: 'celpost',
      // a POST among them: each backend gets a copy of the body (GETs alone share it, the first to read it takes it)
      backends: [{ url_pattern: '/echo/celpost/a', method: 'POST' }, { url_pattern: '/obj' }],
      extra: {
        proxy: {
          static: { data: { st: 1 }, strategy: 'complete' },
          flatmap_filter: [{ type: 'move', args: ['url', 'moved'] }],
        },
        'validation/cel': [
          { check_expr: "resp_data.st == 1 && resp_data.moved == '/echo/celpost/a' && resp_completed" },
        ],
      },
      messages: ['cp1'],
    },
    {
      name: 'celpostno',
      backends: [{ url_pattern: '/echo/celpostno' }],
      extra: { 'validation/cel': [{ check_expr: 'has(resp_data.nothing)' }] },
      requeues: true,
      messages: ['cpn'],
    },
    {
      name: 'schema',
      backends: [{ url_pattern: '/echo/schema', method: 'PUT' }],
      extra: { 'validation/json-schema': { type: 'object', required: ['a'] } },
      amqp: { nack_discard: true },
      messages: ['{"a":"s1"}', '{"b":"s2"}', '', 's-not-json'],
      refused: ['{"b":"s2"}', '', 's-not-json'],
    },
    {
      // the stack's order: Lua's pre, then CEL (sees the script's header), then the schema
      name: 'stack',
      backends: [{ url_pattern: '/echo/stack', method: 'POST' }],
      extra: {
        'modifier/lua-proxy': { pre: "local r = request.load(); r:headers('X-L', 'v')" },
        'validation/cel': [{ check_expr: "req_headers['X-L'][0] == 'v'" }],
        'validation/json-schema': { type: 'object', required: ['a'] },
      },
      amqp: { nack_discard: true },
      messages: ['{"a":"st"}', '{"b":"st"}'],
      refused: ['{"b":"st"}'],
    },
    {
      name: 'shadow',
      backends: [
        { url_pattern: '/echo/main', method: 'POST' },
        { url_pattern: '/echo/shadow', extra_config: { proxy: { shadow: true } } },
      ],
      messages: ['sh1'],
    },
  ]
}
