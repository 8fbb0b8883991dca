/**
 * provider.haproxy settings that would reach HAProxy broken are refused when gwdeploy.yml is
 * loaded: exit 2 (a config error), located by line and key path, before anything runs.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { loadConfig } from '../../../src/config/load.ts'
import { GwError } from '../../../src/core/errors.ts'

const dir = mkdtempSync(join(tmpdir(), 'gwd-hapschema-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const instance = {
  name: 'lb1',
  socket: '/run/haproxy/admin.sock',
  configFile: 'haproxy.cfg',
  mapFile: 'gwdeploy.map',
}

function load(haproxy: Record<string, unknown>): GwError | undefined {
  const file = join(dir, 'gwdeploy.yml')
  writeFileSync(join(dir, 'gateway.json'), '{"version": 3, "endpoints": []}\n')
  writeFileSync(
    file,
    stringify({
      service: 'api',
      gateway: { config: 'gateway.json' },
      provider: {
        kind: 'haproxy',
        haproxy: {
          instances: [instance],
          servers: { blue: ['10.0.0.1:8080'], green: ['10.0.0.2:8080'] },
          ...haproxy,
        },
      },
    }),
  )
  try {
    loadConfig({ cwd: dir, file, environ: {} })
    return undefined
  } catch (error) {
    if (error instanceof GwError) return error
    throw error
  }
}

/** The problem at `path` (exit 2, with a line in gwdeploy.yml). */
function problemAt(error: GwError | undefined, path: string) {
  assert.ok(error, `expected a config error at ${path}`)
  assert.equal(error.exitCode, 2)
  const problem = error.problems.find((p) => p.location?.path === path)
  assert.ok(problem, `no problem at ${path}: ${JSON.stringify(error.problems)}`)
  assert.ok((problem.location?.line ?? 0) > 0, JSON.stringify(problem))
  return problem.message
}

describe('provider.haproxy settings', () => {
  it('a valid section loads', () => {
    assert.equal(load({}), undefined)
  })

  it('blue and green naming one backend is refused at backends.green', () => {
    const message = problemAt(
      load({ backends: { blue: 'be_gw', green: 'be_gw' } }),
      'provider.haproxy.backends.green',
    )
    assert.match(message, /both name backend "be_gw": each colour needs its own backend/)
  })

  it('frontend and backend names HAProxy would not accept (they go into runtime commands) are refused', () => {
    const error = load({
      frontend: 'gateway web',
      backends: { blue: 'be_blue;shutdown sessions', green: 'be_green' },
    })
    assert.match(problemAt(error, 'provider.haproxy.frontend'), /letters, digits/)
    assert.match(problemAt(error, 'provider.haproxy.backends.blue'), /e\.g\. be_blue/)
  })

  it('a map path with a space is refused', () => {
    const error = load({ instances: [{ ...instance, mapFile: '/etc/haproxy/gw map.map' }] })
    assert.match(problemAt(error, 'provider.haproxy.instances[0].mapFile'), /without spaces/)
  })

  it('the same instance listed twice is refused at the second', () => {
    const error = load({ instances: [instance, { ...instance, configFile: 'other.cfg' }] })
    assert.match(
      problemAt(error, 'provider.haproxy.instances[1].socket'),
      /instances\[0\] has the same socket/,
    )
    assert.match(problemAt(error, 'provider.haproxy.instances[1].name'), /same name "lb1"/)
  })

  it('server ports outside 1-65535 and one address in both colours are refused', () => {
    const error = load({ servers: { blue: ['10.0.0.1:99999', '10.0.0.3:8080'], green: ['10.0.0.3:8080'] } })
    assert.match(problemAt(error, 'provider.haproxy.servers.blue[0]'), /1-65535/)
    assert.match(
      problemAt(error, 'provider.haproxy.servers.green[0]'),
      /listed twice \(also in servers\.blue\[1\]\)/,
    )
  })
})
