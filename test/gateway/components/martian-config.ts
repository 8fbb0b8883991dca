/** The `modifier/martian` config errors the martian tests assert on: one backend carrying the value. */
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'

/** The config errors of one backend with this `modifier/martian` value. */
export const martianErrors = (martian: unknown) =>
  validateGatewayConfig({
    version: 3,
    endpoints: [
      {
        endpoint: '/a',
        backend: [
          { host: ['http://127.0.0.1:19'], url_pattern: '/a', extra_config: { 'modifier/martian': martian } },
        ],
      },
    ],
  }).errors

/** Where those errors point: the backend's martian section. */
export const MARTIAN_AT = 'endpoints[0].backend[0].extra_config.modifier/martian'

/** A config of one endpoint `/a` with one backend on `origin` carrying this `modifier/martian` value. */
export const martianGatewayConfig = (
  origin: string,
  martian: unknown,
  endpoint: Record<string, unknown> = {},
  backend: Record<string, unknown> = {},
) => ({
  version: 3,
  endpoints: [
    {
      endpoint: '/a',
      ...endpoint,
      backend: [{ host: [origin], ...backend, extra_config: { 'modifier/martian': martian } }],
    },
  ],
})
