import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// krakend-lua 2.9.1 config.go Parse: with "live" it returns before the md5 checks; otherwise a
// checksum that is no string or does not match leaves the whole modifier out (the scripts do not
// run), and an "md5" that is not a map is not checked at all.

const dir = mkdtempSync(join(tmpdir(), 'lua-md5-'))
const guard = join(dir, 'guard.lua')
const text = 'function deny()\n  custom_error("blocked by lua", 403)\nend\n'
writeFileSync(guard, text)
const md5 = createHash('md5').update(text).digest('hex')
const stale = '0'.repeat(32)

const config = (lua: Record<string, unknown>, host = ['http://127.0.0.1:19']) => ({
  version: 3,
  name: 'lua-md5',
  endpoints: [
    {
      endpoint: '/a',
      extra_config: { 'modifier/lua-proxy': { sources: [guard], pre: 'deny()', ...lua } },
      backend: [{ host, url_pattern: '/echo' }],
    },
  ],
})
const at = `endpoints[0].extra_config.modifier/lua-proxy.md5`

describe('modifier/lua-* md5: a checksum that would leave the scripts out is refused', () => {
  after(() => rmSync(dir, { recursive: true, force: true }))

  test('a stale checksum, a checksum that is no string, and an md5 that is no map are errors at their path', () => {
    const problems = (lua: Record<string, unknown>) =>
      validateGatewayConfig(config(lua)).errors.map((e) => ({ path: e.location?.path, message: e.message }))
    const mismatch = problems({ md5: { [guard]: stale } })
    assert.equal(mismatch.length, 1, JSON.stringify(mismatch))
    assert.equal(mismatch[0]?.path, `${at}.${guard}`)
    assert.match(mismatch[0]?.message ?? '', new RegExp(`the file's is ${md5}.*scripts would not run`))
    const number = problems({ md5: { [guard]: 5 } })
    assert.equal(number[0]?.path, `${at}.${guard}`)
    assert.match(number[0]?.message ?? '', /must be a string, got 5/)
    for (const notMap of ['abc', [md5]]) {
      const errors = problems({ md5: notMap })
      assert.equal(errors.length, 1, JSON.stringify(notMap))
      assert.equal(errors[0]?.path, at)
      assert.match(errors[0]?.message ?? '', /"md5" must map each source file to its MD5/)
    }
    assert.deepEqual(problems({ md5: { [guard]: md5 } }), [])
    // null fails krakend-lua's type assertion as absent does: the setting left out, nothing to check.
    assert.deepEqual(problems({ md5: null }), [])
  })

  test('with "live" KrakenD checks no md5: a warning, and the config is accepted', () => {
    const result = validateGatewayConfig(config({ live: true, md5: { [guard]: stale } }))
    assert.deepEqual(result.errors, [])
    assert.ok(result.warnings.some((w) => w.location?.path === at && /checks no "md5"/.test(w.message)))
  })

  describe('with "live" and a stale md5 the scripts still run, as in KrakenD', () => {
    let backend: TestBackend
    let gateway: Running
    before(async () => {
      backend = await startBackend('api')
      gateway = await startGateway(
        mustConfig(config({ live: true, md5: { [guard]: stale } }, [backend.origin])),
      )
    })
    after(async () => {
      await gateway?.close()
      await backend?.close()
    })

    test('the Lua guard answers 403 and the backend is not called', async () => {
      const res = await send(gateway.url, { path: '/a' })
      assert.equal(res.status, 403)
      assert.equal(backend.seen.length, 0)
    })
  })
})
