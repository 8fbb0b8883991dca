// Dev tool: async_agent (krakend-amqp's agents) against KrakenD, on one real RabbitMQ. run.ts cannot
// do it (agents answer no client: they consume): here KrakenD, then this runtime, each serves the same
// agents with an exchange and queues of its own; the same messages are published to each, and the
// tool compares what the recording backend received (method, URL, headers with User-Agent as "UA",
// body; in arrival order per agent), the queues after the gateway is killed (an unacknowledged message
// goes back), the agents /__health reports and each agent's distinct error lines. The agents cover the pipe krakend-ce builds (backend
// components, lua-proxy, CEL, JSON schema, static, flatmap, shadows), agents KrakenD leaves out (no
// backend) and amqps:// through a TLS terminator with a private CA in front of the same broker.
//
//   KRAKEND_BIN=/path/to/krakend AMQP_URL=amqp://guest:guest@127.0.0.1:5672 PORT_BASE=P \
//     node scripts/krakend-diff/suites/async-agent.compare.ts
//
// AMQP_URL defaults to GWDEPLOY_TEST_AMQP_URL, then amqp://guest:guest@127.0.0.1:5672 (scripts/services.sh
// start rabbitmq). Backend on P, gateways on P+1 and P+2 (PORT_BASE as run.ts reads it). Exits 1 on a
// difference.
import { rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { type AddressInfo, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createTlsServer } from 'node:tls'
import { certificateAuthority } from '../../../test/helpers/tls-authority.ts'
import { type Seen, seen, startBackend } from '../backend.ts'
import {
  ensurePortsFree,
  krakendBinary,
  ports,
  ROOT,
  sleep,
  startGroup,
  stopGroup,
  waitUp,
} from '../side-by-side.ts'

const amqplib = createRequire(import.meta.url)('amqplib') as typeof import('amqplib')
const broker =
  process.env.AMQP_URL ?? process.env.GWDEPLOY_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'
const krakend = krakendBinary()
const { backend, K, G } = ports()
await ensurePortsFree([backend, K, G])
const server = await startBackend(backend)
const origin = `http://127.0.0.1:${backend}`
// amqps: a TLS terminator with a private CA's certificate in front of the broker (an ephemeral port)
const authority = await certificateAuthority()
const tlsPair = await authority.issue({ commonName: '127.0.0.1', altNames: ['IP:127.0.0.1'] })
const caFile = join(tmpdir(), `agent-compare-ca-${process.pid}.pem`)
writeFileSync(caFile, authority.cert)
const rabbit = new URL(broker)
const terminator = createTlsServer(tlsPair, (client) => {
  const upstream = connect(Number(rabbit.port || 5672), rabbit.hostname)
  client.pipe(upstream).pipe(client)
  const end = () => {
    client.destroy()
    upstream.destroy()
  }
  client.on('error', end)
  upstream.on('error', end)
})
terminator.on('tlsClientError', () => {})
await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve))
const amqps = `amqps://${rabbit.username}:${rabbit.password}@127.0.0.1:${(terminator.address() as AddressInfo).port}`

/** Each agent: its backends, settings, and the messages published to its topic. */
const AGENTS: Array<{
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
}> = [
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
          'modifier/martian': { 'header.Copy': { scope: ['request'], from: 'User-Agent', to: 'X-Ua-Copy' } },
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
    backends: [{ url_pattern: '/status/505', extra_config: { 'backend/http': { return_error_code: true } } }],
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
      'github.com/devopsfaith/krakend-lua/proxy': { pre: "local r = request.load(); r:headers('X-Q', 'q')" },
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
/** Agents that never consume: never in /__health, their queues never declared. */
const SKIPPED = new Set(['nobackend', 'allshadows', 'tlsuntrusted'])
// what reaches the backends: every HTTP backend (shadows too; one with a host of its own publishes
// to the exchange $FWD, read back from a queue bound to it) per message, but for the requeued ones
// (delivered without end), the refused messages and the skipped agents
const EXPECTED = AGENTS.filter((a) => !a.requeues && !SKIPPED.has(a.name)).reduce(
  (n, a) =>
    n + a.messages.filter((m) => !a.refused?.includes(m)).length * a.backends.filter((b) => !b.host).length,
  0,
)
const bodyOf = (body: string) => body.replace(/-lua$/, '')

interface Outcome {
  requests: Record<string, Array<Omit<Seen, 'headers'> & { headers: string[] }>>
  queues: Record<string, { messages: number; consumers: number } | string>
  /** What the producer backends published (timestamps apart), in the order read. */
  forwarded: unknown[]
  agents: string[]
  /** The agents' ERROR lines ([SERVICE: AsyncAgent][AMQP][name] ...): each distinct one, per agent. */
  logs: Record<string, string[]>
}

/** An agent's error line, in KrakenD's format and this runtime's. */
const AGENT_ERROR = /\bERROR:?\s+\[SERVICE: AsyncAgent\]\[AMQP\]\[([^\]]+)\] (.*)$/
/** Its broker's words are amqplib's here, amqp091-go's there (a documented deviation). */
const LOGS_APART = new Set(['tlsuntrusted'])

function agentLogs(output: string): Outcome['logs'] {
  const logs: Record<string, Set<string>> = {}
  // an error of several lines (lura's merge error) goes on in lines without a log line's date
  const lines = output.split('\n')
  const continues = (line: string | undefined) =>
    line !== undefined && line !== '' && !/^(\d{4}\/\d\d\/\d\d |\[)/.test(line)
  for (let i = 0; i < lines.length; i += 1) {
    const [, name, first] = AGENT_ERROR.exec(lines[i] as string) ?? []
    if (name === undefined || first === undefined || LOGS_APART.has(name)) continue
    let text = first
    while (continues(lines[i + 1])) text += `\n${lines[++i]}`
    // lura's merge lists its backends' errors as they arrive (a race): compared in sorted order
    text = text.split('\n').sort().join('\n')
    logs[name] ??= new Set()
    logs[name].add(text)
  }
  return Object.fromEntries(
    Object.keys(logs)
      .sort()
      .map((name) => [name, [...(logs[name] ?? [])].sort()]),
  )
}

async function queueStates(
  connection: Awaited<ReturnType<typeof amqplib.connect>>,
  queue: (name: string) => string,
): Promise<Outcome['queues']> {
  const out: Outcome['queues'] = {}
  for (const a of AGENTS) {
    const channel = await connection.createChannel()
    channel.on('error', () => {})
    try {
      const q = await channel.checkQueue(queue(a.name))
      out[a.name] = { messages: q.messageCount, consumers: q.consumerCount }
      await channel.close()
    } catch (error) {
      const message = (error as Error).message
      // the queue's name is each side's own
      out[a.name] = /NOT_FOUND - no queue/.test(message) ? 'no queue' : message.slice(0, 60)
    }
  }
  return out
}

async function run(side: 'krakend' | 'gateway'): Promise<Outcome> {
  const tag = `${side}-${Date.now().toString(36)}`
  const exchange = `agent-compare-${tag}`
  const queue = (name: string) => `agent-compare-${name}-${tag}`
  const port = side === 'krakend' ? K : G
  const forwardExchange = `agent-compare-fwd-${tag}`
  const setup = await amqplib.connect(broker)
  const forwardChannel = await setup.createChannel()
  await forwardChannel.assertExchange(forwardExchange, 'topic', { durable: true })
  const forwardQueue = (await forwardChannel.assertQueue('', { exclusive: true })).queue
  await forwardChannel.bindQueue(forwardQueue, forwardExchange, '#')
  const config = {
    version: 3,
    port,
    timeout: '2s',
    endpoints: [],
    async_agent: AGENTS.map((a) => ({
      name: a.name,
      consumer: { topic: a.name, ...a.consumer },
      backend: a.backends.map((b) => ({ host: [origin], ...b })),
      extra_config: {
        ...a.extra,
        [a.amqpNamespace ?? 'async/amqp']: {
          host: broker,
          name: queue(a.name),
          exchange,
          durable: true,
          ...a.amqp,
        },
      },
    })),
  }
  const file = join(tmpdir(), `agent-compare-${tag}.json`)
  writeFileSync(file, JSON.stringify(config).replaceAll('$FWD', forwardExchange))
  seen.length = 0
  const child =
    side === 'krakend'
      ? startGroup(krakend, ['run', '-c', file])
      : startGroup(process.execPath, [join(ROOT, 'src/gateway/main.ts'), '-c', file, '--log-level', 'ERROR'])
  let output = ''
  for (const stream of [child.stdout, child.stderr])
    stream?.on('data', (d) => {
      output += d
    })
  await waitUp(port)
  const connection = await amqplib.connect(broker)
  // every agent consuming: its trial run (1 s each, one after the other), then its first run
  const health = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/__health`)
    return Object.keys(((await res.json()) as { agents: Record<string, string> }).agents)
  }
  const running = AGENTS.length - SKIPPED.size
  for (let i = 0; i < 300 && (await health()).length < running; i += 1) await sleep(200)
  await sleep(2500)
  const channel = await connection.createConfirmChannel()
  for (const a of AGENTS)
    for (const message of a.messages)
      channel.publish(exchange, a.name, Buffer.from(message), {
        headers: { 'X-Not-Sent': 'h' },
        messageId: 'm',
      })
  await channel.waitForConfirms()
  const once = (s: Seen) => !AGENTS.some((a) => a.requeues && a.messages.includes(bodyOf(s.body)))
  for (let i = 0; i < 100 && seen.filter(once).length < EXPECTED; i += 1) await sleep(100)
  await sleep(1000)
  const agents = await health()
  await stopGroup(child)
  await sleep(500)
  const queues = await queueStates(connection, queue)
  const forwarded: unknown[] = []
  for (
    let message = await forwardChannel.get(forwardQueue);
    message;
    message = await forwardChannel.get(forwardQueue)
  ) {
    const { timestamp: _, ...properties } = message.properties
    forwarded.push({ routingKey: message.fields.routingKey, properties, body: message.content.toString() })
  }
  forwarded.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))
  await forwardChannel.deleteExchange(forwardExchange).catch(() => {})
  await setup.close().catch(() => {})
  const requests: Outcome['requests'] = {}
  for (const a of AGENTS) {
    const paths = a.backends.map((b) => String(b.url_pattern).split(/[{?]/)[0] as string)
    // the failing agent's message comes back without end: its first delivery only
    const mine = seen.filter(
      (s) => paths.some((p) => s.url.startsWith(p)) && a.messages.includes(bodyOf(s.body)),
    )
    requests[a.name] = (a.requeues ? mine.slice(0, 1) : mine)
      .map((s) => ({ ...s }))
      .sort((x, y) => `${x.url} ${x.body}`.localeCompare(`${y.url} ${y.body}`))
  }
  // a requeuing agent's queue holds its message again, however often it went round
  for (const ch of [channel]) await ch.close().catch(() => {})
  const cleanup = await connection.createChannel()
  cleanup.on('error', () => {})
  for (const a of AGENTS) await cleanup.deleteQueue(queue(a.name)).catch(() => {})
  await cleanup.deleteExchange(exchange).catch(() => {})
  await connection.close().catch(() => {})
  return { requests, queues, forwarded, agents, logs: agentLogs(output) }
}

const got = { krakend: await run('krakend'), gateway: await run('gateway') }
server.close()
terminator.close()
rmSync(caFile, { force: true })
const dumped = join(tmpdir(), `agent-compare-${Date.now().toString(36)}`)
writeFileSync(`${dumped}-krakend.json`, JSON.stringify(got.krakend, null, 1))
writeFileSync(`${dumped}-gateway.json`, JSON.stringify(got.gateway, null, 1))
const left = JSON.stringify(got.krakend, null, 1).split('\n')
const right = JSON.stringify(got.gateway, null, 1).split('\n')
let differences = 0
for (let i = 0; i < Math.max(left.length, right.length); i += 1)
  if (left[i] !== right[i]) {
    differences += 1
    console.log(`- krakend: ${left[i] ?? ''}\n+ gateway: ${right[i] ?? ''}`)
  }
console.log(
  differences === 0
    ? `async-agent: ${AGENTS.length} agents, ${AGENTS.reduce((n, a) => n + a.messages.length, 0)} messages: no difference`
    : `async-agent: ${differences} differing lines (both sides: ${dumped}-krakend.json, -gateway.json)`,
)
process.exit(differences === 0 ? 0 : 1)
