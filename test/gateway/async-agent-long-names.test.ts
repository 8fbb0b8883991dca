// KrakenD CE's long namespace names on an async agent and its backends: lura's ServiceConfig.Normalize
// moves the short names onto the long ones the components read, for agents as for endpoints, so each
// long name means exactly its short one (and beside it, the short one wins). Compared with KrakenD
// 2.13.8 on the same RabbitMQ: scripts/krakend-diff/suites/async-agent.compare.ts (agents longnames,
// longshort).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { agentBench } from './async-agent-bench.ts'
import type { Running } from './helpers.ts'

const bench = agentBench('agent-long', {})
const { start, publish, until, seenAt, queueState, consuming } = bench

/** bench.agent, its async/amqp under krakend-amqp's own (long) namespace. */
function longAgent(name: string, backends: Array<Record<string, unknown>>, extra: Record<string, unknown>) {
  const made = bench.agent(name, backends, { nack_discard: true }, { extra_config: extra })
  const { 'async/amqp': amqp, ...rest } = made.extra_config as Record<string, unknown>
  return { ...made, extra_config: { ...rest, 'github.com/devopsfaith/krakend-amqp/agent': amqp } }
}

test("an agent's long names run its consumer, proxy stack, sequential proxy, shadows and backend scripts", async () => {
  let gw: Running | undefined
  try {
    gw = await start([
      longAgent(
        'longnames',
        [
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
        {
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
      ),
      longAgent('longshort', [{ url_pattern: '/echo/longshort', method: 'POST' }], {
        'github.com/devopsfaith/krakend-lua/proxy': {
          pre: "local r = request.load(); r:headers('X-W', 'long')",
        },
        'modifier/lua-proxy': { pre: "local r = request.load(); r:headers('X-W', 'short')" },
      }),
    ])
    await consuming('longnames')
    await consuming('longshort')
    publish('longnames', 'not json')
    publish('longnames', '{"l":1}')
    publish('longshort', 'w')
    await until(
      'the three calls',
      () => seenAt('/echo/long1').length + seenAt('/echo/longshadow').length === 2,
    )
    await until('the short-named script', () => seenAt('/echo/longshort').length === 1)
    // the message the schema refused reached no backend
    assert.deepEqual(
      ['/echo/long0', '/echo/long1', '/echo/longshadow'].map((path) => seenAt(path).map((s) => s.body)),
      [['{"l":1}'], ['{"l":1}'], ['{"l":1}']],
    )
    // sequential: the first answer's method is a param of the second backend's script
    assert.equal(seenAt('/echo/long1')[0]?.headers['x-p'], 'POST')
    assert.equal(seenAt('/echo/long0')[0]?.headers['x-q'], 'q')
    assert.equal(seenAt('/echo/longshort')[0]?.headers['x-w'], 'short')
  } finally {
    await gw?.close()
  }
  assert.equal((await queueState('longnames')).messageCount, 0)
})
