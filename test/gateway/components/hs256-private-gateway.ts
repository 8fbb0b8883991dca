import { type GatewayFixture, gatewayWith } from '../gateway-fixture.ts'
import { type Hs256Issuer, hs256Issuer } from './hs256-issuer.ts'

export interface Hs256PrivateGateway {
  gateway: GatewayFixture
  /** alice's token from the endpoint's issuer (read inside tests). */
  readonly token: string
}

/**
 * A gateway (set up in the calling scope) whose `/private` endpoint, to the backend's `/echo`, is
 * behind `auth/validator` of a fresh HS256 issuer, with `validatorExtra` on top of its settings.
 */
export function hs256PrivateGateway(validatorExtra: Record<string, unknown> = {}): Hs256PrivateGateway {
  let issuer: Hs256Issuer | undefined
  let token: string | undefined
  const gateway = gatewayWith(
    (backend) => ({
      version: 3,
      endpoints: [
        {
          endpoint: '/private',
          extra_config: { 'auth/validator': issuer?.validator(validatorExtra) },
          backend: [{ host: [backend.origin], url_pattern: '/echo' }],
        },
      ],
    }),
    {
      setUp: async () => {
        issuer = await hs256Issuer()
        token = await issuer.token({ sub: 'alice' })
      },
      tearDown: async () => {
        await issuer?.remove()
      },
    },
  )
  return {
    gateway,
    get token() {
      if (token === undefined) throw new Error('hs256PrivateGateway: read the token inside a test')
      return token
    },
  }
}
