// The package as users get it: `npm pack`, `npm install -g --prefix EMPTY ./gwdeploy-*.tgz` with the
// machine's old Node (20) first on PATH, then `EMPTY/bin/gwdeploy init` and a release (local
// provider, one node). The CLI must run under Node 24 from its optional dependency `node`.
//
// Bounded: the install reads the npm cache (--prefer-offline) and skips install scripts; then only
// the script that matters here runs (`npm rebuild node`: the `node` package's preinstall, which
// puts the Node 24 binary in place, exactly as `npm install` does). The others (ssh2's optional
// native speed-up compiled by node-gyp, protobufjs) take most of a minute and play no part.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parseDocument } from 'yaml'
import { freePort, liveName, ROOT, sha } from '../core/helpers/project.ts'
import { findOldNode } from '../helpers/launcher.ts'

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a command to its end; one that hangs (npm retrying a registry it cannot reach) is killed. */
function exec(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 180_000,
      killSignal: 'SIGKILL',
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
    })
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    child.on('error', reject)
    child.on('close', (code, signal) =>
      resolve({ code, stdout, stderr: signal ? `${stderr}\n(killed by ${signal} after 180 s)` : stderr }),
    )
  })
}

/** The environment of a machine whose `node` is the old one (or a launcher told to act so). */
function oldNodeEnv(extraPath: string[] = []): NodeJS.ProcessEnv {
  const old = findOldNode()
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', GITHUB_ACTIONS: '' }
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key]
  const path = (process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.includes('node_modules'))
  env.PATH = [...extraPath, ...(old ? [dirname(old)] : []), ...path].join(delimiter)
  if (old === null) env.GWDEPLOY_TEST_OLD_NODE = '1'
  return env
}

describe('the packed package on an old system Node', () => {
  let dir: string
  let prefix: string
  let project: string
  let env: NodeJS.ProcessEnv
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gwd-pack-'))
    prefix = join(dir, 'prefix')
    project = join(dir, 'demo')
    env = oldNodeEnv()
  })
  after(async () => {
    if (prefix && project)
      await exec(join(prefix, 'bin/gwdeploy'), ['destroy', '--force'], project, env).catch(() => {})
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('npm pack + npm install -g into an empty prefix, then init and release with it', async () => {
    await readdir(join(ROOT, 'dist')).catch(() => {
      throw new Error('dist/ is missing: run `npm run build` first (npm test does)')
    })
    const pack = await exec('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], ROOT, env)
    assert.equal(pack.code, 0, pack.stderr)
    const tarball = (await readdir(dir)).find((f) => /^gwdeploy-.*\.tgz$/.test(f))
    assert.ok(tarball, pack.stdout)

    const install = await exec(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        join(dir, tarball),
        '--prefer-offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
      ],
      dir,
      env,
    )
    assert.equal(install.code, 0, install.stderr)
    // The global install links gwdeploy's bin only: never a `node` that would shadow the system's.
    assert.deepEqual(await readdir(join(prefix, 'bin')), ['gwdeploy'])
    const installed = join(prefix, 'lib/node_modules/gwdeploy')
    const rebuild = await exec('npm', ['rebuild', 'node', '--prefer-offline'], installed, env)
    assert.equal(rebuild.code, 0, rebuild.stderr)

    const gwdeploy = join(prefix, 'bin/gwdeploy')
    const version = await exec(gwdeploy, ['--version'], dir, env)
    assert.equal(version.code, 0, version.stderr)
    const major = Number(/node-v(\d+)/.exec(version.stdout)?.[1])
    assert.ok(major >= 22, `gwdeploy runs on Node ${major}: ${version.stdout}`)

    await mkdir(project)
    const init = await exec(gwdeploy, ['init'], project, env)
    assert.equal(init.code, 0, init.stderr)
    const port = await freePort()
    const config = parseDocument(await readFile(join(project, 'gwdeploy.yml'), 'utf8'))
    config.setIn(['fleet', 'size'], 1)
    config.setIn(['provider', 'local', 'listen'], `127.0.0.1:${port}`)
    await writeFile(join(project, 'gwdeploy.yml'), config.toString())

    const release = await exec(gwdeploy, ['release', '--sha', sha(7)], project, env)
    assert.equal(release.code, 0, release.stderr)
    assert.equal(await liveName(port), `demo rev-${sha(7).slice(0, 7)}`)
  })

  it('without any Node >= 22 it exits 2 with a safe hint', async () => {
    // bin/ alone: no `node` package next to it, and a PATH without a newer Node.
    const bare = join(dir, 'bare')
    await cp(join(ROOT, 'bin'), join(bare, 'bin'), { recursive: true })
    const old = findOldNode()
    const noNewNode = { ...oldNodeEnv(), PATH: old ? dirname(old) : '' }
    const result = await exec(
      old ?? process.execPath,
      [join(bare, 'bin/run.js'), '--version'],
      dir,
      noNewNode,
    )
    assert.equal(result.code, 2, result.stderr)
    assert.match(
      result.stderr,
      /gwdeploy needs Node\.js >= 22 \(this is \d+\.\d+\.\d+\); no Node >= 22 was found/,
    )
    assert.match(result.stderr, /without --omit=optional/)
    assert.match(result.stderr, /Do not replace the system \/usr\/bin\/node/)
    assert.doesNotMatch(result.stderr, /--force|npx/)
  })
})
