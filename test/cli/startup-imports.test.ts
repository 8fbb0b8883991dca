import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { RUN_JS } from '../helpers/cli.ts'
import { tempDir } from '../helpers/files.ts'

const RECORDER = fileURLToPath(new URL('../helpers/record-imports.mjs', import.meta.url))
// What must never load on the fast paths: provider SDKs, the Docker client, the gateway runtime.
const HEAVY =
  /node_modules\/(dockerode|docker-modem|ssh2|undici|@aws-sdk|@smithy|@kubernetes|prom-client|pino|esbuild|execa)\/|\/(dist|src)\/(gateway|providers|image)\//

function importsOf(args: string[], cwd: string): string[] {
  const file = join(tempDir('gwdeploy-imports-'), 'imports.txt')
  writeFileSync(file, '')
  const result = spawnSync(process.execPath, ['--import', RECORDER, RUN_JS, ...args], {
    cwd,
    env: { ...process.env, GWDEPLOY_IMPORTS_FILE: file },
    encoding: 'utf8',
  })
  assert.equal(result.status, 0, result.stderr)
  return readFileSync(file, 'utf8').split('\n').filter(Boolean)
}

const project = () => {
  const dir = tempDir('gwdeploy-fast-')
  writeFileSync(join(dir, 'gwdeploy.yml'), 'service: demo\n')
  writeFileSync(join(dir, 'gateway.json'), '{"version":3,"endpoints":[]}')
  return dir
}

// `config validate` checks the gateway config as release does: its code loads, still no SDK.
const SDKS =
  /node_modules\/(dockerode|docker-modem|ssh2|undici|@aws-sdk|@smithy|@kubernetes|prom-client|pino|esbuild|execa)\/|\/(dist|src)\/providers\//

for (const [args, heavyPattern, what] of [
  [['--help'], HEAVY, 'SDK, docker client or gateway code'],
  [['release', '--help'], HEAVY, 'SDK, docker client or gateway code'],
  [['status', '--help'], HEAVY, 'SDK, docker client or gateway code'],
  [['config', 'validate'], SDKS, 'SDK, docker client or provider code'],
] as const) {
  test(`gwdeploy ${args.join(' ')} loads no ${what}`, () => {
    const imports = importsOf([...args], project())
    assert.ok(
      imports.some((url) => url.includes('@oclif/core')),
      'the recorder saw nothing: the test would prove nothing',
    )
    const heavy = imports.filter((url) => heavyPattern.test(url))
    assert.deepEqual(heavy, [])
  })
}
