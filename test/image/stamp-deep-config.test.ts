import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkGatewayConfigText } from '../../src/gateway/config/load.ts'
import { configDigest, stampGatewayConfig } from '../../src/image/stamp.ts'

const SHA = '0123456789abcdef0123456789abcdef01234567'

/** A config whose company metadata nests `depth` lists deep (KrakenD reads up to 10,000 levels). */
function deepConfig(depth: number): string {
  const inner = depth - 2
  return `{"version":3,"name":"deep","extra_config":{"@meta":${'['.repeat(inner)}${']'.repeat(inner)}}}`
}

test('a config nested 10,000 levels is stamped and digested, and the gateway reads the shipped text', async () => {
  const text = deepConfig(10_000)
  const stamped = await stampGatewayConfig({ file: 'gateway.json', text, service: 'deep', sha: SHA })
  assert.equal(stamped.json, `${text.replace('"name":"deep"', '"name":"deep rev-0123456"')}\n`)
  assert.equal(stamped.digest, configDigest(stamped.config))
  const shipped = checkGatewayConfigText(stamped.json, 'gateway.json')
  assert.deepEqual(shipped.errors, [])
})

test('the shipped text is indented unless indenting would pass the size the gateway reads', async () => {
  const shallow = await stampGatewayConfig({
    file: 'gateway.json',
    text: deepConfig(20),
    service: 's',
    sha: SHA,
  })
  assert.match(shallow.json, /^\{\n {2}"version": 3,\n/)
  // 3,000 levels: about 18 MB indented, 6 KB without whitespace; the gateway reads at most 16 MiB.
  const deep = await stampGatewayConfig({
    file: 'gateway.json',
    text: deepConfig(3_000),
    service: 's',
    sha: SHA,
  })
  assert.ok(deep.json.length < 7_000, `${deep.json.length} characters`)
  assert.deepEqual(checkGatewayConfigText(deep.json, 'gateway.json').errors, [])
})
