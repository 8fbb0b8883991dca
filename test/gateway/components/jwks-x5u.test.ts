import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { mustConfig, startGateway } from '../helpers.ts'
import { jwksAnswerServer, SYM_JWK, statusWithSymToken } from './jwks-answer-server.ts'

// go-jose reads a JWK's x5u with Go's url.Parse: a URL Go refuses (a host missing its ']', a port
// that is no number, a bad %-escape, a zone not written %25, a control byte) fails that key and so
// the whole set. KrakenD then answers 401 to every token of a downloaded set, and does not start
// with such a jwk_local_path file. URLs Go accepts (relative, opaque, an empty port) change nothing.
const REFUSED = [
  'http://[::1',
  'http://a:b/',
  '%zz',
  ':x',
  'http://a b/',
  'http://x/\u0001',
  'http://[fe80::1%en0]/',
  'http://a/%',
]
const ACCEPTED = ['http://[fe80::1%25en0]/', 'mailto:x', '', 'http://ü/', '/rel', '//x:99999', 'http://x:/']
const setWith = (x5u: string) =>
  JSON.stringify({
    keys: [{ kty: 'oct', kid: 'other', k: 'AAAA', x5u }, SYM_JWK],
  })
const ALL = [...REFUSED, ...ACCEPTED]
const jwks = jwksAnswerServer((path) => setWith(ALL[Number(path.slice(1))] ?? ''))
let dir: string
const gateway = gatewayWith(
  (backend) => ({
    version: 3,
    endpoints: ALL.map((_, i) => ({
      endpoint: `/set/${i}`,
      extra_config: {
        'auth/validator': { alg: 'HS256', jwk_url: `${jwks.origin}/${i}`, disable_jwk_security: true },
      },
      backend: [{ host: [backend.origin], url_pattern: '/echo' }],
    })),
  }),
  {
    setUp: async () => {
      await jwks.setUp()
      dir = await mkdtemp(join(tmpdir(), 'gw-jwks-x5u-'))
    },
    tearDown: async () => {
      await jwks.tearDown()
      await rm(dir, { recursive: true, force: true })
    },
  },
)

const status = (i: number) => statusWithSymToken(gateway.url, `/set/${i}`)

describe('auth/validator: a JWK x5u is read with url.Parse', () => {
  test('a set with an x5u Go cannot parse verifies no token', async () => {
    for (const [i, x5u] of REFUSED.entries()) assert.equal(await status(i), 401, JSON.stringify(x5u))
  })

  test('an x5u Go parses changes nothing', async () => {
    for (const [i, x5u] of ACCEPTED.entries())
      assert.equal(await status(REFUSED.length + i), 200, JSON.stringify(x5u))
  })

  test('a jwk_local_path file with such an x5u is refused at startup', async () => {
    const file = join(dir, 'bad.json')
    await writeFile(file, setWith('http://[::1'))
    // A gateway that starts anyway is closed, so the failure is an assertion and not a hang.
    const refusal = await startGateway(
      mustConfig({
        version: 3,
        endpoints: [
          {
            endpoint: '/t',
            extra_config: {
              'auth/validator': { alg: 'HS256', jwk_local_path: file, disable_jwk_security: true },
            },
            backend: [{ host: [gateway.backend.origin], url_pattern: '/echo' }],
          },
        ],
      }),
    ).then(
      async (running) => {
        await running.close()
        return 'started'
      },
      (error: Error) => error.message,
    )
    assert.match(refusal, /x5u header is invalid URL: parse "http:\/\/\[::1": missing '\]' in host/)
  })
})
