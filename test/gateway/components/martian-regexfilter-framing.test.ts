// header.RegexFilter on Content-Length or Transfer-Encoding: Go's martian reads the header map lura
// built (with `input_headers: ["*"]` the client's Content-Length is in it), where this runtime keeps
// the framing apart, so the filter would decide otherwise (found by the martian differential fuzz:
// KrakenD applied the filter's modifier, this runtime did not). Refused, as header.Filter on them is.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'

const errorsFor = (header: string): string[] =>
  validateGatewayConfig({
    version: 3,
    endpoints: [
      {
        endpoint: '/a',
        method: 'POST',
        input_headers: ['*'],
        backend: [
          {
            host: ['http://127.0.0.1:19'],
            url_pattern: '/a',
            extra_config: {
              'modifier/martian': {
                'header.RegexFilter': {
                  scope: ['request'],
                  header,
                  regex: '.*',
                  modifier: { 'header.Modifier': { scope: ['request'], name: 'X-Seen', value: '1' } },
                },
              },
            },
          },
        ],
      },
    ],
  }).errors.map((e) => `${e.location?.path}: ${e.message}`)

describe('martian header.RegexFilter on the framing headers', () => {
  test('Content-Length and Transfer-Encoding are refused with the filter path; Host and others are taken', () => {
    for (const header of ['Content-Length', 'transfer-encoding']) {
      const errors = errorsFor(header)
      assert.equal(errors.length, 1, errors.join('\n'))
      assert.match(
        errors[0] as string,
        /^endpoints\[0\]\.backend\[0\]\.extra_config\.modifier\/martian\.header\.RegexFilter\.header: header\.RegexFilter cannot read /,
      )
    }
    assert.deepEqual(errorsFor('Host'), [])
    assert.deepEqual(errorsFor('X-Any'), [])
  })
})
