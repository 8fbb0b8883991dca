// body.Modifier's `body` is read as Go's encoding/json reads a []byte: standard base64, whose decoder
// skips line breaks (a body wrapped at 76 columns, or ending in a newline, is fine in KrakenD CE
// 2.13.8). This runtime refused such a body (found by the martiangen differential suite: KrakenD ran
// `"aGk=\n"`); other bytes outside the alphabet are still refused, as Go fails on them.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'
import { martianErrors, martianGatewayConfig } from './martian-config.ts'

const modifier = (body: string) => ({
  'body.Modifier': { scope: ['request'], body, contentType: 'text/plain' },
})

describe('martian body.Modifier base64 with line breaks', () => {
  const gateway = gatewayWith((backend) =>
    martianGatewayConfig(
      backend.origin,
      modifier('aGVs\r\nbG8g\nd29y\nbGQ=\n'),
      { method: 'POST' },
      { url_pattern: '/echo' },
    ),
  )

  test('the line breaks are skipped: the backend gets the decoded bytes', async () => {
    await send(gateway.url, { method: 'POST', path: '/a', body: 'client' })
    const seen = gateway.backend.seen.at(-1)
    assert.equal(seen?.body, 'hello world')
    assert.equal(seen?.headers['content-type'], 'text/plain')
  })

  test('other bytes outside the alphabet are refused', () => {
    assert.equal(martianErrors(modifier('aGk=\t')).length, 1)
    assert.equal(martianErrors(modifier('aG k=')).length, 1)
    assert.deepEqual(martianErrors(modifier('aGk=\n')), [])
  })
})
