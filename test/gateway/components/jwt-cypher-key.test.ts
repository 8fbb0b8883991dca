// cypher_key without secret_url: krakend-jose decodes it as a Go []byte (padded standard base64)
// and uses it only to decrypt a secret_url's keys. On KrakenD CE 2.13.8 a validator with
// "cypher_key": "c2VjcmV0" or "" answers 200 to a valid token, with "c2VjcmV0MQ" (unpadded), "!!"
// or 5 401 to every request (the settings fail to decode). It was refused here whatever it held.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { validateValidator } from './jwt-served.ts'

const said = (list: Array<{ location?: { path?: string }; message: string }>) =>
  list.map((e) => `${e.location?.path}: ${e.message}`).join('\n')

describe('auth/validator and auth/signer cypher_key without secret_url', () => {
  test('padded base64 (or empty) runs, with a warning that it does nothing', () => {
    for (const cypher_key of ['c2VjcmV0', '', 'c2VjcmV0MQ==', 'c2Vj\ncmV0']) {
      const result = validateValidator({ cypher_key })
      assert.deepEqual(result.errors, [], cypher_key)
      assert.match(said(result.warnings), /cypher_key: "cypher_key" does nothing without "secret_url"/)
    }
  })

  test('what Go cannot decode is refused at its path: KrakenD would answer 401 to everything', () => {
    for (const cypher_key of ['c2VjcmV0MQ', '!!', 5])
      assert.match(
        said(validateValidator({ cypher_key }).errors),
        /auth\/validator\.cypher_key: "cypher_key" must be padded standard base64.*401 to every request/,
        String(cypher_key),
      )
  })

  test('with secret_url both stay refused', () => {
    const errors = said(validateValidator({ secret_url: 'base64key://x', cypher_key: 'c2VjcmV0' }).errors)
    assert.match(errors, /secret_url: "secret_url" is not supported/)
    assert.match(errors, /cypher_key: "cypher_key" is not supported/)
  })

  test('the signer reads it the same way', () => {
    const { errors, warnings } = validateGatewayConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/s',
          extra_config: {
            'auth/signer': {
              alg: 'HS256',
              kid: 'k1',
              jwk_url: 'https://idp.example/jwks',
              cypher_key: 'c2VjcmV0',
            },
          },
          backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/s' }],
        },
      ],
    })
    assert.deepEqual(errors, [])
    assert.match(said(warnings), /auth\/signer\.cypher_key: "cypher_key" does nothing/)
  })
})
