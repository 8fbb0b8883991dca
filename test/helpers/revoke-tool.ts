/**
 * What the revoker e2e tests share: a gateway config with auth/revoker in front of a JWT endpoint,
 * and Go's own revoke tool (test/fixtures/go-rpc's rpc-client) calling a node's revoker.
 */
import assert from 'node:assert/strict'
import { buildGoFixture, runProgram } from './go.ts'

/** A gateway whose `/v1/private` needs a JWT (`validator`) that auth/revoker may refuse by its `jti`. */
export function revokerGatewayConfig(options: {
  name: string
  port: number
  hashName: 'default' | 'optimal'
  validator: Record<string, unknown>
  /** The backend `/v1/private` calls (default: nothing listens, 500 for a token that passes). */
  backend?: Record<string, unknown>
  endpoint?: Record<string, unknown>
}) {
  return {
    version: 3,
    name: options.name,
    extra_config: {
      'auth/revoker': {
        n: 10000,
        p: 0.0001,
        hash_name: options.hashName,
        ttl: 3600,
        port: options.port,
        token_keys: ['jti'],
      },
    },
    endpoints: [
      {
        endpoint: '/v1/private',
        ...options.endpoint,
        backend: [options.backend ?? { host: ['http://127.0.0.1:19'], url_pattern: '/', encoding: 'no-op' }],
        extra_config: { 'auth/validator': options.validator },
      },
    ],
  }
}

interface RpcResult {
  connections: Array<{ dialError?: string; results: Array<{ error?: string; reply?: unknown }> }>
}

/** One rpc.Dial to `addr` (HOST:PORT) running `calls` in order; their replies (a failed dial or call fails the test). */
export async function goRevokeTool(
  addr: string,
  calls: Array<{ method: 'Add' | 'Check'; elems: string[] }>,
): Promise<unknown[]> {
  const result = await runProgram(await buildGoFixture('rpc-client'), [], {
    input: JSON.stringify({
      addr,
      connections: [
        {
          calls: calls.map((c) => ({
            method: `BloomfilterRPC.${c.method}`,
            args: c.method.toLowerCase(),
            elems: c.elems,
          })),
        },
      ],
    }),
  })
  assert.equal(result.code, 0, result.stderr)
  const [connection] = (JSON.parse(result.stdout) as RpcResult).connections
  assert.equal(connection?.dialError, undefined, result.stdout)
  for (const call of connection?.results ?? []) assert.equal(call.error, undefined, result.stdout)
  return (connection?.results ?? []).map((r) => r.reply)
}
