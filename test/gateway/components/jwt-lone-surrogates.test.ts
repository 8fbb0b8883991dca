import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { compactToken, type Hs256Gateway, hs256Gateway } from './hs256-gateway.ts'

// Go's JSON decoders read the \u escape of a lone UTF-16 surrogate as U+FFFD, where JSON.parse
// keeps the surrogate: go-jose then finds "\ud800" and "\udc00" to be one repeated key (and KrakenD
// refuses the token), a kid "\udfff" names the JWKS key written "\ud800", and a role or issuer
// "\udc00" is the configured "\ufffd". Checked against KrakenD CE 2.13.8.
let gw: Hs256Gateway
const exp = Math.floor(Date.now() / 1000) + 600

before(async () => {
  gw = await hs256Gateway({
    kid: '\ud800',
    validator: { roles_key: 'r', roles: ['\ufffd'], issuer: 'i\ufffd', propagate_claims: [['r', 'X-R']] },
    endpoint: { input_headers: ['X-R'] },
  })
})

after(() => gw?.close())

const call = (header: string, claims: string) => gw.call(compactToken(header, claims))
const claims = (more: string) => `{"exp":${exp},"iss":"i\\udc00","r":["\\ud800"]${more}}`

describe('auth/validator: lone surrogate escapes read as U+FFFD', () => {
  test('a kid of another lone surrogate names the key; role and issuer match U+FFFD', async () => {
    for (const kid of ['\\udfff', '\\ufffd', '\\ud800']) {
      const answer = await call(`{"alg":"HS256","kid":"${kid}"}`, claims(''))
      assert.equal(answer.status, 200, kid)
    }
    const answer = await call(
      '{"alg":"HS256","kid":"\\ud800"}',
      `{"exp":${exp},"iss":"i\\ud800","r":"a \\udc00"}`,
    )
    assert.equal(answer.status, 200)
    const echoed = JSON.parse(answer.text) as { headers: Record<string, string> }
    assert.equal(Buffer.from(echoed.headers['x-r'] ?? '', 'latin1').toString('utf8'), 'a \ufffd')
  })

  test('two keys equal once unescaped are a repeated key: refused', async () => {
    const header = '{"alg":"HS256","kid":"\\ud800"}'
    for (const more of [
      ',"\\ud800":1,"\\udc00":2',
      ',"x\\ud800":1,"x\\ufffd":2',
      ',"o":{"\\udbff":1,"\\udc00":2}',
    ])
      assert.equal((await call(header, claims(more))).status, 401, more)
    assert.equal(
      (await call('{"alg":"HS256","kid":"\\ud800","\\ud801":1,"\\ud802":2}', claims(''))).status,
      401,
    )
    // A surrogate pair is one character, not two lone ones.
    assert.equal((await call(header, claims(',"\\ud83d\\ude00":1,"\\ud83d":2'))).status, 200)
  })
})
