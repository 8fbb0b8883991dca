import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { parseSourceDocument } from '../../src/core/document.ts'
import type { GwError } from '../../src/core/errors.ts'
import { loadGatewayConfig } from '../../src/gateway/config/load.ts'
import { type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

// KrakenD reads a YAML config with go.yaml.in/yaml/v3 (through koanf), whose resolver is not YAML
// 1.2's core schema. KrakenD 2.13.8 logged "Rate limit enabled. MaxRate: 15.000000, Capacity: 1000"
// for `max_rate: 017` / `capacity: 1_000`, and its static proxy answered the data below with
// {"a":15,"b":5,"c":1000,"d":"yes","e":".inf2","f":1000,"g":"017","h":31,"i":9,"j":10.5,"k":-3,
// "l":true,"m":null,"n":"on","o":"2001-12-14","p":15,"q":12,"r":1}. This runtime read 017 as 17
// and refused 1_000 / 0b101 as not numbers.

let dir: string
const write = (name: string, text: string): string => {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}
const refusal = (file: string): GwError => {
  try {
    loadGatewayConfig(file)
  } catch (error) {
    return error as GwError
  }
  assert.fail(`${file} was read`)
}

const config = (origin: string) => `version: 3
endpoints:
  - endpoint: /static
    extra_config:
      proxy:
        static:
          strategy: always
          data: {a: 017, b: 0b101, c: 1_000, d: yes, e: .inf2, f: 1e3, g: "017", h: 0x_1F, i: 09, j: 1_0.5, k: -0b11, l: True, m: Null, n: on, o: "2001-12-14", p: 0o17, q: +12, r: 1_}
    backend:
      - host: ["${origin}"]
        url_pattern: /ok
  - endpoint: /limited
    extra_config:
      qos/ratelimit/router:
        max_rate: 0o1
        capacity: 0b10
    backend:
      - host: ["${origin}"]
        url_pattern: /ok
`

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'yaml-scalars-'))
})
after(() => rmSync(dir, { recursive: true, force: true }))

describe('a gateway serving a YAML config', () => {
  let backend: TestBackend
  let gateway: Running
  before(async () => {
    backend = await startBackend('api', { '/ok': { body: { ok: true } } })
    gateway = await startGateway(loadGatewayConfig(write('gateway.yaml', config(backend.origin))).config)
  })
  after(async () => {
    await gateway?.close()
    await backend?.close()
  })

  test('static data answers what KrakenD answered', async () => {
    const answer = JSON.parse((await send(gateway.url, { path: '/static' })).text)
    assert.deepEqual(answer, {
      ok: true,
      ...{ a: 15, b: 5, c: 1000, d: 'yes', e: '.inf2', f: 1000, g: '017', h: 31, i: 9, j: 10.5 },
      ...{ k: -3, l: true, m: null, n: 'on', o: '2001-12-14', p: 15, q: 12, r: 1 },
    })
  })

  test('a rate limit written 0o1 / 0b10 lets two requests through, then refuses with 503', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push((await send(gateway.url, { path: '/limited' })).status)
    assert.deepEqual(statuses, [200, 200, 503])
  })
})

describe('YAML scalars as KrakenD (go-yaml v3) reads them', () => {
  test('a %YAML 1.1 directive changes nothing, as in go-yaml: yes stays text', () => {
    const file = write('directive.yaml', `%YAML 1.1\n---\nversion: 3\nname: yes\nendpoints: []\n`)
    const read = loadGatewayConfig(file).config
    assert.equal(read.name, 'yes')
  })

  test('what go-yaml reads as a time, a bigger integer than 2^53 or a float key is refused where it is written', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['date.yaml', 'version: 3\nname: 2001-12-14\nendpoints: []\n', /timestamp/],
      ['time.yaml', 'version: 3\nname: 2001-12-14  1:02:03\nendpoints: []\n', /timestamp/],
      ['big.yaml', 'version: 3\nname: 9007199254740993\nendpoints: []\n', /beyond 2\^53/],
      ['tag.yaml', 'version: 3\nname: !!bool yes\nendpoints: []\n', /cannot decode !!str `yes` as a !!bool/],
      ['key.yaml', 'version: 3\nextra_config:\n  1e3: x\nendpoints: []\n', /the key `1e3` is a float/],
    ]
    for (const [name, text, message] of cases) {
      const error = refusal(write(name, text))
      const problem = error.problems?.[0]
      assert.match(problem?.message ?? '', message, name)
      assert.equal(problem?.location?.line, name === 'key.yaml' ? 3 : 2, name)
      assert.ok(problem?.hint, name)
      // valid YAML: not reported as a syntax error
      assert.match(
        error.message,
        /values KrakenD's YAML reader \(go-yaml\) reads in a way gwdeploy cannot hold/,
        name,
      )
    }
  })

  test('a repeated << (quoted or not), a list key and a null key are refused as go-yaml refuses them', () => {
    const merges = 'x-a: &a {name: a}\nx-b: &b {port: 8080}\n'
    const cases: Array<[string, string, RegExp, number]> = [
      ['merges.yaml', `version: 3\n${merges}<<: *a\n<<: *b\nendpoints: []\n`, /"<<" already defined/, 5],
      ['quoted.yaml', `version: 3\n${merges}<<: *a\n'<<': *b\nendpoints: []\n`, /"<<" already defined/, 5],
      [
        'list.yaml',
        'version: 3\nextra_config:\n  ? [a, b]\n  : x\nendpoints: []\n',
        /a list or map as a key/,
        3,
      ],
      ['null.yaml', 'version: 3\nextra_config:\n  ~: x\nendpoints: []\n', /the key `~` is a null/, 3],
    ]
    for (const [name, text, message, line] of cases) {
      const problem = refusal(write(name, text)).problems?.[0]
      assert.match(problem?.message ?? '', message, name)
      assert.equal(problem?.location?.line, line, name)
    }
  })

  test('gwdeploy.yml keeps YAML 1.2: 017 is 17 there', () => {
    assert.deepEqual(parseSourceDocument('v: 017\n', 'gwdeploy.yml').value, { v: 17 })
  })
})
