// martian compares and writes header values and queries as Go holds them: bytes, against the
// config's UTF-8 bytes. A header.Filter value `ünï` matches the UTF-8 bytes of ünï (not the Latin-1
// byte ü), querystring.Filter reads `%C3%BC` (not a raw 0xFC byte) as the config's `ü`, and
// querystring.Modifier re-encodes a query byte that is not UTF-8 as it was (`%FC`, not `%EF%BF%BD`).
// Each expectation is what KrakenD CE 2.13.8 sent for the same requests; found by the martiangen
// differential suite (SEED=52: a header.Filter on `ünï` decided otherwise).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { rawRequest, sendRaw } from '../helpers.ts'
import { martianGatewayConfig } from './martian-config.ts'

const scope = ['request']
const mark = (name: string) => ({ 'header.Modifier': { name, value: '1' } })
const modifiers = [
  { 'header.Filter': { scope, name: 'X-T', value: 'ünï', modifier: mark('X-Hf') } },
  { 'header.RegexFilter': { scope, header: 'X-T', regex: '^ü', modifier: mark('X-Rf') } },
  { 'querystring.Filter': { scope, name: 'ü', modifier: mark('X-Qn') } },
  { 'querystring.Filter': { scope, name: 'q', value: 'ü', modifier: mark('X-Qv') } },
  { 'querystring.Modifier': { scope, name: 'ä', value: 'ö' } },
]
const MARKS = ['x-hf', 'x-rf', 'x-qn', 'x-qv']

describe('martian on header and query bytes', () => {
  const gateway = gatewayWith((backend) =>
    martianGatewayConfig(
      backend.origin,
      { 'fifo.Group': { modifiers } },
      { input_headers: ['*'], input_query_strings: ['*'] },
      { url_pattern: '/echo' },
    ),
  )
  /** Sends the target and X-T as these bytes (one character each); the marks and query the backend got. */
  const call = async (target: string, value: string) => {
    const text = rawRequest([`GET ${target} HTTP/1.1`, 'Host: gw', `X-T: ${value}`])
    await sendRaw(gateway.url, Buffer.from(text, 'latin1'))
    const seen = gateway.backend.seen.at(-1)
    return { marks: MARKS.filter((m) => seen?.headers[m] === '1'), url: seen?.url }
  }
  const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1')

  test('UTF-8 bytes match the config text', async () => {
    assert.deepEqual(await call('/a?%C3%BC=1&q=%C3%BC', utf8('ünï')), {
      marks: MARKS,
      url: '/echo?q=%C3%BC&%C3%A4=%C3%B6&%C3%BC=1',
    })
  })

  test('Latin-1 bytes do not, and stay the bytes they were', async () => {
    assert.deepEqual(await call('/a?q=%FC', '\xfcn'), { marks: [], url: '/echo?q=%FC&%C3%A4=%C3%B6' })
    assert.deepEqual(await call('/a?q=\xfc', '\xfcn\xef'), { marks: [], url: '/echo?q=%FC&%C3%A4=%C3%B6' })
  })
})
