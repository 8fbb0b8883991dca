import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadConfig } from '../../src/config/load.ts'
import { configError, formatError, GwError } from '../../src/core/errors.ts'
import { locatedInProject } from '../../src/core/project-location.ts'
import { formatKeyPath, parseKeyPath } from '../../src/core/source-text.ts'
import { tempDir } from '../helpers/files.ts'

test('parseKeyPath reads what formatKeyPath writes', () => {
  for (const path of [['fleet', 'env', 'API_KEY', 'fromFile'], ['fleet', 'envFrom', 3, 'file'], ['a'], []])
    assert.deepEqual(parseKeyPath(formatKeyPath(path)), path)
})

test('a provider error naming a gwdeploy.yml key is placed at its line, the overlay first', () => {
  const dir = tempDir('gwdeploy-locate-')
  writeFileSync(
    join(dir, 'gwdeploy.yml'),
    'service: demo\nfleet:\n  env:\n    PLAIN: x\n    API_KEY:\n      fromFile: key.txt\n',
  )
  writeFileSync(join(dir, 'gwdeploy.prod.yml'), 'fleet:\n  envFrom:\n    - file: /etc/one.env\n')
  const { locate } = loadConfig({ cwd: dir, env: 'prod', environ: {} })
  const thrown = configError('key.txt cannot be read', {
    location: { file: 'gwdeploy.yml', path: 'fleet.env.API_KEY.fromFile' },
    hint: 'Point it at a file.',
  })
  const placed = locatedInProject(thrown, locate) as GwError
  assert.ok(placed instanceof GwError)
  assert.deepEqual(placed.location, {
    file: 'gwdeploy.yml',
    line: 6,
    column: 7,
    path: 'fleet.env.API_KEY.fromFile',
  })
  assert.equal(placed.exitCode, thrown.exitCode)
  assert.equal(placed.hint, thrown.hint)
  assert.match(
    formatError(placed),
    /^gwdeploy\.yml:6:7 \(fleet\.env\.API_KEY\.fromFile\): key\.txt cannot be read/,
  )

  const fromOverlay = locatedInProject(
    configError('missing', { location: { path: 'fleet.envFrom[0].file' } }),
    locate,
  ) as GwError
  assert.equal(fromOverlay.location?.file, 'gwdeploy.prod.yml')
  assert.equal(fromOverlay.location?.line, 3)

  // Not a gwdeploy.yml key (a gateway config path, or a key no file writes): left as it is.
  const gateway = configError('bad', { location: { file: 'gateway.json', path: 'endpoints[0]' } })
  assert.equal(locatedInProject(gateway, locate), gateway)
  const elsewhere = configError('bad', { location: { path: '$env.KRAKEND_PORT' } })
  assert.equal(locatedInProject(elsewhere, locate), elsewhere)
  const plain = new Error('not ours')
  assert.equal(locatedInProject(plain, locate), plain)
})
