import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { parse } from 'yaml'
import { envelope, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/files.ts'

const emptyDir = (name: string) => {
  const dir = join(tempDir('gwdeploy-init-'), name)
  mkdirSync(dir)
  return dir
}

/** Files a provider's templates/init/files/<provider>/ adds next to gwdeploy.yml. */
const PROVIDER_FILES: Record<string, string[]> = { haproxy: ['haproxy/gwdeploy.map', 'haproxy/haproxy.cfg'] }

describe('gwdeploy init', () => {
  for (const provider of ['local', 'haproxy', 'aws', 'kubernetes']) {
    test(`--provider ${provider} in an empty directory writes files that validate`, async () => {
      const dir = emptyDir('Payments_Gateway')
      const result = await runCli(['init', '--provider', provider, '--json'], { cwd: dir })
      assert.equal(result.exitCode, 0, result.stderr)
      assert.deepEqual(envelope(result).result, {
        written: ['gwdeploy.yml', 'gateway.json', ...(PROVIDER_FILES[provider] ?? []), '.gitignore'],
        service: 'payments-gateway',
        provider,
      })
      const yml = readFileSync(join(dir, 'gwdeploy.yml'), 'utf8')
      assert.match(
        yml,
        /^# yaml-language-server: \$schema=\.\/node_modules\/gwdeploy\/schema\/gwdeploy\.schema\.json$/m,
      )
      assert.equal(parse(yml).provider.kind, provider)
      const gateway = JSON.parse(readFileSync(join(dir, 'gateway.json'), 'utf8'))
      assert.equal(gateway.version, 3)
      assert.ok(gateway.endpoints.length >= 2)
      assert.match(readFileSync(join(dir, '.gitignore'), 'utf8'), /^\.gwdeploy\/$/m, 'state dir ignored')
      const validate = await runCli(['config', 'validate'], { cwd: dir })
      assert.equal(validate.exitCode, 0, validate.stderr)
    })
  }

  test('--ci github and --ci gitlab write a pipeline that runs gwdeploy release --sha', async () => {
    for (const [ci, path, sha] of [
      ['github', '.github/workflows/deploy.yml', '$GITHUB_SHA'],
      ['gitlab', '.gitlab-ci.yml', '$CI_COMMIT_SHA'],
    ] as const) {
      const dir = emptyDir('svc')
      const result = await runCli(['init', '--ci', ci], { cwd: dir })
      assert.equal(result.exitCode, 0, result.stderr)
      const pipeline = readFileSync(join(dir, path), 'utf8')
      assert.ok(pipeline.includes(`gwdeploy release --sha "${sha}"`), pipeline)
      assert.ok(parse(pipeline))
    }
  })

  test('in a directory named 123 the service is the string "123", and the files validate', async () => {
    const dir = emptyDir('123')
    const result = await runCli(['init'], { cwd: dir })
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(parse(readFileSync(join(dir, 'gwdeploy.yml'), 'utf8')).service, '123')
    const validate = await runCli(['config', 'validate'], { cwd: dir })
    assert.equal(validate.exitCode, 0, validate.stderr)
  })

  test('in a non-empty directory it refuses, names the files, writes nothing', async () => {
    const dir = emptyDir('svc')
    writeFileSync(join(dir, 'gateway.json'), 'mine')
    const result = await runCli(['init', '--ci', 'github'], { cwd: dir })
    assert.equal(result.exitCode, 2)
    assert.match(result.stderr, /gateway\.json already exists; nothing was written/)
    assert.equal(readFileSync(join(dir, 'gateway.json'), 'utf8'), 'mine')
    assert.equal(existsSync(join(dir, 'gwdeploy.yml')), false)
    assert.equal(existsSync(join(dir, '.github')), false)
  })

  test('--force overwrites', async () => {
    const dir = emptyDir('svc')
    writeFileSync(join(dir, 'gateway.json'), 'mine')
    const result = await runCli(['init', '--force'], { cwd: dir })
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(JSON.parse(readFileSync(join(dir, 'gateway.json'), 'utf8')).version, 3)
  })
})
