// Shared by the auth/validator tests: a config of one validated endpoint checked by the gateway's
// validation, and a gateway serving one endpoint behind hs256Issuer's validator, asked with tokens
// of given claims.
import { after, before } from 'node:test'
import { SignJWT } from 'jose'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway } from '../helpers.ts'
import { type Hs256Issuer, hs256Issuer } from './hs256-issuer.ts'
import { SYM_SECRET } from './jwks-answer-server.ts'

/** The gateway's validation of one endpoint validated with `extra` (RS256 from an https JWKS). */
export const validateValidator = (extra: Record<string, unknown>) =>
  validateGatewayConfig({
    version: 3,
    endpoints: [
      {
        endpoint: '/a',
        extra_config: {
          'auth/validator': { alg: 'RS256', jwk_url: 'https://idp.example/jwks', ...extra },
        },
        backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }],
      },
    ],
  })

/**
 * Registers hooks serving /t behind hs256Issuer's validator with `extra`; `status(claims)` is the
 * answer to a token of exactly those claims (iss set, no exp unless given).
 */
export function servedValidator(extra: Record<string, unknown> = {}) {
  let issuer: Hs256Issuer
  let backend: Awaited<ReturnType<typeof startBackend>>
  let gateway: Running
  before(async () => {
    issuer = await hs256Issuer()
    backend = await startBackend('api', {})
    gateway = await startGateway(
      mustConfig({
        version: 3,
        endpoints: [
          {
            endpoint: '/t',
            extra_config: { 'auth/validator': issuer.validator(extra) },
            backend: [{ host: [backend.origin], url_pattern: '/echo' }],
          },
        ],
      }),
    )
  })
  after(async () => {
    await gateway?.close()
    await backend?.close()
    await issuer?.remove()
  })
  return {
    status: async (claims: Record<string, unknown>) => {
      const token = await new SignJWT({ iss: 'https://issuer.example', ...claims })
        .setProtectedHeader({ alg: 'HS256', kid: 'sym' })
        .sign(SYM_SECRET)
      return (await send(gateway.url, { path: '/t', headers: { authorization: `Bearer ${token}` } })).status
    },
  }
}
