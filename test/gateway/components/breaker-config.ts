// A config of one endpoint and one backend with a qos/circuit-breaker, for the breaker config tests.
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'

/** The config errors of one backend with this qos/circuit-breaker. */
export const breakerConfigErrors = (cb: Record<string, unknown>) =>
  validateGatewayConfig({
    version: 3,
    endpoints: [
      {
        endpoint: '/a',
        backend: [
          { host: ['http://127.0.0.1:19'], url_pattern: '/a', extra_config: { 'qos/circuit-breaker': cb } },
        ],
      },
    ],
  }).errors
