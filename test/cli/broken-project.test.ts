/**
 * Mistakes on the command line of a CI job (CI=true): each error names what is wrong as it was
 * typed, once, with exit 2.
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/files.ts'

function project(): string {
  const dir = tempDir('gwdeploy-broken-')
  writeFileSync(join(dir, 'gwdeploy.yml'), 'service: demo\n')
  writeFileSync(join(dir, 'gateway.json'), '{"version":3,"endpoints":[]}')
  return dir
}

test('a missing or malformed flag is named as typed: its long name and its letter', async () => {
  const cwd = project()
  const missing = await runCli(['lock', 'acquire'], { cwd })
  assert.equal(missing.exitCode, 2)
  assert.match(missing.stderr, /^Error: Missing required flag --message \(-m\)$/m)
  const malformed = await runCli(['history', '-n', 'abc'], { cwd })
  assert.equal(malformed.exitCode, 2)
  assert.match(malformed.stderr, /^Error: Parsing --limit \(-n\): Expected an integer/m)
})

test('--lock-wait with a value that is no duration is refused as one, not as a stray argument', async () => {
  const cwd = project()
  const result = await runCli(['release', '--sha', 'ab'.repeat(20), '--lock-wait', '5mins'], { cwd })
  assert.equal(result.exitCode, 2)
  assert.match(result.stderr, /^Error: --lock-wait 5mins is not a duration$/m)
})

test('a file the message names is not named twice', async () => {
  const cwd = project()
  mkdirSync(join(cwd, 'conf'))
  const result = await runCli(['status', '--config', 'conf'], { cwd })
  assert.equal(result.exitCode, 2)
  assert.match(result.stderr, /^Error: conf is not a regular file$/m)
})
