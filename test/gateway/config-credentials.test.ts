/**
 * Credentials written in the gateway config never reach a message: a host with user info is
 * refused for what it is (KrakenD refuses it too) with the password as `***`, and so are other
 * URLs echoed in problems; a literal credential header set by modifier/martian is warned about.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { hideCredentials } from '../../src/gateway/config/url-credentials.ts'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'

const withBackend = (backend: Record<string, unknown>, root: Record<string, unknown> = {}) => ({
  version: 3,
  name: 'creds',
  ...root,
  endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/a', ...backend }] }],
})

describe('credentials in the gateway config', () => {
  test('a backend host with user info: says it carries credentials, hides the password, no follow-on error', () => {
    const result = validateGatewayConfig(
      withBackend({ host: ['https://svc:P4ssw0rd-ANNOT@api.internal:8443'] }),
      { file: 'gw.json' },
    )
    assert.equal(result.errors.length, 1, JSON.stringify(result.errors))
    const [problem] = result.errors
    assert.equal(problem?.location?.path, 'endpoints[0].backend[0].host[0]')
    assert.equal(
      problem?.message,
      'host "https://svc:***@api.internal:8443" carries credentials, which a host cannot hold (KrakenD refuses it too)',
    )
    assert.match(problem?.hint ?? '', /auth\/client-credentials/)
    assert.match(problem?.hint ?? '', /"Authorization" header/)
    assert.doesNotMatch(JSON.stringify(result), /P4ssw0rd/)
  })

  test('a user name alone, a host without scheme and a root host are hidden the same way', () => {
    const result = validateGatewayConfig(
      withBackend(
        { host: ['https://ghp_T0KEN@api.internal', 'svc:pw-SECRET@api:80'] },
        {
          host: ['http://root:R00T-PW@api:81'],
        },
      ),
    )
    const text = JSON.stringify(result)
    assert.doesNotMatch(text, /T0KEN|pw-SECRET|R00T-PW/)
    const messages = result.errors.map((e) => e.message)
    assert.ok(
      messages.includes(
        'host "https://***@api.internal" carries credentials, which a host cannot hold (KrakenD refuses it too)',
      ),
    )
    assert.ok(
      messages.includes(
        'host "svc:***@api:80" carries credentials, which a host cannot hold (KrakenD refuses it too)',
      ),
    )
    assert.ok(
      messages.includes(
        'host "http://root:***@api:81" carries credentials, which a host cannot hold (KrakenD refuses it too)',
      ),
    )
    assert.ok(!messages.some((m) => /has no host/.test(m)), messages.join('\n'))
  })

  test('a root host with user info: one problem, not one more per backend that lists no host', () => {
    const result = validateGatewayConfig({
      version: 3,
      name: 'creds',
      host: ['https://svc:R00T-PW@api.internal'],
      endpoints: [
        { endpoint: '/a', backend: [{ url_pattern: '/a' }] },
        { endpoint: '/b', backend: [{ url_pattern: '/b', host: [] }] },
      ],
    })
    assert.deepEqual(
      result.errors.map((e) => [e.location?.path, e.message]),
      [
        [
          'host[0]',
          'host "https://svc:***@api.internal" carries credentials, which a host cannot hold (KrakenD refuses it too)',
        ],
      ],
    )
  })

  test('a host that is not a URL is still "not a valid URL", and an empty list still has no host', () => {
    const bad = validateGatewayConfig(withBackend({ host: ['ftp://api'] }))
    assert.deepEqual(
      bad.errors.map((e) => e.message),
      ['host "ftp://api" is not a valid URL'],
    )
    const none = validateGatewayConfig(withBackend({ host: [] }))
    assert.match(none.errors[0]?.message ?? '', /has no host and there is no root "host" list/)
  })

  test('jwk_url and token_url are echoed with their password hidden', () => {
    const result = validateGatewayConfig({
      version: 3,
      name: 'creds',
      endpoints: [
        {
          endpoint: '/a',
          extra_config: { 'auth/validator': { alg: 'RS256', jwk_url: 'http://u:JWK-PW@keys.internal/jwks' } },
          backend: [
            {
              host: ['http://api:80'],
              url_pattern: '/a',
              extra_config: {
                'auth/client-credentials': { client_id: 'a', token_url: 'ftp://u:TOKEN-PW@idp/token' },
              },
            },
          ],
        },
      ],
    })
    const text = JSON.stringify(result)
    assert.doesNotMatch(text, /JWK-PW|TOKEN-PW/)
    assert.match(text, /http:\/\/u:\*\*\*@keys\.internal\/jwks/)
    assert.match(text, /ftp:\/\/u:\*\*\*@idp\/token/)
  })

  test('hideCredentials keeps the user name, hides the password, and leaves other text alone', () => {
    assert.equal(hideCredentials('https://svc:p@ss@api:1/x?y=@'), 'https://svc:***@api:1/x?y=@')
    assert.equal(hideCredentials('https://api:1/a@b'), 'https://api:1/a@b')
    assert.equal(hideCredentials('http://api:1'), 'http://api:1')
  })

  test('a literal credential header in modifier/martian is warned about, like a literal client_secret', () => {
    const martian = (name: string, value: string, type = 'header.Modifier') =>
      validateGatewayConfig(
        withBackend({
          host: ['http://api:80'],
          extra_config: { 'modifier/martian': { [type]: { scope: ['request'], name, value } } },
        }),
      )
    for (const [name, type] of [
      ['Authorization', 'header.Modifier'],
      ['Proxy-Authorization', 'header.Modifier'],
      ['X-Api-Key', 'header.Append'],
      ['Cookie', 'header.Modifier'],
      ['access_token', 'querystring.Modifier'],
    ] as const) {
      const result = martian(name, 'Basic QkFTSUNQQVNTV09SRC14eXo=', type)
      assert.deepEqual(result.errors, [], name)
      const warning = result.warnings.find((w) => w.location?.path?.endsWith(`${type}.value`))
      assert.ok(warning, `${name}: ${JSON.stringify(result.warnings)}`)
      assert.match(warning.message, new RegExp(`literal "${name}" value`))
      assert.doesNotMatch(JSON.stringify([result.errors, result.warnings]), /QkFT/)
    }
    assert.equal(martian('X-Trace', 'on').warnings.length, 0)
  })
})
