// Numbers of the config's static data are Go float64s in KrakenD, a backend's are json.Number
// texts: the YAML (goccy/go-yaml) and XML (mxj) encoders write them differently. Expected bodies
// as KrakenD CE 2.13.8 answered the same config (scripts/krakend-diff suite `yaml`).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('numbers', { '/obj': { body: { a: 'x', n: 42, f: 1.5 } } })
  const endpoint = (path: string, encoding: string) => ({
    endpoint: path,
    output_encoding: encoding,
    extra_config: {
      proxy: {
        static: {
          strategy: 'always',
          data: { cfg: 5, cfgf: 1.5, big: 1000000, tiny: 0.000001, nested: { l: [1, 2.5] }, s: 'yes' },
        },
      },
    },
    backend: [{ host: [backend.origin], url_pattern: '/obj' }],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [endpoint('/yaml', 'yaml'), endpoint('/xml', 'xml'), endpoint('/json', 'json')],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

describe("the config's numbers against a backend's", () => {
  test('YAML: float64s as goccy writes them (5.0, 1e+06), json.Number texts quoted', async () => {
    const res = await send(gw.url, { path: '/yaml' })
    assert.equal(
      res.text,
      [
        'a: x',
        'big: 1e+06',
        'cfg: 5.0',
        'cfgf: 1.5',
        'f: "1.5"',
        '"n": "42"',
        'nested:',
        '  l:',
        '  - 1.0',
        '  - 2.5',
        's: "yes"',
        'tiny: 1e-06',
        '',
      ].join('\n'),
    )
  })

  test("XML: float64s as fmt's %v (1e+06), json.Number texts as written", async () => {
    const res = await send(gw.url, { path: '/xml' })
    assert.equal(
      res.text,
      '<doc><a>x</a><big>1e+06</big><cfg>5</cfg><cfgf>1.5</cfgf><f>1.5</f><n>42</n><nested><l>1</l><l>2.5</l></nested><s>yes</s><tiny>1e-06</tiny></doc>',
    )
  })

  test('JSON: both as encoding/json writes them', async () => {
    const res = await send(gw.url, { path: '/json' })
    assert.deepEqual(JSON.parse(res.text), {
      a: 'x',
      n: 42,
      f: 1.5,
      cfg: 5,
      cfgf: 1.5,
      big: 1000000,
      tiny: 0.000001,
      nested: { l: [1, 2.5] },
      s: 'yes',
    })
    assert.match(res.text, /"big":1000000/)
  })
})
