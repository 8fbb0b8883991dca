import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { envelope, REPO_ROOT, runCli } from '../helpers/cli.ts'

const { version } = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { version: string }
const platform = `${process.platform}-${process.arch}`

for (const args of [
  ['--version', '--json'],
  ['--json', '--version'],
]) {
  test(`gwdeploy ${args.join(' ')}: the envelope with version, node and platform`, async () => {
    const result = await runCli(args)
    assert.equal(result.exitCode, 0, result.stderr)
    assert.deepEqual(envelope(result), {
      status: 'ok',
      result: { version, node: process.version, platform },
      warnings: [],
    })
  })
}

test('gwdeploy --version: the plain line, as oclif prints it', async () => {
  const result = await runCli(['--version'])
  assert.equal(result.exitCode, 0, result.stderr)
  assert.equal(result.stdout, `gwdeploy/${version} ${platform} node-${process.version}\n`)
})
