import assert from 'node:assert/strict'
import { test } from 'node:test'
import { revokerPort, revokerPortProblem } from '../../src/config/revoker-port.ts'

const withRevoker = (revoker: unknown, name = 'auth/revoker') => ({
  version: 3,
  extra_config: { [name]: revoker },
})

test('the revoker port as the stamped config sets it (0 when it is left to chance)', () => {
  assert.equal(revokerPort({ version: 3 }), undefined)
  assert.equal(revokerPort(withRevoker({ port: 1234 })), 1234)
  assert.equal(revokerPort(withRevoker({ port: 1234 }, 'github_com/devopsfaith/bloomfilter')), 1234)
  assert.equal(revokerPort(withRevoker({ n: 10 })), 0)
  assert.equal(revokerPort(withRevoker({ port: '1234' })), 0)
})

test('the revoker port is read in any key case, as the nodes read it (encoding/json: last in byte order)', () => {
  assert.equal(revokerPort(withRevoker({ Port: 1234 })), 1234)
  assert.equal(revokerPort(withRevoker({ PORT: 2, port: 1 })), 1)
  assert.equal(revokerPortProblem(withRevoker({ Port: 1234 }), 'gateway.json', 8080), undefined)
  // "Extra_Config" is extra_config to KrakenD's decoder (the only spelling of it): the nodes run it.
  const otherCase = { version: 3, Extra_Config: { 'auth/revoker': { n: 10 } } }
  assert.equal(revokerPort(otherCase), 0)
  assert.deepEqual(revokerPortProblem(otherCase, 'gateway.json', 8080)?.location, {
    file: 'gateway.json',
    path: 'Extra_Config.auth/revoker.port',
  })
})

test('nodes in containers need a fixed revoker port of its own', () => {
  assert.equal(revokerPortProblem({ version: 3 }, 'gateway.json', 8080), undefined)
  assert.equal(revokerPortProblem(withRevoker({ port: 1234 }), 'gateway.json', 8080), undefined)
  const unset = revokerPortProblem(withRevoker({ n: 10 }), 'gateway.json', 8080)
  assert.match(unset?.message ?? '', /no fixed port/)
  assert.deepEqual(unset?.location, { file: 'gateway.json', path: 'extra_config.auth/revoker.port' })
  assert.equal(unset?.exitCode, 2)
  const clash = revokerPortProblem(withRevoker({ port: 8080 }), 'gateway.json', 8080)
  assert.match(clash?.message ?? '', /also fleet\.port/)
})
