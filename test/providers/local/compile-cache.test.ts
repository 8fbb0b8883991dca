/**
 * A local release's nodes start from V8's caches of their runtime, as images do: Node's compile
 * cache and the runtime's code cache (src/gateway/code-cache/) are filled when the runtime is stored,
 * and a node, started through start.cjs, reads them (Node's NODE_DEBUG_NATIVE=COMPILE_CACHE log and
 * start.cjs's NODE_DEBUG=gwdeploy line say so). Without the code cache a node loads gateway.cjs from
 * the compile cache; a compile cache V8 rejects, a corrupt one and a read-only runtime directory
 * leave a node that starts and serves, compiling as before.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { CODE_CACHE_DIR, LOADER_FILE } from '../../../src/gateway/code-cache/names.ts'
import { buildRuntimeBundle, type RuntimeBundle } from '../../../src/image/bundle.ts'
import { startNodes } from '../../../src/providers/local/nodes.ts'
import { stopProcesses } from '../../../src/providers/local/processes.ts'
import { type StagedRelease, stageRelease } from '../../../src/providers/local/release-dir.ts'
import { ensureDirs, type LocalPaths, localPaths } from '../../../src/providers/local/state.ts'
import type { Artifact } from '../../../src/providers/types.ts'

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'providers', 'local')

let dir: string
let bundle: RuntimeBundle
let n = 0

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gwd-local-cache-'))
  bundle = await buildRuntimeBundle({ cacheDir: join(dir, 'bundle-cache') })
})
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const artifact = (): Artifact => {
  n += 1
  const sha = `${n}`.padStart(40, 'a')
  return {
    sha,
    sha7: sha.slice(0, 7),
    configName: `svc rev-${n}`,
    configDigest: `${n}`.padStart(64, 'd'),
    configText: JSON.stringify({
      version: 3,
      name: `svc rev-${n}`,
      endpoints: [{ endpoint: '/a', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }] }],
    }),
  }
}

async function freshState(): Promise<LocalPaths> {
  const paths = localPaths(mkdtempSync(join(dir, 'state-')))
  await ensureDirs(paths)
  return paths
}

/** Node's subdirectory of the cache for this Node and user, and the entries in it. */
function ownEntries(cacheDir: string): string[] {
  const prefix = `v${process.versions.node}-${process.arch}-`
  const own = readdirSync(cacheDir).filter((name) => name.startsWith(prefix))
  assert.equal(own.length, 1, `one subdirectory for this Node in ${cacheDir}: ${readdirSync(cacheDir)}`)
  return readdirSync(join(cacheDir, own[0] as string)).map((name) => join(cacheDir, own[0] as string, name))
}

/** Starts one node with Node's compile-cache log, waits until it is healthy; its log. */
async function startAndLog(paths: LocalPaths, release: StagedRelease): Promise<string> {
  const [node] = await startNodes(paths, ['blue-cache-0'], release, {
    revoker: false,
    env: { NODE_DEBUG_NATIVE: 'COMPILE_CACHE', NODE_DEBUG: 'gwdeploy' },
  })
  assert.ok(node)
  try {
    let healthy = false
    for (let tries = 0; tries < 300 && !healthy; tries++) {
      healthy = await fetch(`http://127.0.0.1:${node.port}/__health`).then(
        (r) => r.status === 200,
        () => false,
      )
      if (!healthy) await new Promise((r) => setTimeout(r, 50))
    }
    assert.ok(healthy, `node healthy on ${node.port}: ${readFileSync(node.log, 'utf8').slice(-2000)}`)
  } finally {
    await stopProcesses([node.pid], 5_000)
  }
  const log = readFileSync(node.log, 'utf8')
  rmSync(node.log)
  return log
}

const accepted = (log: string) => /V8 code cache for CommonJS \S*gateway\.cjs was accepted/.test(log)
/** start.cjs read the runtime's code cache. */
const codeCacheAccepted = (log: string) => /gwdeploy code cache \S+: accepted/.test(log)
/** The runtime's code cache files (runtimes/<hash>/code-cache/). */
const codeCaches = (runtimeDir: string) =>
  existsSync(join(runtimeDir, CODE_CACHE_DIR)) ? readdirSync(join(runtimeDir, CODE_CACHE_DIR)) : []

describe('a local release and V8 compile cache', () => {
  it('fills the caches when the runtime is stored, and its nodes start from them', async () => {
    const paths = await freshState()
    const release = await stageRelease(paths, artifact(), { entry: bundle.path, bundled: true })
    assert.ok(release.compileCache, 'the staged release names its compile cache')
    assert.match(release.compileCache, /\/runtimes\/[0-9a-f]{24}\/compile-cache$/)
    // The bundle and each lazily loaded library: at least gateway.cjs and one lazy file.
    assert.ok(ownEntries(release.compileCache).length >= 2, 'entries written at store time')
    // The nodes run start.cjs, which reads the code cache written beside the stored runtime.
    assert.equal(release.entry, join(release.releaseDir, LOADER_FILE))
    assert.equal(codeCaches(dirname(release.compileCache)).length, 1)
    const log = await startAndLog(paths, release)
    assert.ok(
      codeCacheAccepted(log),
      `the node read the bundle's code from the cache:\n${log.slice(0, 3000)}`,
    )
    assert.match(log, /V8 code cache for CommonJS \S*start\.cjs was accepted/)
    // A second release of the same runtime shares its cache: not filled again.
    const before = ownEntries(release.compileCache).map((file) => readFileSync(file).length)
    const second = await stageRelease(paths, artifact(), { entry: bundle.path, bundled: true })
    assert.equal(second.compileCache, release.compileCache)
    assert.deepEqual(
      ownEntries(release.compileCache).map((file) => readFileSync(file).length),
      before,
    )
  })

  it('without the code cache, a node loads gateway.cjs from the compile cache, or compiles it when V8 rejects it or it is corrupt', async () => {
    const paths = await freshState()
    const release = await stageRelease(paths, artifact(), { entry: bundle.path, bundled: true })
    assert.ok(release.compileCache)
    rmSync(join(dirname(release.compileCache), CODE_CACHE_DIR), { recursive: true })
    assert.ok(accepted(await startAndLog(paths, release)))
    const entries = ownEntries(release.compileCache)
    // Another V8 configuration's cache of the same files, put where this Node reads.
    const other = mkdtempSync(join(dir, 'other-'))
    const stored = join(dirname(release.compileCache), 'gateway.cjs')
    execFileSync(process.execPath, ['--no-lazy', stored, '--version'], {
      env: { ...process.env, NODE_COMPILE_CACHE: other },
    })
    const [otherSub] = readdirSync(other)
    for (const name of readdirSync(join(other, otherSub as string)))
      for (const file of entries)
        if (file.endsWith(`/${name}`))
          writeFileSync(file, readFileSync(join(other, otherSub as string, name)))
    const rejected = await startAndLog(paths, release)
    assert.match(rejected, /V8 code cache for CommonJS \S*gateway\.cjs was rejected/)
    for (const file of ownEntries(release.compileCache)) writeFileSync(file, Buffer.alloc(4096, 0x5a))
    const corrupt = await startAndLog(paths, release)
    assert.match(corrupt, /magic number mismatch/)
    assert.ok(!accepted(corrupt))
  })

  it('starts a node when the runtime directory is read-only, with or without a cache in it', async () => {
    const paths = await freshState()
    const release = await stageRelease(paths, artifact(), { entry: bundle.path, bundled: true })
    assert.ok(release.compileCache)
    const runtimeDir = dirname(release.compileCache)
    // Stage and start in the read-only directory: a read-only bind mount in a private mount namespace
    // (root ignores file modes), else the directory's write bits taken away.
    const scenario = `
      import { startNodes } from ${JSON.stringify(join(SRC, 'nodes.ts'))}
      import { stopProcesses } from ${JSON.stringify(join(SRC, 'processes.ts'))}
      import { stageRelease } from ${JSON.stringify(join(SRC, 'release-dir.ts'))}
      import { localPaths } from ${JSON.stringify(join(SRC, 'state.ts'))}
      import { readFileSync, rmSync } from 'node:fs'
      const paths = localPaths(${JSON.stringify(paths.root)})
      const release = await stageRelease(paths, JSON.parse(process.argv[1]), { entry: ${JSON.stringify(bundle.path)}, bundled: true })
      const [node] = await startNodes(paths, ['blue-ro-0'], release, { revoker: false, env: { NODE_DEBUG_NATIVE: 'COMPILE_CACHE', NODE_DEBUG: 'gwdeploy' } })
      let status = 0
      for (let i = 0; i < 300 && status !== 200; i++) {
        status = await fetch('http://127.0.0.1:' + node.port + '/__health').then((r) => r.status, () => 0)
        if (status !== 200) await new Promise((r) => setTimeout(r, 50))
      }
      await stopProcesses([node.pid], 5000)
      const log = readFileSync(node.log, 'utf8')
      rmSync(node.log)
      console.log(JSON.stringify({ compileCache: release.compileCache ?? null, status, log }))
    `
    const readOnlyRun = (): { compileCache: string | null; status: number; log: string } => {
      const args = ['--input-type=module', '-e', scenario, JSON.stringify(artifact())]
      const out =
        process.getuid?.() === 0
          ? execFileSync(
              'unshare',
              [
                '-m',
                'sh',
                '-c',
                'mount --bind -o ro "$0" "$0" && exec "$@"',
                runtimeDir,
                process.execPath,
                ...args,
              ],
              { encoding: 'utf8' },
            )
          : (() => {
              chmodSync(runtimeDir, 0o500)
              try {
                return execFileSync(process.execPath, args, { encoding: 'utf8' })
              } finally {
                chmodSync(runtimeDir, 0o700)
              }
            })()
      return JSON.parse(out.trim().split('\n').at(-1) as string)
    }
    const withCache = readOnlyRun()
    assert.equal(withCache.status, 200)
    assert.equal(withCache.compileCache, release.compileCache)
    assert.ok(codeCacheAccepted(withCache.log), withCache.log.slice(0, 2000))
    rmSync(release.compileCache, { recursive: true })
    rmSync(join(runtimeDir, CODE_CACHE_DIR), { recursive: true })
    const without = readOnlyRun()
    assert.equal(without.status, 200, without.log.slice(-2000))
    assert.equal(without.compileCache, null, 'no cache could be filled')
    assert.ok(!accepted(without.log))
    assert.match(without.log, /gwdeploy code cache \S+: none/)
  })
})
