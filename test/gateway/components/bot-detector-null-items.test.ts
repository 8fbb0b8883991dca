// A `null` item of a bot-detector list is "" to KrakenD (krakend-botdetector decodes the lists with
// encoding/json, which leaves Go's zero value): KrakenD CE 2.13.8 builds the detector, and the empty
// pattern matches every User-Agent. Run the same, with a warning (botgen-configs.ts SEEDS=1-30:
// four such detectors refused here before, none now).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

const endpoint = (origin: string, path: string, detector: Record<string, unknown>) => ({
  endpoint: path,
  extra_config: { 'security/bot-detector': detector },
  backend: [{ host: [origin], url_pattern: '/ok' }],
})

describe('null items of the bot detector lists, as KrakenD reads them', () => {
  const gateway = gatewayWith(
    (backend) => ({
      version: 3,
      endpoints: [
        endpoint(backend.origin, '/patterns', { patterns: [null] }),
        endpoint(backend.origin, '/lists', { allow: [null, 'good'], deny: ['bad', null] }),
      ],
    }),
    { backends: { api: { '/ok': { body: { ok: true } } } } },
  )

  test('a null pattern is the empty pattern: every User-Agent is a bot, none is not', async () => {
    for (const ua of ['curl/8.0', 'Mozilla/5.0', 'x'])
      assert.equal(
        (await send(gateway.url, { path: '/patterns', headers: { 'User-Agent': ua } })).status,
        403,
      )
    assert.equal((await send(gateway.url, { path: '/patterns', headers: { 'User-Agent': '' } })).status, 200)
  })

  test('a null allow or deny item matches nothing; the strings beside it work', async () => {
    const status = async (ua: string) =>
      (await send(gateway.url, { path: '/lists', headers: { 'User-Agent': ua } })).status
    assert.equal(await status('bad'), 403)
    assert.equal(await status('good'), 200)
    assert.equal(await status(''), 200)
  })

  test('each null item is a warning naming what KrakenD makes of it; other types stay refused', () => {
    const check = (detector: Record<string, unknown>) =>
      validateGatewayConfig({
        version: 3,
        endpoints: [endpoint('http://127.0.0.1:8080', '/a', detector)],
      })
    const nulls = check({ patterns: ['bot', null], deny: [null] })
    assert.deepEqual(nulls.errors, [])
    const paths = nulls.warnings.map((w) => w.location?.path ?? '')
    assert.ok(paths.includes('endpoints[0].extra_config.security/bot-detector.patterns[1]'), paths.join())
    assert.ok(paths.includes('endpoints[0].extra_config.security/bot-detector.deny[0]'), paths.join())
    assert.match(nulls.warnings.map((w) => w.message).join('\n'), /empty pattern matches every User-Agent/)
    assert.equal(check({ patterns: [null, 3] }).errors.length, 1)
    assert.equal(check({ allow: [null, {}] }).errors.length, 1)
  })
})
