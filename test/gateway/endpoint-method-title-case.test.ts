// lura title-cases an endpoint's method with Go's strings.ToTitle (simple one-rune mappings), not
// JavaScript's toUpperCase: "poﬆ" is "POﬆ", an unsupported method KrakenD 2.13.8 logs and skips
// ("[ENDPOINT: /a ] Unsupported method POﬆ"), where this runtime read "POST" and refused the
// backend's "poﬆ". "poſt" is POST in Go too (ſ's capital is S), and KrakenD serves it.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { goToTitle, goToUpper } from '../../src/gateway/go-unicode-case.ts'
import { mustConfig, type Running, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running

const METHODS: Array<[path: string, method: string]> = [
  ['/ligature', 'poﬆ'],
  ['/long-s-ligature', 'pﬅ'],
  ['/sharp-s', 'puß'],
  ['/digraph', 'ǆelete'],
  ['/ypogegrammeni', 'gᾳt'],
  ['/long-s', 'poſt'],
]
const configFor = (origin: string) => ({
  version: 3,
  endpoints: METHODS.map(([endpoint, method]) => ({
    endpoint,
    method,
    backend: [{ host: [origin], url_pattern: '/b' }],
  })),
})

before(async () => {
  backend = await startRawBackend()
  gw = await startGateway(mustConfig(configFor(backend.origin)))
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

test('strings.ToTitle and strings.ToUpper as Go 1.25 maps them', () => {
  assert.equal(goToTitle('poﬆ'), 'POﬆ')
  assert.equal(goToTitle('puß'), 'PUß')
  assert.equal(goToTitle('ǆelete'), 'ǅELETE')
  assert.equal(goToUpper('ǆelete'), 'ǄELETE')
  assert.equal(goToTitle('gᾳt'), 'GᾼT')
  assert.equal(goToTitle('poſt'), 'POST')
  assert.equal(goToTitle('ა'), 'ა')
  assert.equal(goToUpper('ა'), 'Ა')
  // a capital Unicode 16 added: Go 1.25 knows none
  assert.equal(goToUpper('ƛ'), 'ƛ')
})

test('only the methods Go title-cases to one KrakenD serves are served', async () => {
  const { warnings } = validateGatewayConfig(configFor('http://127.0.0.1:9'))
  const unsupported = warnings.map((w) => /Unsupported method ([^"]*)"/.exec(w.message)?.[1]).filter(Boolean)
  assert.deepEqual(unsupported, ['POﬆ', 'Pﬅ', 'PUß', 'ǅELETE', 'GᾼT'])
  for (const [path] of METHODS.slice(0, -1)) {
    const res = await fetch(`${gw.url}${path}`, { method: 'POST' })
    assert.equal(res.status, 404, path)
  }
  const res = await fetch(`${gw.url}/long-s`, { method: 'POST' })
  assert.equal(res.status, 200)
  assert.equal(backend.requests.length, 1)
  assert.match(backend.head(), /^POST \/b HTTP\/1\.1/)
})
