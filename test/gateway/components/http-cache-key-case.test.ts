import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'

// krakend-httpcache re-encodes "qos/http-cache" with sorted keys and decodes it with encoding/json:
// of two spellings of an option the last in byte order wins, and an empty one of another type fails
// the decoding. KrakenD CE 2.13.8 (by hand, same backend, two GETs of a max-age=600 answer):
// {"max_size": 1, "MAX_SIZE": 100000, "max_items": 10} called the backend twice (max_size 1: the LRU
// keeps nothing), {"shared": true, "SHARED": false} shared the cache with another backend, and
// {"SHARED": "", "shared": true} did not (the unbounded fallback of that backend alone), all without
// a word in its log.

const configWith = (cache: Record<string, unknown>) => ({
  version: 3,
  endpoints: [
    {
      endpoint: '/a',
      backend: [
        { host: ['http://127.0.0.1:8080'], url_pattern: '/a', extra_config: { 'qos/http-cache': cache } },
      ],
    },
  ],
})
const at = 'endpoints[0].backend[0].extra_config.qos/http-cache'
const errors = (cache: Record<string, unknown>) =>
  validateGatewayConfig(configWith(cache)).errors.map((e) => `${e.location?.path}: ${e.message}`)

describe('qos/http-cache: two spellings of one option', () => {
  test('a dropped spelling that sets something else is refused, at that key', () => {
    assert.deepEqual(errors({ max_size: 1, MAX_SIZE: 100000, max_items: 10 }), [
      `${at}.MAX_SIZE: "MAX_SIZE" and "max_size" spell one setting of "qos/http-cache": KrakenD decodes it with Go's encoding/json, which reads only "max_size" (the last in byte order) and silently drops "MAX_SIZE"`,
    ])
    assert.deepEqual(
      errors({ shared: true, SHARED: false }).map((e) => e.slice(0, e.indexOf(':'))),
      [`${at}.SHARED`],
    )
    // ſ folds onto s and sorts after every ASCII letter: "max_ſize" is the one KrakenD keeps.
    assert.deepEqual(
      errors({ max_ſize: 100000, max_size: 1, max_items: 10 }).map((e) => e.slice(0, e.indexOf(':'))),
      [`${at}.max_size`],
    )
  })

  test('an empty dropped spelling of another type, which makes KrakenD ignore every option, is refused', () => {
    assert.deepEqual(errors({ SHARED: '', shared: true, max_size: 1000, max_items: 10 }), [
      `${at}.SHARED: "SHARED" spells "shared" and holds "", where the setting takes true or false: KrakenD decodes "qos/http-cache" with Go's encoding/json, which fails on it: KrakenD then ignores all of its options and caches this backend's answers in memory, unshared and with no limit`,
    ])
    assert.equal(errors({ Max_Items: [], max_items: 10, max_size: 1000 }).length, 1)
    // One that sets something KrakenD cannot decode fails it all the same: not "dropped".
    assert.deepEqual(errors({ MAX_SIZE: -1, max_size: 1000, max_items: 10 }), [
      `${at}.MAX_SIZE: "MAX_SIZE" spells "max_size" and holds -1, where the setting takes a whole number >= 0: KrakenD decodes "qos/http-cache" with Go's encoding/json, which fails on it: KrakenD then ignores all of its options and caches this backend's answers in memory, unshared and with no limit`,
    ])
    assert.equal(errors({ MAX_SIZE: {}, max_size: null, max_items: 10 }).length, 1)
    // Refused once: no second word about its type at the same key.
    const { warnings } = validateGatewayConfig(
      configWith({ SHARED: '', shared: true, max_size: 1000, max_items: 10 }),
    )
    assert.deepEqual(
      warnings.filter((w) => w.location?.path === `${at}.SHARED`),
      [],
    )
  })

  test('the same value twice, a null one, or two spellings of an unknown key run', () => {
    assert.deepEqual(errors({ SHARED: true, shared: true, max_size: 1000, max_items: 10 }), [])
    assert.deepEqual(errors({ Max_Size: null, max_size: 1000, max_items: 10 }), [])
    assert.deepEqual(errors({ Other: '', other: 5, max_size: 1000, max_items: 10 }), [])
  })

  test('where the official KrakenD image runs the config, nothing is refused and the options are read as KrakenD reads them', () => {
    const cacheOf = (cache: Record<string, unknown>) => {
      const result = validateGatewayConfig(configWith(cache), { runtime: 'krakend' })
      assert.deepEqual(result.errors, [])
      return result.config?.endpoints[0]?.backends[0]?.components?.httpCache
    }
    assert.deepEqual(cacheOf({ max_size: 1, MAX_SIZE: 100000, max_items: 10 }), {
      shared: false,
      maxSize: 1,
      maxItems: 10,
    })
    assert.deepEqual(cacheOf({ max_ſize: 100000, max_size: 1, max_items: 10 }), {
      shared: false,
      maxSize: 100000,
      maxItems: 10,
    })
    assert.deepEqual(cacheOf({ shared: true, SHARED: false }), { shared: true, maxSize: 0, maxItems: 0 })
    assert.deepEqual(cacheOf({ SHARED: '', shared: true, max_size: 1000, max_items: 10 }), {
      shared: false,
      maxSize: 0,
      maxItems: 0,
    })
  })
})
