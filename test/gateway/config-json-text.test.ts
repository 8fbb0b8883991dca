import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { checkGatewayConfigText, loadGatewayConfig } from '../../src/gateway/config/load.ts'

// What KrakenD's reading of a JSON file does that JSON.parse says nothing about. A key written twice
// in one object: Go's encoding/json keeps the last copy and drops the earlier one without a word,
// so an endpoint whose "extra_config" (or "security/bot-detector") is repeated with an empty last
// copy runs with no bot detector on KrakenD 2.13.8 (a "BadBot/1.0" request answered 200, checked
// with scripts/krakend-diff/configgen-start.ts). A file nested deeper than 10000 levels: Go's
// decoder refuses it ("exceeded max depth"), and KrakenD with it.

const endpoint = (extra: string) =>
  `{"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:8080"], "url_pattern": "/"}], ${extra}}`
const config = (endpointText: string, top = '') =>
  `{\n "version": 3,\n "name": "n",${top}\n "endpoints": [\n  ${endpointText}\n ]\n}\n`
const problems = (text: string) => {
  const result = checkGatewayConfigText(text, 'gateway.json')
  return {
    ok: result.config !== undefined,
    errors: result.errors.map(
      (e) => `${e.location?.line}:${e.location?.column} ${e.location?.path} ${e.message}`,
    ),
    warnings: result.warnings.map((e) => `${e.location?.path} ${e.message}`),
  }
}
const BOT = '"security/bot-detector": {"deny": ["BadBot/1.0"]}'

describe('a key written twice in one JSON object', () => {
  test('an extra_config whose guard the later copy drops is refused, at the repeated key', () => {
    const found = problems(config(endpoint(`"extra_config": {${BOT}}, "extra_config": {"x/y": {}}`)))
    assert.equal(found.ok, false)
    assert.equal(found.errors.length, 1)
    assert.match(
      found.errors[0] as string,
      /^5:\d+ endpoints\[0\]\.extra_config "extra_config" is written twice in this object: KrakenD reads only the last copy and silently drops the earlier one/,
    )
  })

  test('a namespace written twice with different settings is refused', () => {
    const found = problems(
      config(endpoint(`"extra_config": {${BOT}, "security/bot-detector": {"deny": ["Other"]}}`)),
    )
    assert.equal(found.ok, false)
    assert.match(
      found.errors[0] as string,
      /endpoints\[0\]\.extra_config\.security\/bot-detector "security\/bot-detector" is written twice/,
    )
  })

  test('a backend filter and the headers passed on, written twice, are refused', () => {
    const text = config(
      `{"endpoint": "/a", "input_headers": ["X-A"], "input_headers": ["*"], "backend": [{"host": ["http://127.0.0.1:8080"], "url_pattern": "/", "deny": ["secret"], "deny": ["other"]}]}`,
    )
    const found = problems(text)
    assert.equal(found.ok, false)
    assert.deepEqual(
      found.errors.map((e) => e.split(' ')[1]),
      ['endpoints[0].input_headers', 'endpoints[0].backend[0].deny'],
    )
  })

  test('a repeated copy that changes nothing, or drops an empty one, is a warning; comments repeat freely', () => {
    const found = problems(
      config(
        endpoint(
          `"extra_config": {"security/bot-detector": {}, ${BOT}, ${BOT}}, "timeout": "1s", "timeout": "2s"`,
        ),
        '\n "@comment": "a", "@comment": "b",',
      ),
    )
    assert.equal(found.ok, true)
    assert.deepEqual(found.errors, [])
    assert.deepEqual(found.warnings, [
      'endpoints[0].extra_config.security/bot-detector "security/bot-detector" is written twice in this object: KrakenD reads only the last copy',
      'endpoints[0].extra_config.security/bot-detector "security/bot-detector" is written twice in this object, with the same value',
      'endpoints[0].timeout "timeout" is written twice in this object: KrakenD reads only the last copy',
    ])
  })

  test('the gateway does not start with such a file (exit-2 config error)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'json-text-'))
    const file = join(dir, 'gateway.json')
    writeFileSync(file, config(endpoint(`"extra_config": {${BOT}}, "extra_config": {}`)))
    assert.throws(
      () => loadGatewayConfig(file),
      (error: Error & { exitCode?: number }) => {
        assert.match(error.message, /invalid gateway configuration \(1 problem\)/)
        return true
      },
    )
  })
})

describe('nesting as deep as Go reads', () => {
  const nested = (depth: number) =>
    config(endpoint('"@deep": 1'), `\n "@c": ${'['.repeat(depth)}${']'.repeat(depth)},`)

  test('10000 levels (the top object and 9999 arrays) are read, without running out of stack', () => {
    const found = problems(nested(9999))
    assert.deepEqual(found.errors, [])
    assert.equal(found.ok, true)
  })

  test('one more level is refused where it starts, as KrakenD refuses the file', () => {
    const found = problems(nested(10000))
    assert.equal(found.ok, false)
    assert.deepEqual(found.errors, [
      `4:${8 + 9999} undefined the JSON nests deeper than 10000 levels here: KrakenD's decoder (Go's encoding/json) refuses the whole file ("exceeded max depth")`,
    ])
  })
})
