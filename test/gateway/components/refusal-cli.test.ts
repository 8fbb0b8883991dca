import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { envelope, runCli } from '../../helpers/cli.ts'

// A config that looks protected must not get past any command: each exits 2 before anything runs.
const dir = await mkdtemp(join(tmpdir(), 'gwdeploy-refusal-'))
const guarded = {
  version: 3,
  name: 'refused',
  endpoints: [
    {
      endpoint: '/orders',
      extra_config: { 'plugin/req-resp-modifier': { name: ['order-check'], 'order-check': {} } },
      backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/orders' }],
    },
  ],
}
const where = 'endpoints[0].extra_config.plugin/req-resp-modifier'
let sha: string

before(async () => {
  await writeFile(join(dir, 'gateway.json'), JSON.stringify(guarded, null, 2))
  await writeFile(
    join(dir, 'gwdeploy.yml'),
    'service: refusal\nimage:\n  repository: 127.0.0.1:19/refusal\nprovider:\n  kind: local\n',
  )
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim()
  git('init', '-q', '.')
  git('add', '.')
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'init')
  sha = git('rev-parse', 'HEAD')
})
after(() => rm(dir, { recursive: true, force: true }))

describe('an unenforced guarding namespace stops every command with exit 2', () => {
  const commands: Array<[string, () => string[]]> = [
    ['gateway check', () => ['gateway', 'check', '-c', 'gateway.json']],
    ['config validate', () => ['config', 'validate']],
    ['build', () => ['build', '--sha', sha]],
    ['release', () => ['release', '--sha', sha]],
    ['gateway run', () => ['gateway', 'run', '-c', 'gateway.json', '--port', '0']],
  ]
  for (const [name, args] of commands) {
    test(name, async () => {
      const result = await runCli([...args(), '--json'], {
        cwd: dir,
        // No Docker engine is reachable: the refusal must come before any engine call.
        env: { DOCKER_HOST: `unix://${join(dir, 'no-docker.sock')}`, GWDEPLOY_CACHE_DIR: join(dir, 'cache') },
      })
      assert.equal(result.exitCode, 2, `${result.stdout}\n${result.stderr}`)
      const error = envelope(result).error
      const problem = error?.problems?.find((p) => p.location?.path === where)
      assert.ok(problem, JSON.stringify(error))
      assert.match(String(problem.location?.file), /gateway\.json$/)
      assert.match(problem.message, /"plugin\/req-resp-modifier"/)
      assert.match(problem.hint ?? '', /remove it, or set `image\.runtime: krakend`/)
    })
  }

  test('nothing ran: no node, no image, no release record', async () => {
    const state = join(dir, '.gwdeploy')
    const entries = await readdir(state, { recursive: true }).catch(() => [] as string[])
    assert.deepEqual(
      entries.filter((e) => /node|artifact|history|releases/.test(String(e))),
      [],
      `state: ${entries.join(', ')}`,
    )
  })
})

describe('image.runtime: krakend', () => {
  const project = async (health: string) => {
    const sub = await mkdtemp(join(dir, 'krakend-'))
    await writeFile(join(sub, 'gateway.json'), JSON.stringify(guarded))
    await writeFile(
      join(sub, 'gwdeploy.yml'),
      `service: k\nimage:\n  runtime: krakend\n  repository: 127.0.0.1:19/k\nprovider:\n  kind: kubernetes\n  kubernetes: {}\n${health}`,
    )
    return sub
  }

  test('config validate refuses it with health.expectName (KrakenD reports no name)', async () => {
    const result = await runCli(['config', 'validate', '--json'], { cwd: await project('') })
    assert.equal(result.exitCode, 2, result.stdout)
    const error = envelope(result).error
    assert.match(error?.message ?? '', /health\.expectName/)
    assert.match(error?.hint ?? '', /expectName: false/)
  })

  test('with expectName: false it passes, and KrakenD CE components are not refused', async () => {
    const result = await runCli(['config', 'validate', '--json'], {
      cwd: await project('health:\n  expectName: false\n'),
    })
    assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`)
  })
})
