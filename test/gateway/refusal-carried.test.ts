// A component's refusal hands lura's error up with its answer (Reply.error): what krakend-amqp's agent
// logs on its own line ([SERVICE: AsyncAgent][AMQP][name] <error>, async-agent/pipe.ts), whatever the
// component writes in its own log line, and also when it writes none (an agent's guard: its refusal is
// the agent's line). An HTTP endpoint's guard still logs each refusal line as lura's handler does.
// The texts are KrakenD 2.13.8's agent lines (async-agent-refusal-log.test.ts, checked on RabbitMQ).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileEndpointGuard, type EndpointGuard } from '../../src/gateway/components/index.ts'
import type { GuardContext, GuardLogging, Reply } from '../../src/gateway/components/types.ts'
import type { GatewayConfig } from '../../src/gateway/config/types.ts'
import { mustConfig } from './helpers.ts'

/** krakend-amqp's request: no method, no URL, no header. */
const MESSAGE = { method: '', url: '', headers: {} }

interface Case {
  name: string
  extra: Record<string, unknown>
  body: string
  /** The answer comes after the backends (CEL's resp_ checks, Lua's post). */
  after?: true
  /** What KrakenD's agent logs. */
  error: string
  /** The component's own ERROR line at an HTTP endpoint (none for CEL: its INFO line only). */
  endpointLine?: string
}

const CASES: Case[] = [
  {
    name: 'luaerr',
    extra: { 'modifier/lua-proxy': { pre: "error('refused by lua')" } },
    body: 'x',
    error: 'refused by lua (pre-script:L1)',
    endpointLine: '[ENDPOINT: /luaerr] refused by lua (pre-script:L1)',
  },
  {
    name: 'luacustom',
    extra: { 'modifier/lua-proxy': { pre: "custom_error('teapot here', 418)" } },
    body: 'x',
    error: 'teapot here',
    endpointLine: '[ENDPOINT: /luacustom] teapot here',
  },
  {
    name: 'luapost',
    extra: { 'modifier/lua-proxy': { post: "error('post refused')" } },
    body: 'x',
    after: true,
    error: 'post refused (post-script:L1)',
    endpointLine: '[ENDPOINT: /luapost] post refused (post-script:L1)',
  },
  {
    name: 'celpre',
    extra: { 'validation/cel': [{ check_expr: "req_method == 'GET'" }] },
    body: 'x',
    error: 'request aborted by evaluator #0',
  },
  {
    name: 'celpost',
    extra: { 'validation/cel': [{ check_expr: 'has(resp_data.nothing)' }] },
    body: 'x',
    after: true,
    error: 'request aborted by evaluator #0',
  },
  {
    name: 'schema',
    extra: { 'validation/json-schema': { type: 'object', required: ['a'] } },
    body: '{"b":1}',
    error: "- at '': missing property 'a'",
    endpointLine: "[ENDPOINT: /schema][JSONSchema] - at '': missing property 'a'",
  },
  {
    name: 'notjson',
    extra: { 'validation/json-schema': { type: 'object' } },
    body: 'nope',
    error: "invalid character 'o' in literal null (expecting 'u')",
    endpointLine: "[ENDPOINT: /notjson][JSONSchema] invalid character 'o' in literal null (expecting 'u')",
  },
]

/** The agents of CASES, each with one backend (never called here). */
function agentsConfig(): GatewayConfig {
  return mustConfig({
    version: 3,
    endpoints: [],
    async_agent: CASES.map(({ name, extra }) => ({
      name,
      consumer: { topic: name },
      backend: [{ host: ['http://127.0.0.1:26859'], url_pattern: '/never' }],
      extra_config: {
        ...extra,
        'async/amqp': { host: 'amqp://guest:guest@127.0.0.1:26858', name, exchange: 'x', durable: true },
      },
    })),
  })
}

/** Runs the guard on one message as the agent's pipe does: its answer, if it refused. */
async function refusal(guard: EndpointGuard, body: string, after: boolean): Promise<Reply | undefined> {
  const ctx: GuardContext = { params: {}, query: '', headers: {}, body: Buffer.from(body) }
  const before = (await guard.beforeBody?.(MESSAGE, ctx)) ?? (await guard.run(MESSAGE, ctx))
  if (before || !after) return before
  const rejected = guard.after?.({}, { complete: true })
  if (rejected) return rejected
  const posted = await guard.lua?.post(ctx, {}, true, false)
  return posted?.reply
}

/** The case's agent endpoint, its guard compiled as `logging` says, run on the case's message. */
async function refused(config: GatewayConfig, c: Case, logging?: GuardLogging) {
  const endpoint = config.asyncAgents?.find((a) => a.endpoint.endpoint === c.name)?.endpoint
  assert.ok(endpoint, c.name)
  const lines: string[] = []
  const guard = compileEndpointGuard(
    endpoint,
    config,
    (m) => lines.push(`ERROR ${m}`),
    (m) => lines.push(`INFO ${m}`),
    undefined,
    logging,
  )
  assert.ok(guard, `${c.name}: a guard`)
  const reply = await refusal(guard, c.body, c.after === true)
  return { error: reply?.error, lines }
}

/** krakend-cel's INFO line for the case's expression, under `name`. */
const celLine = (name: string, c: Case) =>
  `INFO [ENDPOINT: ${name}][CEL][${c.after ? 'post' : 'pre'}] Evaluator #0 result: false`

test("an agent's guard: each refusal carries lura's error, and no component logs a line of it (CEL's INFO line apart, under the agent's name)", async () => {
  const config = agentsConfig()
  for (const c of CASES) {
    const { error, lines } = await refused(config, c, { celName: c.name, logsRefusals: false })
    assert.equal(error, c.error, c.name)
    assert.deepEqual(lines, c.endpointLine ? [] : [celLine(c.name, c)], c.name)
  }
})

test("an endpoint's guard: the same error on the answer, and each component's line as lura's handler logs it", async () => {
  const config = agentsConfig()
  for (const c of CASES) {
    const { error, lines } = await refused(config, c)
    assert.equal(error, c.error, c.name)
    assert.deepEqual(lines, c.endpointLine ? [`ERROR ${c.endpointLine}`] : [celLine(`/${c.name}`, c)], c.name)
  }
})
