/**
 * The haproxy state directory (lock file, fleet record) not writable by gwdeploy's user is a
 * provider error naming the directory and provider.haproxy.stateDir (exit 6), not "a bug" (exit 1).
 * Tests run as root, which no file mode stops, so the permission error is injected.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GwError } from '../../../src/core/errors.ts'
import { stateDirAccess } from '../../../src/providers/haproxy/state.ts'

const denied = (code: string) =>
  Object.assign(new Error(`${code}: permission denied, open '/var/lib/gwdeploy/gwdeploy-api.lock.12.tmp'`), {
    code,
  })

describe('haproxy state directory access', () => {
  for (const code of ['EACCES', 'EPERM']) {
    it(`${code} is exit 6 naming the directory and the key`, async () => {
      await assert.rejects(
        stateDirAccess('/var/lib/gwdeploy/gwdeploy-api.lock', async () => {
          throw denied(code)
        }),
        (error: unknown) => {
          assert.ok(error instanceof GwError)
          assert.equal(error.exitCode, 6)
          assert.match(
            error.message,
            /gwdeploy may not write \/var\/lib\/gwdeploy \(provider\.haproxy\.stateDir\)/,
          )
          assert.match(error.hint ?? '', /run gwdeploy as a user that may write it/)
          return true
        },
      )
    })
  }

  it('other failures pass through unchanged', async () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
    await assert.rejects(
      stateDirAccess('/var/lib/gwdeploy/gwdeploy-api.json', async () => {
        throw full
      }),
      (error: unknown) => error === full,
    )
    assert.equal(await stateDirAccess('/x/y', async () => 42), 42)
  })
})
