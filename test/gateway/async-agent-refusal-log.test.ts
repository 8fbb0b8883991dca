// A component's refusal of an agent's message, logged as KrakenD logs it: krakend-amqp's agent line
// carries the error lura's proxy stack returned ([SERVICE: AsyncAgent][AMQP][name] <error>), the
// component logs no line of its own but krakend-cel's INFO evaluator line. Checked by hand against
// KrakenD 2.13.8 on the same RabbitMQ (the same agents, the same lines).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { agentBench } from './async-agent-bench.ts'
import type { Running } from './helpers.ts'

const bench = agentBench('agent-refusal', {})
const { agent, start, publish, until, consuming } = bench

const AGENTS: Array<[name: string, extra: Record<string, unknown>, messages: string[]]> = [
  ['luaerr', { 'modifier/lua-proxy': { pre: "error('refused by lua')" } }, ['x']],
  ['luacustom', { 'modifier/lua-proxy': { pre: "custom_error('teapot here', 418)" } }, ['x']],
  ['luapost', { 'modifier/lua-proxy': { post: "error('post refused')" } }, ['x']],
  ['celpre', { 'validation/cel': [{ check_expr: "req_method == 'GET'" }] }, ['x']],
  ['celpost', { 'validation/cel': [{ check_expr: 'has(resp_data.nothing)' }] }, ['x']],
  ['schema', { 'validation/json-schema': { type: 'object', required: ['a'] } }, ['{"b":1}', 'nope']],
]

test("a component's refusal is the agent's log line, as KrakenD's; the component logs none of its own (CEL's INFO line apart)", async () => {
  const lines: string[] = []
  let gw: Running | undefined
  try {
    gw = await start(
      AGENTS.map(([name, extra]) =>
        agent(name, [{ url_pattern: '/echo/refused' }], { nack_discard: true }, { extra_config: extra }),
      ),
      lines,
    )
    // the first runs (the start-up trials log nothing, as KrakenD's)
    await until('every first run', () =>
      AGENTS.every(([name]) =>
        lines.some((line) => line.includes(`[SERVICE: AsyncAgent][AMQP][${name}] Starting the consumer`)),
      ),
    )
    for (const [name] of AGENTS) await consuming(name)
    for (const [name, , messages] of AGENTS) for (const message of messages) publish(name, message)
    const discarded = () => lines.join('').split('Nack: message discarded').length - 1
    await until('every message dropped', () => discarded() === 7)
    const said = lines
      .join('')
      .split('\n')
      .filter((line) => /\[ENDPOINT: \/?\w+\]|\[AMQP\]\[\w+\] (?!Starting|Nack)/.test(line))
      .map((line) => line.replace(/^.*?(DEBUG|INFO|WARNING|ERROR)\s+/, '$1 '))
      .sort()
    assert.deepEqual(said, [
      'ERROR [SERVICE: AsyncAgent][AMQP][celpost] request aborted by evaluator #0',
      'ERROR [SERVICE: AsyncAgent][AMQP][celpre] request aborted by evaluator #0',
      'ERROR [SERVICE: AsyncAgent][AMQP][luacustom] teapot here',
      'ERROR [SERVICE: AsyncAgent][AMQP][luaerr] refused by lua (pre-script:L1)',
      'ERROR [SERVICE: AsyncAgent][AMQP][luapost] post refused (post-script:L1)',
      "ERROR [SERVICE: AsyncAgent][AMQP][schema] - at '': missing property 'a'",
      "ERROR [SERVICE: AsyncAgent][AMQP][schema] invalid character 'o' in literal null (expecting 'u')",
      'INFO [ENDPOINT: celpost][CEL][post] Evaluator #0 result: false',
      'INFO [ENDPOINT: celpre][CEL][pre] Evaluator #0 result: false',
    ])
  } finally {
    await gw?.close()
  }
})
