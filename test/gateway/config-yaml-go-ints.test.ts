import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { parseSourceDocument } from '../../src/core/document.ts'
import type { GwError } from '../../src/core/errors.ts'
import { isGoYamlInt } from '../../src/core/go-yaml-ints.ts'
import { GATEWAY_YAML } from '../../src/core/source-text.ts'
import { loadGatewayConfig } from '../../src/gateway/config/load.ts'
import { type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

// KrakenD reads a YAML `200` as a Go int and a JSON 200 as a float64; krakend-cors asserts float64
// for `options_success_status`. KrakenD 2.13.8 answered a preflight 204 with
// `options_success_status: 200` in krakend.yaml and 200 with the same setting in krakend.json (and
// with `200.0` in YAML). Its other readers of numbers (krakend-ratelimit, -circuitbreaker,
// -httpsecure: int or float64; the encoding/json and mapstructure ones) read both alike.

let dir: string
const write = (name: string, text: string): string => {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

const config = (status: string) => `version: 3
extra_config:
  security/cors:
    allow_origins: ["http://a.example"]
    options_success_status: ${status}
endpoints:
  - endpoint: /ok
    backend:
      - host: ["http://backend:8080"]
        url_pattern: /ok
`

const preflight = {
  path: '/ok',
  method: 'OPTIONS',
  headers: { origin: 'http://a.example', 'access-control-request-method': 'GET' },
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'yaml-go-ints-'))
})
after(() => rmSync(dir, { recursive: true, force: true }))

describe('security/cors options_success_status written in YAML', () => {
  let backend: TestBackend
  const gateways: Running[] = []
  before(async () => {
    backend = await startBackend('api', {})
  })
  after(async () => {
    for (const gateway of gateways) await gateway.close()
    await backend?.close()
  })
  const serve = async (file: string) => {
    const { config, warnings } = loadGatewayConfig(file)
    const gateway = await startGateway(config)
    gateways.push(gateway)
    return { gateway, warnings }
  }

  test('an integer is skipped as KrakenD skips it: 204, with a warning saying to write 200.0', async () => {
    const { gateway, warnings } = await serve(write('int.yaml', config('200')))
    assert.equal((await send(gateway.url, preflight)).status, 204)
    const warning = warnings.find((w) => w.location?.path?.includes('options_success_status'))
    assert.ok(warning, JSON.stringify(warnings))
    assert.match(warning.message, /integer in YAML, which krakend-cors skips/)
    assert.equal(warning.hint, 'write 200.0 for 200')
    assert.equal(warning.location?.line, 5)
  })

  test('an integer KrakenD would refuse as a status is skipped too, not refused', async () => {
    const { gateway } = await serve(write('bad-int.yaml', config('0x10')))
    assert.equal((await send(gateway.url, preflight)).status, 204)
  })

  test('a YAML float and a JSON number are read: 200', async () => {
    const float = await serve(write('float.yaml', config('200.0')))
    assert.equal((await send(float.gateway.url, preflight)).status, 200)
    assert.deepEqual(
      float.warnings.filter((w) => w.location?.path?.includes('options_success_status')),
      [],
    )
    const json = JSON.stringify({
      version: 3,
      extra_config: { 'security/cors': { allow_origins: ['http://a.example'], options_success_status: 200 } },
      endpoints: [{ endpoint: '/ok', backend: [{ host: ['http://backend:8080'], url_pattern: '/ok' }] }],
    })
    const fromJson = await serve(write('cfg.json', json))
    assert.equal((await send(fromJson.gateway.url, preflight)).status, 200)
  })
})

test('YAML ints are noted where go-yaml puts them: through anchors, aliases and merges, not floats or quoted', () => {
  const text = `x-base: &base {a: 1, b: 1.0, c: "1", d: !!float 2, e: 0x10}
n: &n 7
m: {<<: *base, f: *n, g: [3, 3.5]}
`
  const { value } = parseSourceDocument(text, 'krakend.yaml', undefined, GATEWAY_YAML)
  const m = (value as Record<string, Record<string, unknown>>).m as Record<string, unknown>
  assert.deepEqual(m, { a: 1, b: 1, c: '1', d: 2, e: 16, f: 7, g: [3, 3.5] })
  for (const key of ['a', 'e', 'f']) assert.ok(isGoYamlInt(m, key), key)
  for (const key of ['b', 'c', 'd', 'g']) assert.ok(!isGoYamlInt(m, key), key)
  assert.ok(isGoYamlInt(m.g as unknown[], 0))
  assert.ok(!isGoYamlInt(m.g as unknown[], 1))
  // gwdeploy.yml is YAML 1.2, not go-yaml: nothing noted.
  const own = parseSourceDocument('m: {a: 1}\n', 'gwdeploy.yml').value as Record<string, object>
  assert.ok(!isGoYamlInt(own.m as object, 'a'))
})

// KrakenD 2.13.8 logged "Capacity: 1" for a YAML `capacity: 9300000000000000000` beside `max_rate: 1`
// (a uint64, which krakend-ratelimit skips: the capacity defaults to max_rate) and "Capacity:
// 9300000000000000000" for the same JSON; after one burst the YAML one answered 503, the JSON one 200.
test('a YAML integer past int64 (a Go uint64) is refused saying what KrakenD does with it; written as a float it is read', () => {
  const limited = (capacity: string) => `version: 3
endpoints:
  - endpoint: /rl
    extra_config:
      qos/ratelimit/router: {max_rate: 1, capacity: ${capacity}}
    backend:
      - host: ["http://backend:8080"]
        url_pattern: /ok
`
  let refused: GwError | undefined
  try {
    loadGatewayConfig(write('uint64.yaml', limited('9300000000000000000')))
  } catch (error) {
    refused = error as GwError
  }
  const problem = refused?.problems?.[0]
  assert.match(
    problem?.message ?? '',
    /a uint64, which krakend-ratelimit, -circuitbreaker, -httpsecure and -cors skip/,
  )
  assert.match(problem?.hint ?? '', /^Write 9300000000000000000\.0 \(a float/)
  assert.deepEqual([problem?.location?.line, problem?.location?.column], [5, 53])
  const { config } = loadGatewayConfig(write('float.yaml', limited('9300000000000000000.0')))
  assert.ok(config)
})

// schemagen SEED=1/3/6 --yaml (a json-schema `maximum: 9007199254740992`) ran on KrakenD 2.13.8 and
// was refused here: 2^53 is a float64 exactly, so KrakenD re-encodes the int and the JSON number alike.
test('a YAML integer beyond 2^53 that a float64 holds exactly is read; one it does not is refused', () => {
  const value = (text: string) =>
    (parseSourceDocument(`n: ${text}\n`, 'krakend.yaml', undefined, GATEWAY_YAML).value as { n: unknown }).n
  assert.equal(value('9007199254740992'), 2 ** 53)
  assert.equal(value('1152921504606846976'), 2 ** 60)
  assert.equal(value('-9223372036854775808'), -(2 ** 63))
  for (const text of ['9007199254740993', '9223372036854775807', '9223372036854775808'])
    assert.throws(
      () => value(text),
      (e: GwError) => /beyond 2\^53/.test(e.problems?.[0]?.message ?? ''),
      text,
    )
})
