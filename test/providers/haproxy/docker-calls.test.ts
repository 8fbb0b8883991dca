import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GwError } from '../../../src/core/errors.ts'
import { DOCKER_TIMEOUT_ENV, dockerTimeoutMs } from '../../../src/providers/haproxy/docker-calls.ts'

describe('GWDEPLOY_DOCKER_API_TIMEOUT', () => {
  it('defaults to 30 s and takes seconds', () => {
    assert.equal(dockerTimeoutMs({}), 30_000)
    assert.equal(dockerTimeoutMs({ [DOCKER_TIMEOUT_ENV]: ' 2.5 ' }), 2_500)
  })

  it('refuses what is not a number of seconds above 0 (exit 2, naming the variable)', () => {
    for (const value of ['5m', '0', '-1']) {
      assert.throws(
        () => dockerTimeoutMs({ [DOCKER_TIMEOUT_ENV]: value }),
        (error: unknown) =>
          error instanceof GwError &&
          error.exitCode === 2 &&
          error.message === `${DOCKER_TIMEOUT_ENV}="${value}" is not a number of seconds above 0`,
      )
    }
  })
})
