import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'

// Of two spellings of one setting in a namespace KrakenD decodes with encoding/json, the one that
// loses (the first in byte order) is decoded too. KrakenD CE 2.13.8, checked by hand on
// security/bot-detector: {"Deny": "BadBot", "deny": ["Other"]} fails the decoding ("json: cannot
// unmarshal string into Go struct field Config.deny", the endpoint runs without a detector: "Other"
// passes); {"Empty_user_agent_is_bot": true, "empty_user_agent_is_bot": null} refuses an empty
// User-Agent (null leaves a bool as it was); {"Deny": ["BadBot"], "deny": null} lets BadBot through
// (null empties a list). Each is refused here, saying that, not that the first one is dropped.

const check = (extra: Record<string, unknown>, backendExtra?: Record<string, unknown>) =>
  validateGatewayConfig({
    version: 3,
    endpoints: [
      {
        endpoint: '/a',
        extra_config: extra,
        backend: [
          {
            host: ['http://127.0.0.1:8080'],
            url_pattern: '/',
            ...(backendExtra ? { extra_config: backendExtra } : {}),
          },
        ],
      },
    ],
  }).errors.map((e) => `${e.location?.path}: ${e.message}`)
const at = 'endpoints[0].extra_config'
const validator = { alg: 'HS256', jwk_local_path: '/k.json', disable_jwk_security: true }

describe('a losing spelling refused with what KrakenD makes of it', () => {
  test('one of another type than the setting fails the whole decoding, empty or not', () => {
    assert.deepEqual(check({ 'security/bot-detector': { Deny: 'BadBot', deny: ['Other'] } }), [
      `${at}.security/bot-detector.Deny: "Deny" spells "deny" and holds "BadBot", where the setting takes a list: KrakenD decodes "security/bot-detector" with Go's encoding/json, which fails on it: KrakenD then runs the endpoint without a bot detector`,
    ])
    assert.deepEqual(check({ 'auth/validator': { ...validator, Roles: 'admin', roles: ['admin'] } }), [
      `${at}.auth/validator.Roles: "Roles" spells "roles" and holds "admin", where the setting takes a list: KrakenD decodes "auth/validator" with Go's encoding/json, which fails on it: KrakenD then answers 401 to every request`,
    ])
    assert.deepEqual(
      check({ 'security/bot-detector': { Cache_size: 'x', cache_size: 10, deny: ['BadBot'] } }),
      [
        `${at}.security/bot-detector.Cache_size: "Cache_size" spells "cache_size" and holds "x", where the setting takes a number: KrakenD decodes "security/bot-detector" with Go's encoding/json, which fails on it: KrakenD then runs the endpoint without a bot detector`,
      ],
    )
    assert.deepEqual(check({ 'validation/cel': [{ CHECK_EXPR: 1, check_expr: "req_method == 'POST'" }] }), [
      `${at}.validation/cel[0].CHECK_EXPR: "CHECK_EXPR" spells "check_expr" and holds 1, not a string: krakend-cel cannot decode the definitions then, and KrakenD silently skips every expression of this "validation/cel"`,
    ])
  })

  test('beside a kept null, a string, number or bool is read, and a list is emptied', () => {
    assert.deepEqual(
      check({ 'security/bot-detector': { Empty_user_agent_is_bot: true, empty_user_agent_is_bot: null } }),
      [
        `${at}.security/bot-detector.Empty_user_agent_is_bot: "Empty_user_agent_is_bot" and "empty_user_agent_is_bot" spell one setting of "security/bot-detector": KrakenD decodes both with Go's encoding/json, in byte order, and the null of "empty_user_agent_is_bot" (the last) leaves the setting as "Empty_user_agent_is_bot" set it: KrakenD reads true`,
      ],
    )
    assert.deepEqual(check({ 'security/bot-detector': { Deny: ['BadBot'], deny: null } }), [
      `${at}.security/bot-detector.Deny: "Deny" and "deny" spell one setting of "security/bot-detector": KrakenD decodes both with Go's encoding/json, in byte order, and the null of "deny" (the last) empties what "Deny" set: KrakenD silently drops ["BadBot"]`,
    ])
    assert.deepEqual(check({ 'auth/validator': { ...validator, Issuer: 'https://idp', issuer: null } }), [
      `${at}.auth/validator.Issuer: "Issuer" and "issuer" spell one setting of "auth/validator": KrakenD decodes both with Go's encoding/json, in byte order, and the null of "issuer" (the last) leaves the setting as "Issuer" set it: KrakenD reads "https://idp"`,
    ])
    assert.deepEqual(check({}, { 'qos/http-cache': { SHARED: true, shared: null } }), [
      'endpoints[0].backend[0].extra_config.qos/http-cache.SHARED: "SHARED" and "shared" spell one setting of "qos/http-cache": KrakenD decodes both with Go\'s encoding/json, in byte order, and the null of "shared" (the last) leaves the setting as "SHARED" set it: KrakenD reads true',
    ])
  })

  test('beside a kept value of the same type, the losing one is dropped', () => {
    assert.deepEqual(check({ 'security/bot-detector': { Deny: ['BadBot'], deny: ['Other'] } }), [
      `${at}.security/bot-detector.Deny: "Deny" and "deny" spell one setting of "security/bot-detector": KrakenD decodes it with Go's encoding/json, which reads only "deny" (the last in byte order) and silently drops "Deny"`,
    ])
  })
})
