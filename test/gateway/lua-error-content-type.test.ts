// A proxy-level custom_error without a content type: with return_error_msg Go's server sniffs the
// message it writes (http.DetectContentType), as KrakenD answers: a NUL or another control byte
// makes it application/octet-stream, '%PDF-' application/pdf, 'GIF89a' image/gif, '<html'
// text/html. This runtime wrote text/plain for all but HTML and XML. Found by the luagen
// differential (SEED=1 N=30, /p12: a message holding "\0"); types checked against KrakenD 2.13.8.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { luaPreGatewayWith } from './gateway-fixture.ts'

const messages: Array<[string, string]> = [
  ['"a\\0b"', 'application/octet-stream'],
  ['"a\\1b"', 'application/octet-stream'],
  ['"%PDF-1.4"', 'application/pdf'],
  ['"GIF89a.."', 'image/gif'],
  ['"<html>x"', 'text/html; charset=utf-8'],
  ['"{\\"a\\":1}"', 'text/plain; charset=utf-8'],
  ['"hello"', 'text/plain; charset=utf-8'],
]

describe('lua custom_error content type', () => {
  const gateway = luaPreGatewayWith(
    messages.map(([message], i) => [`/m${i}`, `custom_error(${message}, 403)`]),
  )

  test("the message's type is Go's sniff of it", async () => {
    for (const [i, [message, type]] of messages.entries()) {
      const res = await fetch(`${gateway.url}/m${i}`)
      assert.equal(res.status, 403, message)
      assert.equal(res.headers.get('content-type'), type, message)
      await res.arrayBuffer()
    }
  })
})
