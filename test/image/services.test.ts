import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  requireAuthRegistry,
  requireBaseImage,
  requireDocker,
  requireHaproxy,
  requireKubectl,
  requireMoto,
  requireRegistry,
  requireSocat,
} from '../helpers/services.ts'

// CI smoke test: every service and tool the suite relies on is up (a missing one fails here).
test('test services are up', async () => {
  const docker = await requireDocker()
  assert.match(docker.apiVersion, /^1\.\d+$/)
  assert.match(await requireBaseImage(), /.+:.+/)
  assert.match((await requireRegistry()).host, /^127\.0\.0\.1:\d+$/)
  const auth = await requireAuthRegistry()
  assert.ok(auth.user.length > 0 && auth.password.length > 0)
  assert.match((await requireMoto()).endpoint, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.match((await requireHaproxy()).version, /HAProxy version 2\./)
  assert.match((await requireKubectl()).version, /Client Version/)
  assert.match((await requireSocat()).version, /socat version/)
})
