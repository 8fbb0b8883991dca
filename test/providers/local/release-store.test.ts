/**
 * The local target's disk: a release directory holds its config and a link to one shared copy of
 * its runtime; pruning the records deletes the directories, runtimes and node logs only they named.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { LocalRecords } from '../../../src/providers/local/records.ts'
import { releaseDirName, stageRelease } from '../../../src/providers/local/release-dir.ts'
import { ensureDirs, type LocalPaths, localPaths } from '../../../src/providers/local/state.ts'
import type { Artifact, ReleaseRecord } from '../../../src/providers/types.ts'

let dir: string
let paths: LocalPaths
let bundle: string

const sha = (n: number) => `${n}`.padStart(2, '0').repeat(20)
const digest = (n: number) => `${n}`.padStart(2, 'd').repeat(32)
const artifact = (n: number): Artifact => ({
  sha: sha(n),
  sha7: sha(n).slice(0, 7),
  configName: `svc rev-${n}`,
  configDigest: digest(n),
  configText: `{"name":"svc rev-${n}"}`,
  files: [{ path: 'lua/hook.lua', content: `-- ${n}` }],
})
const record = (n: number, time: number): ReleaseRecord => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, time)).toISOString(),
  operation: 'release',
  status: 'released',
  service: 'svc',
  sha: sha(n),
  configName: `svc rev-${n}`,
  configDigest: digest(n),
})
const releaseDirs = async () => (await readdir(paths.releases)).sort()
const runtimeDirs = async () => (await readdir(paths.runtimes)).sort()

/** A bundle like the build's: gateway.cjs that loads lazy/ beside its real path. */
async function writeBundle(root: string, version: string): Promise<string> {
  await mkdir(join(root, 'lazy'), { recursive: true })
  await writeFile(join(root, 'lazy', 'jose.cjs'), `module.exports = ${JSON.stringify(version)}`)
  const entry = join(root, 'gateway.cjs')
  await writeFile(entry, "console.log(require(require('path').join(__dirname, 'lazy', 'jose.cjs')))\n")
  return entry
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gwd-local-store-'))
  paths = localPaths(join(dir, 'state'))
  await ensureDirs(paths)
  bundle = await writeBundle(join(dir, 'bundle-v1'), 'v1')
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('a staged local release', () => {
  it('links one shared copy of its runtime, which runs from there and finds its lazy libraries', async () => {
    const first = await stageRelease(paths, artifact(1), { entry: bundle, bundled: true })
    const second = await stageRelease(paths, artifact(2), { entry: bundle, bundled: true })
    assert.equal((await runtimeDirs()).length, 1, 'one runtime copy for both releases')
    assert.equal(await readFile(join(first.releaseDir, 'lua/hook.lua'), 'utf8'), '-- 1')
    assert.equal(await readFile(second.configFile, 'utf8'), '{"name":"svc rev-2"}')
    assert.match(await readlink(first.entry), /^\.\.\/\.\.\/runtimes\/[0-9a-f]{24}\/gateway\.cjs$/)
    // The bundle it was built from may go away: the release runs its own copy.
    await rm(join(dir, 'bundle-v1'), { recursive: true })
    assert.equal(execFileSync(process.execPath, [first.entry], { encoding: 'utf8' }).trim(), 'v1')
  })

  it('keeps the runtime it was staged with when staged again; a new release links a new runtime', async () => {
    const first = await stageRelease(paths, artifact(1), { entry: bundle, bundled: true })
    const newer = await writeBundle(join(dir, 'bundle-v2'), 'v2')
    await stageRelease(paths, artifact(1), { entry: newer, bundled: true })
    assert.equal(execFileSync(process.execPath, [first.entry], { encoding: 'utf8' }).trim(), 'v1')
    const second = await stageRelease(paths, artifact(2), { entry: newer, bundled: true })
    assert.equal(execFileSync(process.execPath, [second.entry], { encoding: 'utf8' }).trim(), 'v2')
    assert.equal((await runtimeDirs()).length, 2)
  })
})

describe('pruning the local records', () => {
  it('deletes the release directories, runtimes and node logs only pruned records named', async () => {
    const store = new LocalRecords(join(paths.root, 'records'), paths)
    const old = await writeBundle(join(dir, 'bundle-old'), 'old')
    await stageRelease(paths, artifact(1), { entry: old, bundled: true })
    for (const n of [2, 3, 4]) await stageRelease(paths, artifact(n), { entry: bundle, bundled: true })
    // An older gwdeploy's layout: a whole copy of the bundle in the directory.
    const legacy = join(paths.releases, releaseDirName(sha(5), digest(5)))
    await mkdir(legacy)
    await writeFile(join(legacy, 'gateway.cjs'), '// copy')
    for (const [n, t] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
    ] as const)
      await store.append(record(n, t))
    for (const name of ['blue-0101010-0.log', 'green-0404040-0.log', 'router.log'])
      await writeFile(join(paths.logs, name), 'x')
    // Blue still runs release 1 (kept for rollback) though its record is pruned.
    await writeFile(
      paths.fleetFile('blue'),
      JSON.stringify({
        colour: 'blue',
        sha: sha(1),
        configName: 'svc rev-1',
        configDigest: digest(1),
        releaseDir: join(paths.releases, releaseDirName(sha(1), digest(1))),
        configFile: '',
        entry: '',
        createdAt: '',
        nodes: [],
      }),
    )
    assert.equal(await store.prune(2), 3)
    assert.deepEqual(
      await releaseDirs(),
      [
        releaseDirName(sha(1), digest(1)),
        releaseDirName(sha(4), digest(4)),
        releaseDirName(sha(5), digest(5)),
      ].sort(),
    )
    assert.equal((await runtimeDirs()).length, 2, "blue's runtime and release 4's stay")
    assert.deepEqual((await readdir(paths.logs)).sort(), [
      'blue-0101010-0.log',
      'green-0404040-0.log',
      'router.log',
    ])
    await rm(paths.fleetFile('blue'))
    await store.append(record(6, 6))
    await store.prune(2)
    assert.deepEqual(await releaseDirs(), [releaseDirName(sha(5), digest(5))])
    assert.deepEqual(await runtimeDirs(), [], 'no release links to a runtime any more')
    assert.deepEqual((await readdir(paths.logs)).sort(), ['router.log'])
  })

  it('deletes nothing but records while a kept record cannot be read', async () => {
    const store = new LocalRecords(join(paths.root, 'records'), paths)
    // Four: the release before the newest readable one (2, before 3) is never pruned.
    for (const n of [1, 2, 3, 4]) {
      await stageRelease(paths, artifact(n), { entry: bundle, bundled: true })
      await store.append(record(n, n))
    }
    const newest = (await readdir(join(paths.root, 'records'))).sort().at(-1) ?? ''
    await writeFile(join(paths.root, 'records', newest), '{"torn')
    assert.equal(await store.prune(2), 1)
    assert.equal((await releaseDirs()).length, 4)
    assert.ok((await stat(paths.runtimes)).isDirectory())
    assert.equal((await runtimeDirs()).length, 1)
  })
})
