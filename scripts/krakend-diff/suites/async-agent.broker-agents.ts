// The agents of async-agent.compare.ts with a broker in their backends or settings: AMQP producer
// backends (main and shadow: what they publish of lura's header map and params), long namespace
// names, amqps:// through the TLS terminator, and agents KrakenD leaves out (no backend).
import type { AgentBrokers, ComparedAgent } from './async-agent.agents.ts'

export function brokerAgents({ broker, amqps, caFile }: AgentBrokers): ComparedAgent[] {
  return [
    // an AMQP producer backend: the message published again on another exchange ($FWD: each side's own)
    {
      name: 'forward',
      backends: [
        {
          host: [broker],
          disable_host_sanitize: true,
          url_pattern: '/',
          extra_config: {
            'backend/amqp/producer': {
              exchange: '$FWD',
              routing_key: 'fwd',
              static_routing_key: true,
              durable: true,
            },
          },
        },
      ],
      extra: { 'modifier/lua-proxy': { pre: "local r = request.load(); r:headers('X-Fwd', 'f')" } },
      messages: ['fw1'],
    },
    // params a lua-proxy script sets make the message's routing key and properties
    {
      name: 'forwardparams',
      backends: [
        {
          host: [broker],
          disable_host_sanitize: true,
          url_pattern: '/',
          extra_config: {
            'backend/amqp/producer': {
              exchange: '$FWD',
              routing_key: 'Route',
              msg_id_key: 'msgid',
              priority_key: 'Prio',
              exp_key: 'Exp',
              reply_to_key: 'Reply',
              durable: true,
            },
          },
        },
      ],
      extra: {
        'modifier/lua-proxy': {
          pre: [
            'local r = request.load()',
            "r:params('Route', 'r.x')",
            "r:params('msgid', 'm-1')",
            "r:params('Prio', '300')",
            "r:params('Exp', '60000')",
            "r:params('Reply', 'back')",
            "r:headers('Content-Type', 'text/x-fwd')",
          ].join('\n'),
        },
      },
      messages: ['fwp1'],
    },
    // lura's header map of a message is empty: amqp091-go publishes no header table at all
    {
      name: 'forwardbare',
      backends: [
        {
          host: [broker],
          disable_host_sanitize: true,
          url_pattern: '/',
          extra_config: {
            'backend/amqp/producer': {
              exchange: '$FWD',
              routing_key: 'fwdbare',
              static_routing_key: true,
              durable: true,
            },
          },
        },
      ],
      messages: ['fwb1'],
    },
    // shadows run the backend factory's proxy too: their Lua and an AMQP producer read lura's header
    // map (no User-Agent), an HTTP shadow gets Go's on the wire
    {
      name: 'shadowlua',
      backends: [
        { url_pattern: '/echo/shlmain', method: 'POST' },
        {
          url_pattern: '/echo/shlua',
          extra_config: {
            proxy: { shadow: true },
            'modifier/lua-backend': {
              pre: "local r = request.load(); r:headers('X-UA', '[' .. r:headers('User-Agent') .. ']')",
            },
            'validation/cel': [{ check_expr: "!('User-Agent' in req_headers)" }],
          },
        },
      ],
      messages: ['shl1'],
    },
    {
      name: 'shadowforward',
      backends: [
        { url_pattern: '/echo/shfmain', method: 'POST' },
        {
          host: [broker],
          disable_host_sanitize: true,
          url_pattern: '/',
          extra_config: {
            proxy: { shadow: true },
            'backend/amqp/producer': {
              exchange: '$FWD',
              routing_key: 'shfwd',
              static_routing_key: true,
              durable: true,
            },
          },
        },
      ],
      messages: ['shf1'],
    },
    // KrakenD CE's long namespace names: lura's Normalize reads each as its short one (the short one
    // wins beside it), on the agent and its backends
    {
      name: 'longnames',
      amqpNamespace: 'github.com/devopsfaith/krakend-amqp/agent',
      backends: [
        { url_pattern: '/echo/long0', method: 'POST' },
        {
          url_pattern: '/echo/long1',
          method: 'POST',
          extra_config: {
            'github.com/devopsfaith/krakend-lua/proxy/backend': {
              pre: "local r = request.load(); r:headers('X-P', tostring(r:params('Resp0_method')))",
            },
          },
        },
        {
          url_pattern: '/echo/longshadow',
          extra_config: { 'github.com/devopsfaith/krakend/proxy': { shadow: true } },
        },
      ],
      extra: {
        'github.com/devopsfaith/krakend/proxy': {
          sequential: true,
          sequential_propagated_params: ['resp0_method'],
        },
        'github.com/devopsfaith/krakend-lua/proxy': {
          pre: "local r = request.load(); r:headers('X-Q', 'q')",
        },
        'github.com/devopsfaith/krakend-cel': [{ check_expr: "req_headers['X-Q'][0] == 'q'" }],
        'github.com/devopsfaith/krakend-jsonschema': { type: 'object' },
      },
      amqp: { nack_discard: true },
      messages: ['{"long":1}', 'long-not-json'],
      refused: ['long-not-json'],
    },
    {
      name: 'longshort',
      backends: [{ url_pattern: '/echo/longshort', method: 'POST' }],
      extra: {
        'github.com/devopsfaith/krakend-lua/proxy': {
          pre: "local r = request.load(); r:headers('X-W', 'long')",
        },
        'modifier/lua-proxy': { pre: "local r = request.load(); r:headers('X-W', 'short')" },
      },
      messages: ['ls1'],
    },
    // amqps: trusted through cacertfile; not trusted by the system CAs (never consumes, retried without end)
    {
      name: 'tls',
      backends: [{ url_pattern: '/echo/tls', method: 'POST' }],
      amqp: { host: `${amqps}/?cacertfile=${caFile}` },
      messages: ['tls1'],
    },
    {
      name: 'tlsuntrusted',
      backends: [{ url_pattern: '/echo/tlsuntrusted' }],
      amqp: { host: amqps },
      messages: [],
    },
    // lura cannot build these pipes (ErrNoBackends): KrakenD starts without them
    { name: 'nobackend', backends: [], messages: [] },
    {
      name: 'allshadows',
      backends: [{ url_pattern: '/echo/allshadows', extra_config: { proxy: { shadow: true } } }],
      messages: ['as1'],
    },
  ]
}
