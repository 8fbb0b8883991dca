import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway } from '../helpers.ts'
import { hs256Issuer } from './hs256-issuer.ts'
import { validateValidator } from './jwt-served.ts'

// krakend-jose decodes the validator's settings into a Go struct: leeway and failed_jwk_key_cooldown
// are strings there, cache_duration a uint32. A number in the string fields or a fraction in
// cache_duration fails that decode and KrakenD answers 401 to every request, so these are config
// errors; every duration time.ParseDuration reads is one ("-5s" counts as the 1s minimum). A
// string that is no duration is krakend-jose's fallback (leeway 1s, no cooldown): a warning.
const validate = validateValidator
const check = (extra: Record<string, unknown>) =>
  validate(extra).errors.map((e) => `${e.location?.path}: ${e.message}`)

describe('auth/validator settings of a type KrakenD cannot decode', () => {
  test('a number as leeway or failed_jwk_key_cooldown is refused at its path', () => {
    assert.match(
      check({ leeway: 5 }).join('\n'),
      /auth\/validator\.leeway: "leeway" must be a duration string/,
    )
    assert.match(
      check({ failed_jwk_key_cooldown: 5 }).join('\n'),
      /failed_jwk_key_cooldown: "failed_jwk_key_cooldown" must be a duration string.*401 to every request/,
    )
  })

  test('cache_duration must be a whole uint32', () => {
    assert.match(check({ cache: true, cache_duration: 1.5 }).join('\n'), /cache_duration: .*whole number/)
    assert.match(check({ cache: true, cache_duration: 2 ** 32 }).join('\n'), /cache_duration/)
    assert.deepEqual(check({ cache: true, cache_duration: 2 ** 32 - 1 }), [])
  })

  test('every Go duration is a leeway: negative, signed, fractional; null is no setting', () => {
    for (const leeway of ['-5s', '+2h', '1.5h', '1h30m', '0', null])
      assert.deepEqual(check({ leeway }), [], String(leeway))
    assert.deepEqual(check({ failed_jwk_key_cooldown: '-1s' }), [])
  })

  test('a leeway or cooldown string that is no duration is a warning: KrakenD starts with its fallback', () => {
    for (const leeway of ['x', '', '5', '1 s']) {
      const result = validate({ leeway })
      assert.deepEqual(result.errors, [], leeway)
      assert.match(
        result.warnings.map((w) => `${w.location?.path}: ${w.message}`).join('\n'),
        /auth\/validator\.leeway: "leeway" is not a duration: .*KrakenD uses a leeway of 1s/,
      )
    }
    const cooldown = validate({ failed_jwk_key_cooldown: '5' })
    assert.deepEqual(cooldown.errors, [])
    assert.match(cooldown.warnings.map((w) => w.message).join('\n'), /KrakenD keeps no cooldown/)
  })

  test('a validator with leeway "x" runs with 1s: a token valid from 30s on is refused, one valid now passes', async () => {
    const issuer = await hs256Issuer()
    const backend = await startBackend('api')
    let gateway: Running | undefined
    try {
      gateway = await startGateway(
        mustConfig({
          version: 3,
          endpoints: [
            {
              endpoint: '/a',
              extra_config: { 'auth/validator': issuer.validator({ leeway: 'x' }) },
              backend: [{ host: [backend.origin], url_pattern: '/echo' }],
            },
          ],
        }),
      )
      const now = Math.floor(Date.now() / 1000)
      const call = async (nbf: number) =>
        (
          await send((gateway as Running).url, {
            path: '/a',
            headers: { authorization: `Bearer ${await issuer.token({ nbf })}` },
          })
        ).status
      assert.equal(await call(now - 5), 200)
      assert.equal(await call(now + 30), 401)
    } finally {
      await gateway?.close()
      await backend.close()
      await issuer.remove()
    }
  })
})
