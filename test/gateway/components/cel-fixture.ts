// One gateway serving one validation/cel expression per endpoint (all query strings forwarded),
// the statuses of a table of requests, and what config validation says of an expression: the
// cel-go comparison tests' shared parts.
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { type GatewayFixture, gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

export const celEndpoint = (path: string, expr: string, host: string[]) => ({
  endpoint: path,
  input_query_strings: ['*'],
  extra_config: { 'validation/cel': [{ check_expr: expr }] },
  backend: [{ host, url_pattern: '/ok' }],
})

/** A gateway with an endpoint per path of `expressions`, each guarded by its expression. */
export const celGateway = (expressions: Record<string, string>): GatewayFixture =>
  gatewayWith(
    (backend) => ({
      version: 3,
      endpoints: Object.entries(expressions).map(([path, expr]) => celEndpoint(path, expr, [backend.origin])),
    }),
    { backends: { api: { '/ok': { body: { ok: true } } } } },
  )

/** Each request of `expected` with the status the gateway answers (to deepEqual `expected`). */
export async function statuses(
  gateway: GatewayFixture,
  expected: Array<[string, number]>,
): Promise<Array<[string, number]>> {
  const out: Array<[string, number]> = []
  for (const [path] of expected) out.push([path, (await send(gateway.url, { path })).status])
  return out
}

/** The config errors of an endpoint guarded by `expr`. */
export const celConfigErrors = (expr: string) =>
  validateGatewayConfig({
    version: 3,
    endpoints: [celEndpoint('/a', expr, ['http://127.0.0.1:19'])],
  }).errors.map((e) => e.message)
