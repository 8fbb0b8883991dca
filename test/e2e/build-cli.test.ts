import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { envelope, runCli } from '../helpers/cli.ts'
import { randomSha, removeImage, testDocker, uniqueName } from '../helpers/docker.ts'
import { requireAuthRegistry, requireBaseImage, requireDocker, requireRegistry } from '../helpers/services.ts'

// `gwdeploy build` as a CI pipeline runs it: a subprocess with real dockerd and registries.
const scratch = await mkdtemp(join(tmpdir(), 'gwdeploy-build-cli-'))
const toRemove: string[] = []
let env: NodeJS.ProcessEnv
let registry: string
let base: string

async function project(name: string, repository: string, endpoints: unknown[] = []): Promise<string> {
  const dir = join(scratch, name)
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  await writeFile(
    join(dir, 'gwdeploy.yml'),
    `service: payments\nimage:\n  repository: ${repository}\n  base: ${base}\n  push: true\nfleet:\n  port: 8080\n`,
  )
  await writeFile(join(dir, 'gateway.json'), JSON.stringify({ version: 3, name: 'x', endpoints }))
  return dir
}

before(async () => {
  const docker = await requireDocker()
  base = await requireBaseImage()
  registry = (await requireRegistry()).host
  env = { DOCKER_HOST: docker.host, GWDEPLOY_CACHE_DIR: join(scratch, 'cache') }
})

after(async () => {
  const conn = await testDocker()
  for (const ref of toRemove) await removeImage(conn.docker, ref)
  await rm(scratch, { recursive: true, force: true })
})

describe('gwdeploy build (subprocess)', () => {
  test('builds and pushes, then reuses; a changed config under the same SHA is refused with exit 2', async () => {
    const repository = `${registry}/gwdeploy-test/${uniqueName('cli')}`
    const sha = randomSha()
    const dir = await project('reuse', repository)
    toRemove.push(`${repository}:${sha.slice(0, 7)}`)

    const first = await runCli(['build', '--sha', sha, '--json'], { cwd: dir, env })
    assert.equal(first.exitCode, 0, first.stderr)
    const built = envelope(first).result as {
      reused: unknown
      pushed: boolean
      digest: string
      configName: string
    }
    assert.equal(built.reused, false)
    assert.equal(built.pushed, true)
    assert.equal(built.configName, `payments rev-${sha.slice(0, 7)}`)
    assert.match(built.digest, new RegExp(`^${repository.replaceAll('.', '\\.')}@sha256:[0-9a-f]{64}$`))

    const again = await runCli(['build', '--sha', sha], { cwd: dir, env })
    assert.equal(again.exitCode, 0, again.stderr)
    assert.match(again.stdout, /already built \(reused from the local engine\)/)
    assert.ok(again.stdout.includes(built.digest), again.stdout)

    await writeFile(
      join(dir, 'gateway.json'),
      JSON.stringify({
        version: 3,
        name: 'x',
        endpoints: [{ endpoint: '/v1/x', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/x' }] }],
      }),
    )
    const changed = await runCli(['build', '--sha', sha, '--json'], { cwd: dir, env })
    assert.equal(changed.exitCode, 2, changed.stderr)
    const error = envelope(changed).error
    assert.match(JSON.stringify(error), /sha256:[0-9a-f]{64}[\s\S]*sha256:[0-9a-f]{64}/, 'names both digests')
  })

  test('a registry that refuses the credentials: exit 6, and the password never appears', async () => {
    const auth = await requireAuthRegistry()
    const repository = `${auth.host}/gwdeploy-test/${uniqueName('cli')}`
    const sha = randomSha()
    const dir = await project('auth', repository)
    toRemove.push(`${repository}:${sha.slice(0, 7)}`)
    const password = `wrong-${randomSha().slice(0, 12)}`
    const result = await runCli(['build', '--sha', sha], {
      cwd: dir,
      env: { ...env, GWDEPLOY_REGISTRY_USER: auth.user, GWDEPLOY_REGISTRY_PASSWORD: password },
    })
    assert.equal(result.exitCode, 6, result.stderr)
    assert.match(result.stderr, /Error: .*(unauthori[sz]ed|authentication|credentials)/i)
    assert.ok(!`${result.stdout}${result.stderr}`.includes(password), 'the password leaked into the output')
  })

  test('without image.repository: exit 2 naming the key, nothing built', async () => {
    const dir = await project('norepo', 'placeholder')
    await writeFile(join(dir, 'gwdeploy.yml'), `service: payments\nimage:\n  base: ${base}\n`)
    const result = await runCli(['build', '--sha', randomSha()], { cwd: dir, env })
    assert.equal(result.exitCode, 2)
    assert.match(result.stderr, /image\.repository is not set/)
  })
})
