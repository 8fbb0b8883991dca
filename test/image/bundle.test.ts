import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { buildRuntimeBundle, RUNTIME_FILE } from '../../src/image/bundle.ts'
import { applyPatch, RUNTIME_PATCHES, UNDICI_ASSERT } from '../../src/image/runtime-patches.ts'

const run = promisify(execFile)
const entry = fileURLToPath(new URL('./fixtures/bundle-entry.ts', import.meta.url))
const scratch = await mkdtemp(join(tmpdir(), 'gwdeploy-bundle-'))
after(() => rm(scratch, { recursive: true, force: true }))

test('bundles an entry with every dependency inlined, runnable away from node_modules', async () => {
  const cacheDir = join(scratch, 'cache')
  const bundle = await buildRuntimeBundle({ entry, cacheDir })
  assert.equal(bundle.cached, false)
  assert.ok(bundle.path.startsWith(join(cacheDir, 'runtime', bundle.key)), bundle.path)
  const bytes = await readFile(bundle.path)
  assert.deepEqual(bundle.files, [RUNTIME_FILE])
  assert.equal(bundle.sha256, createHash('sha256').update(`${RUNTIME_FILE}\n`).update(bytes).digest('hex'))
  assert.equal(basename(bundle.path), RUNTIME_FILE)
  assert.doesNotMatch(bytes.toString('utf8'), /from ['"]prom-client['"]/)

  // Copied to a directory without node_modules, it still runs.
  const alone = join(scratch, 'alone.cjs')
  await copyFile(bundle.path, alone)
  const { stdout } = await run(process.execPath, [alone], { cwd: scratch })
  assert.deepEqual(JSON.parse(stdout), {
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
    greeting: 'hello bundle',
  })
})

test('second call is served from the cache; force rebuilds the same bytes', async () => {
  const cacheDir = join(scratch, 'cache2')
  const first = await buildRuntimeBundle({ entry, cacheDir })
  const second = await buildRuntimeBundle({ entry, cacheDir })
  assert.equal(second.cached, true)
  assert.equal(second.path, first.path)
  assert.equal(second.sha256, first.sha256)
  const forced = await buildRuntimeBundle({ entry, cacheDir, force: true })
  assert.equal(forced.cached, false)
  assert.equal(forced.sha256, first.sha256, 'esbuild output is deterministic')
})

test('cache dir comes from GWDEPLOY_CACHE_DIR, then XDG_CACHE_HOME', async () => {
  const viaEnv = await buildRuntimeBundle({ entry, env: { GWDEPLOY_CACHE_DIR: join(scratch, 'gw') } })
  assert.ok(viaEnv.path.startsWith(join(scratch, 'gw', 'runtime')), viaEnv.path)
  const viaXdg = await buildRuntimeBundle({ entry, env: { XDG_CACHE_HOME: join(scratch, 'xdg') } })
  assert.ok(viaXdg.path.startsWith(join(scratch, 'xdg', 'gwdeploy', 'runtime')), viaXdg.path)
})

test('a broken entry is a provider error naming the file and line', async () => {
  await assert.rejects(
    buildRuntimeBundle({ entry: join(scratch, 'missing.ts'), cacheDir: join(scratch, 'c3') }),
    (error) => {
      const e = error as { exitCode?: number; message: string; problems?: Array<{ message: string }> }
      assert.equal(e.exitCode, 6)
      assert.match(e.message, /bundling the gateway runtime/)
      assert.ok(
        (e.problems ?? []).some((p) => /Could not resolve|missing/.test(p.message)),
        JSON.stringify(e.problems),
      )
      return true
    },
  )
})

test('a dependency patch applies where its text occurs exactly once, else leaves the module as written', () => {
  const [patch] = RUNTIME_PATCHES
  assert.ok(patch)
  assert.equal(applyPatch(`a\n${patch.from}\nb`, patch), `a\n${patch.to}\nb`)
  for (const changed of ['a\nb', `${patch.from}\n${patch.from}`])
    assert.equal(applyPatch(changed, patch), undefined)
})

test("undici's assert in the runtime passes a truthy value and throws node:assert's AssertionError on a falsy one", () => {
  const module = { exports: undefined as unknown }
  new Function('module', 'require', UNDICI_ASSERT)(module, createRequire(import.meta.url))
  const undiciAssert = module.exports as (value: unknown, message?: string) => void
  undiciAssert(1)
  undiciAssert('x', 'never thrown')
  assert.throws(() => undiciAssert(0, 'broken'), {
    name: 'AssertionError',
    code: 'ERR_ASSERTION',
    message: 'broken',
  })
  assert.throws(() => undiciAssert(null), { name: 'AssertionError', code: 'ERR_ASSERTION' })
})

test('every runtime patch matches the locked dependency it edits', () => {
  const installed = fileURLToPath(new URL('../../node_modules/', import.meta.url))
  const files = ['undici/lib/dispatcher/client.js', 'prom-client/lib/metrics/processCpuTotal.js']
  for (const patch of RUNTIME_PATCHES) {
    const file = files.find((path) => patch.file.test(join(installed, path)))
    assert.ok(file, `no installed file for ${patch.file}`)
    assert.notEqual(applyPatch(readFileSync(join(installed, file), 'utf8'), patch), undefined, file)
  }
})
