// An async agent's pipe as krakend-ce builds it (its proxy factory over lura's proxy stack):
// modifier/lua-proxy, validation/cel, validation/json-schema, proxy static/flatmap_filter, shadow
// backends, GET backends sharing the message's body, and agents lura cannot build a pipe for.
// Compared with KrakenD 2.13.8 on the same RabbitMQ: scripts/krakend-diff/suites/async-agent.compare.ts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { agentBench } from './async-agent-bench.ts'
import { type Running, send } from './helpers.ts'

const bench = agentBench('agent-pipe', {})
const { agent, start, publish, until, seenAt, queueState, consuming } = bench

/** Waits until the agent's first run consumes (its start-up trial logs nothing, as KrakenD's). */
const running = async (lines: string[], name: string) => {
  await until(`the first run of ${name}`, () =>
    lines.some((line) => line.includes(`[SERVICE: AsyncAgent][AMQP][${name}] Starting the consumer`)),
  )
  await consuming(name)
}
/** How often the agent logged a dropped message (the logger may write several lines at once). */
const discarded = (lines: string[], name: string) =>
  lines.join('').split(`[SERVICE: AsyncAgent][AMQP][${name}] Nack: message discarded`).length - 1
const bodiesAt = (path: string) => seenAt(path).map((s) => s.body)

test("modifier/lua-proxy: pre sees lura's empty request and rewrites what every backend gets; an error in pre or post fails the message", async () => {
  const lines: string[] = []
  let gw: Running | undefined
  try {
    gw = await start(
      [
        agent(
          'luaproxy',
          [
            { url_pattern: '/echo/lp/{id}', method: 'POST' },
            {
              url_pattern: '/echo/lp2',
              extra_config: {
                'modifier/lua-backend': {
                  pre: "local r = request.load(); r:headers('X-Id', '[' .. tostring(r:params('Id')) .. ']')",
                },
              },
            },
          ],
          { nack_discard: true },
          {
            extra_config: {
              'modifier/lua-proxy': {
                pre: [
                  'local r = request.load()',
                  "r:headers('X-Seen', '[' .. r:method() .. '|' .. r:path() .. '|' .. r:url() .. '|' .. r:query() .. '|' .. tostring(r:headers('User-Agent')) .. '|' .. tostring(r:params('Id')) .. ']')",
                  "r:params('Id', 'set')",
                  "if r:body() == 'bad' then error('refused by lua') end",
                  "r:body(r:body() .. '-lua')",
                ].join('\n'),
              },
            },
          },
        ),
        agent(
          'luapost',
          [{ url_pattern: '/echo/lpost' }],
          {},
          { extra_config: { 'modifier/lua-proxy': { post: "error('refused after the call')" } } },
        ),
      ],
      lines,
    )
    await running(lines, 'luaproxy')
    await running(lines, 'luapost')
    publish('luaproxy', 'bad')
    publish('luaproxy', 'good')
    publish('luapost', 'again')
    await until('the good message at both backends', () => seenAt('/echo/lp2').length === 1)
    await until('the post-refused message delivered again', () => seenAt('/echo/lpost').length >= 2)
    // the script's header and body, and lura's request as the script saw it: no method, path, URL,
    // query, User-Agent or param (a param set under a placeholder's name fills nothing)
    const [post] = seenAt('/echo/lp/%7Bid%7D')
    const [get] = seenAt('/echo/lp2')
    for (const seen of [post, get]) {
      assert.equal(seen?.body, 'good-lua')
      assert.equal(seen?.headers['x-seen'], '[|||||]')
      assert.equal(seen?.headers['user-agent'], 'Go-http-client/1.1')
    }
    // the param the proxy script set under the placeholder's name: the backend's script reads it
    assert.equal(get?.headers['x-id'], '[set]')
    assert.deepEqual(bodiesAt('/echo/lpost').slice(0, 2), ['again', 'again'])
    // the refused message reached no backend and was dropped (nack_discard)
    assert.equal(discarded(lines, 'luaproxy'), 1)
  } finally {
    await gw?.close()
  }
  assert.equal((await queueState('luaproxy')).messageCount, 0)
  assert.equal((await queueState('luapost')).messageCount, 1)
})

test("validation/cel: pre checks lura's empty request, post the merged answer (flatmap_filter and static data applied); a false check fails the message", async () => {
  const lines: string[] = []
  let gw: Running | undefined
  try {
    gw = await start(
      [
        agent(
          'celpre',
          [{ url_pattern: '/echo/celpre', method: 'POST' }],
          {},
          {
            extra_config: {
              'validation/cel': [
                {
                  check_expr:
                    "req_method == '' && req_path == '' && size(req_params) == 0 && size(req_headers) == 0 && size(req_querystring) == 0",
                },
              ],
            },
          },
        ),
        agent(
          'celrefused',
          [{ url_pattern: '/echo/celrefused' }],
          { nack_discard: true },
          { extra_config: { 'validation/cel': [{ check_expr: "req_method == 'GET'" }] } },
        ),
        agent(
          'celpost',
          [
            { url_pattern: '/echo/celpost', method: 'POST' },
            { url_pattern: '/echo/celpost2', method: 'POST' },
          ],
          {},
          {
            extra_config: {
              proxy: {
                static: { data: { st: 1 }, strategy: 'complete' },
                flatmap_filter: [{ type: 'move', args: ['url', 'moved'] }],
              },
              'validation/cel': [
                { check_expr: 'resp_data.st == 1 && has(resp_data.moved) && resp_completed' },
              ],
            },
          },
        ),
        agent(
          'celpostno',
          [{ url_pattern: '/echo/celpostno' }],
          {},
          { extra_config: { 'validation/cel': [{ check_expr: 'has(resp_data.nothing)' }] } },
        ),
      ],
      lines,
    )
    for (const name of ['celpre', 'celrefused', 'celpost', 'celpostno']) await running(lines, name)
    publish('celpre', 'c1')
    publish('celrefused', 'c2')
    publish('celpost', 'c3')
    publish('celpostno', 'c4')
    await until('the pre-checked message', () => seenAt('/echo/celpre').length === 1)
    await until('the refused message dropped', () => discarded(lines, 'celrefused') === 1)
    await until('the post-checked message at both backends', () => seenAt('/echo/celpost2').length === 1)
    await until('the post-refused message delivered again', () => seenAt('/echo/celpostno').length >= 2)
    assert.deepEqual(seenAt('/echo/celrefused'), [])
  } finally {
    await gw?.close()
  }
  // acknowledged, dropped, acknowledged, requeued
  assert.deepEqual(
    await Promise.all(
      ['celpre', 'celrefused', 'celpost', 'celpostno'].map(async (q) => (await queueState(q)).messageCount),
    ),
    [0, 0, 0, 1],
  )
})

test('validation/json-schema: a message body the schema refuses (or empty, or not JSON) reaches no backend', async () => {
  const lines: string[] = []
  let gw: Running | undefined
  try {
    gw = await start(
      [
        agent(
          'schema',
          [{ url_pattern: '/echo/schema', method: 'PUT' }],
          { nack_discard: true },
          { extra_config: { 'validation/json-schema': { type: 'object', required: ['a'] } } },
        ),
      ],
      lines,
    )
    await running(lines, 'schema')
    for (const body of ['{"b":1}', '', 'not json', '{"a":1}']) publish('schema', body)
    await until('the valid message', () => seenAt('/echo/schema').length === 1)
    await until('three messages dropped', () => discarded(lines, 'schema') === 3)
    assert.deepEqual(bodiesAt('/echo/schema'), ['{"a":1}'])
  } finally {
    await gw?.close()
  }
  assert.equal((await queueState('schema')).messageCount, 0)
})

test("shadow backends get the message too; GET backends share lura's one request, so one of them gets the body", async () => {
  let gw: Running | undefined
  try {
    gw = await start([
      agent('shadow', [
        { url_pattern: '/echo/main', method: 'POST' },
        { url_pattern: '/echo/shadow', extra_config: { proxy: { shadow: true } } },
      ]),
      agent('gets', [{ url_pattern: '/echo/get1' }, { url_pattern: '/echo/get2' }]),
      agent(
        'sequence',
        [{ url_pattern: '/echo/seq1' }, { url_pattern: '/echo/seq2' }],
        {},
        {
          extra_config: { proxy: { sequential: true } },
        },
      ),
    ])
    for (const name of ['shadow', 'gets', 'sequence']) await consuming(name)
    publish('shadow', 'sh')
    publish('gets', 'g')
    publish('sequence', 's')
    await until('the shadow call', () => seenAt('/echo/shadow').length === 1)
    await until('both GETs', () => seenAt('/echo/get1').length + seenAt('/echo/get2').length === 2)
    await until('both sequential GETs', () => seenAt('/echo/seq2').length === 1)
    assert.deepEqual([bodiesAt('/echo/main'), bodiesAt('/echo/shadow')], [['sh'], ['sh']])
    assert.deepEqual([...bodiesAt('/echo/get1'), ...bodiesAt('/echo/get2')].sort(), ['', 'g'])
    assert.deepEqual([bodiesAt('/echo/seq1'), bodiesAt('/echo/seq2')], [['s'], ['']])
  } finally {
    await gw?.close()
  }
})

test('{respN_...} placeholders go out as written too: lura fills only those it rewrote for an endpoint', async () => {
  let gw: Running | undefined
  try {
    gw = await start([
      agent(
        'respwritten',
        [
          { url_pattern: '/echo/resp0', method: 'POST' },
          { url_pattern: '/echo/resp1/{resp0_method}?u={resp0_url}' },
        ],
        {},
        { extra_config: { proxy: { sequential: true } } },
      ),
    ])
    await consuming('respwritten')
    publish('respwritten', 'r')
    await until('the second call', () => bench.backend.seen.some((s) => s.url.startsWith('/echo/resp1/')))
    assert.deepEqual(
      bench.backend.seen.filter((s) => s.url.startsWith('/echo/resp1/')).map((s) => s.url),
      ['/echo/resp1/%7Bresp0_method%7D?u={resp0_url}'],
    )
  } finally {
    await gw?.close()
  }
})

test("sequential_propagated_params: an earlier answer's value is a param of the later backends' components", async () => {
  let gw: Running | undefined
  try {
    gw = await start([
      agent(
        'propagated',
        [
          { url_pattern: '/echo/prop0', method: 'POST' },
          {
            url_pattern: '/echo/prop1',
            method: 'POST',
            extra_config: {
              'modifier/lua-backend': {
                pre: "local r = request.load(); r:headers('X-P', tostring(r:params('Resp0_method')))",
              },
            },
          },
        ],
        {},
        { extra_config: { proxy: { sequential: true, sequential_propagated_params: ['resp0_method'] } } },
      ),
    ])
    await consuming('propagated')
    publish('propagated', 'p')
    await until('the second call', () => seenAt('/echo/prop1').length === 1)
    assert.equal(seenAt('/echo/prop1')[0]?.headers['x-p'], 'POST')
  } finally {
    await gw?.close()
  }
})

test('an agent without a backend (or with shadows only) is left out, as KrakenD leaves it out: warned, logged, never consuming', async () => {
  const lines: string[] = []
  const agents = [
    agent('nobackend', []),
    agent('allshadows', [{ url_pattern: '/echo/as', extra_config: { proxy: { shadow: true } } }]),
    agent('running', [{ url_pattern: '/echo/running' }]),
  ]
  const checked = validateGatewayConfig({ version: 3, name: 'c', endpoints: [], async_agent: agents })
  assert.deepEqual(checked.errors, [])
  assert.deepEqual(
    checked.warnings.map((w) => w.location?.path).filter((p) => p?.endsWith('.backend')),
    ['async_agent[0].backend', 'async_agent[1].backend'],
  )
  let gw: Running | undefined
  try {
    gw = await start(agents, lines)
    await consuming('running')
    const health = JSON.parse((await send(gw.url, { path: '/__health' })).text)
    assert.deepEqual(Object.keys(health.agents), ['running'])
    for (const name of ['nobackend', 'allshadows'])
      assert.equal(
        lines.filter((line) =>
          line.includes(
            `[SERVICE: AsyncAgent][${name}] building the proxy pipe: all endpoints must have at least one backend`,
          ),
        ).length,
        1,
      )
  } finally {
    await gw?.close()
  }
  assert.equal((await queueState('nobackend')).consumerCount, -1)
  assert.equal((await queueState('allshadows')).consumerCount, -1)
})

test("configs: the agent pipe's components are read; router-level ones are refused on both runtimes, as KrakenD ignores them on an agent", () => {
  const amqp = { host: 'amqp://guest:guest@127.0.0.1:5672', name: 'q', exchange: 'x' }
  const check = (extra: Record<string, unknown>, runtime?: 'krakend') => {
    const result = validateGatewayConfig(
      {
        version: 3,
        name: 'c',
        endpoints: [],
        async_agent: [
          {
            backend: [{ host: ['http://127.0.0.1:8080'], url_pattern: '/' }],
            extra_config: { 'async/amqp': amqp, ...extra },
          },
        ],
      },
      runtime ? { runtime } : {},
    )
    const problems = (list: typeof result.errors) => list.map((p) => `${p.location?.path}: ${p.message}`)
    return { config: result.config, errors: problems(result.errors), warnings: problems(result.warnings) }
  }
  const pipe = check({
    'modifier/lua-proxy': { pre: 'local r = request.load()' },
    'validation/cel': [{ check_expr: "req_method == ''" }],
    'validation/json-schema': { type: 'object' },
    proxy: { static: { data: { a: 1 } } },
  })
  assert.deepEqual(pipe.errors, [])
  const components = pipe.config?.asyncAgents?.[0]?.endpoint.components
  assert.deepEqual(Object.keys(components ?? {}).sort(), ['cel', 'jsonSchema', 'luaProxy'])
  for (const runtime of [undefined, 'krakend'] as const)
    for (const ns of [
      'auth/validator',
      'qos/ratelimit/router',
      'security/bot-detector',
      'modifier/lua-endpoint',
    ])
      assert.match(
        check({ [ns]: {} }, runtime).errors.join('\n'),
        new RegExp(
          `extra_config\\.${ns.replace('/', '\\/')}: "${ns}" on async agent AsyncAgent-00: KrakenD ignores it there`,
        ),
      )
  // a long name is its short one, as lura's Normalize makes it (async-agent-long-names.test.ts)
  const long = check({ 'github.com/devopsfaith/krakend-lua/proxy': { pre: '' } })
  assert.deepEqual(long.errors, [])
  assert.ok(long.config?.asyncAgents?.[0]?.endpoint.components?.luaProxy)
  assert.match(check({ 'telemetry/opentelemetry': {} }).warnings.join('\n'), /ignored/)
  assert.match(
    check({ 'validation/cel': [{ check_expr: "JWT.sub == 'a'" }] }).errors.join('\n'),
    /JWT expressions never run on an agent/,
  )
  // a propagated value is a param for components only: a placeholder of its name would be filled here
  const filled = validateGatewayConfig({
    version: 3,
    name: 'c',
    endpoints: [],
    async_agent: [
      {
        backend: [
          { host: ['http://127.0.0.1:8080'], url_pattern: '/a' },
          { host: ['http://127.0.0.1:8080'], url_pattern: '/b/{resp0_a}' },
        ],
        extra_config: {
          'async/amqp': amqp,
          proxy: { sequential: true, sequential_propagated_params: ['resp0_a'] },
        },
      },
    ],
  })
  assert.match(
    filled.errors.map((e) => e.message).join('\n'),
    /has \{resp0_a\}, which KrakenD sends as written/,
  )
})
