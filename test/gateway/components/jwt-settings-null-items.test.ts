// A null item in auth/validator's roles, scopes or audience: krakend-jose decodes them into Go
// []string, where encoding/json reads null as "". Checked on KrakenD CE 2.13.8 with "roles":
// ["admin", null]: tokens with "roles": "", "user  x" or ["user", ""] get 200, "user" 403; with
// "audience": [null] only a token whose aud holds "" passes. A required role or scope "" lets
// role-less tokens through, so it is refused with what KrakenD would do; an audience "" only
// narrows what passes, so it runs as in KrakenD, with a warning.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { servedValidator, validateValidator as validate } from './jwt-served.ts'

const said = (list: Array<{ location?: { path?: string }; message: string; hint?: string }>) =>
  list.map((e) => `${e.location?.path}: ${e.message} (${e.hint})`).join('\n')

describe('auth/validator null items in roles, scopes and audience', () => {
  test('a null role or scope is refused at its index, saying what KrakenD would let through', () => {
    const roles = validate({ roles: ['admin', null] })
    assert.match(said(roles.errors), /roles\[1\]: "roles" holds null, which KrakenD reads as "": every token/)
    assert.match(said(roles.errors), /write "" if such tokens may pass/)
    const scopes = validate({ scopes: [null, 'write'], scopes_key: 'scope' })
    assert.match(said(scopes.errors), /scopes\[0\]: "scopes" holds null/)
    assert.deepEqual(said(validate({ roles: ['admin', ''] }).errors), '', 'an explicit "" runs')
  })

  test('a null audience runs as "", as in KrakenD, with a warning', () => {
    const result = validate({ audience: [null] })
    assert.deepEqual(result.errors, [])
    assert.match(said(result.warnings), /audience\[0\]: "audience" holds null, which KrakenD reads as ""/)
  })

  describe('served', () => {
    const { status } = servedValidator({ audience: ['api', null] })

    test('only a token whose aud holds "" too passes', async () => {
      assert.equal(await status({ aud: ['api', ''] }), 200)
      assert.equal(await status({ aud: 'api' }), 401)
    })
  })
})
