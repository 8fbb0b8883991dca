// Bot-detector patterns KrakenD runs that were refused here. Go's (?i) holds from where it stands to
// the end of its group, so a \p class outside that scope is matched without case folding and its
// Unicode 15.0/17.0 fold differences do not matter. Go also accepts a group name used twice
// (regexp/syntax has no duplicate check; re2js has one). Expected matches are Go 1.25's MatchString.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { compileGoRegExp } from '../../../src/gateway/components/go-regexp.ts'
import {
  mustConfig,
  type Running,
  rawRequest,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from '../helpers.ts'

describe('Go regexp: case-folding scope and repeated group names', () => {
  let backend: TestBackend | undefined
  let gw: Running | undefined

  before(async () => {
    backend = await startBackend('ok', { '/ok': { body: { ok: true } } })
    gw = await startGateway(
      mustConfig({
        version: 3,
        endpoints: [
          {
            endpoint: '/ok',
            backend: [{ host: [(backend as TestBackend).origin], url_pattern: '/ok' }],
            extra_config: {
              'security/bot-detector': { patterns: ['^\\p{Han}|(?i)bot', '(?P<v>x1)|(?P<v>crawler)'] },
            },
          },
        ],
      }),
    )
  })

  after(async () => {
    await gw?.close()
    await backend?.close()
  })

  test('a \\p class before a (?i) and a repeated group name run as in KrakenD', async () => {
    // The User-Agent's UTF-8 bytes as a client sends them (undici refuses non-ASCII header values).
    const status = async (ua: string) =>
      (
        await sendRaw(
          (gw as Running).url,
          Buffer.from(rawRequest(['GET /ok HTTP/1.1', 'Host: gw', `User-Agent: ${ua}`])),
        )
      ).status
    assert.equal(await status('MyBOT/1.0'), 403, '(?i)bot')
    assert.equal(await status('日本'), 403, '^\\p{Han}, not folded')
    assert.equal(await status('crawler'), 403, 'the second (?P<v>...)')
    assert.equal(await status('Mozilla/5.0'), 200)
  })

  test('only classes inside the scope of (?i) are refused for their fold differences', () => {
    const m = (p: string, s: string) => compileGoRegExp(p).test(s)
    assert.equal(m('((?i)k)\\p{Lu}', 'kA'), true)
    assert.equal(m('((?i)k)\\p{Lu}', 'ka'), false, 'the (?i) ended with its group')
    assert.equal(m('(?i:k)\\p{Lu}', '\u212aB'), true, 'K folds to the Kelvin sign inside (?i:...)')
    assert.equal(m('(?i)(?-i)\\p{Lu}', 'a'), false, '(?-i) turns folding off again')
    assert.equal(m('é|\\PL|(?i)k', '1'), true)
    assert.equal(m('é|\\PL|(?i)k', 'a'), false)
    assert.equal(m('(?P<g>a)(?P<g>b)(?P<g_1>c)(?P<g>d)', 'abcd'), true)
    for (const p of ['(?i)\\pL', 'a(?i)b|\\pL', '(?i-s)\\p{Ll}', 'x((?i)\\p{Ll})', '(?i)[\\x{19b}]'])
      assert.throws(() => compileGoRegExp(p), /with \(\?i\)/, p)
  })
})
