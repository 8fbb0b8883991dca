import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import type { EngineEvent } from '../../src/core/events.ts'
import { buildImage, type ImageBuildResult, type ImageBuildSpec, LABELS } from '../../src/image/build.ts'
import type { DockerConnection } from '../../src/image/docker.ts'
import { stampGatewayConfig } from '../../src/image/stamp.ts'
import { demux } from '../../src/providers/haproxy/docker-logs.ts'
import {
  drain,
  importImageWithoutNode,
  randomSha,
  removeImage,
  runImage,
  testDocker,
  uniqueName,
  waitForJson,
} from '../helpers/docker.ts'
import { requireAuthRegistry, requireBaseImage, requireRegistry } from '../helpers/services.ts'

type Failure = Error & {
  exitCode?: number
  problems?: Array<{ message: string }>
  hint?: string
  details?: unknown
}

const scratch = await mkdtemp(join(tmpdir(), 'gwdeploy-image-'))
const cacheDir = join(scratch, 'cache')
const gatewayFile = join(scratch, 'gateway.json')
let conn: DockerConnection
let base: string
let registry: string
let authRegistry: Awaited<ReturnType<typeof requireAuthRegistry>>
const toRemove: string[] = []

const gatewayConfig = (extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ version: 3, name: 'unstamped', port: 8080, endpoints: [], ...extra }, null, 2)}\n`

before(async () => {
  conn = await testDocker()
  base = await requireBaseImage()
  registry = (await requireRegistry()).host
  authRegistry = await requireAuthRegistry()
  await writeFile(gatewayFile, gatewayConfig())
})

after(async () => {
  for (const ref of toRemove) await removeImage(conn.docker, ref)
  await rm(scratch, { recursive: true, force: true })
})

function spec(overrides: Partial<ImageBuildSpec> = {}): ImageBuildSpec {
  return {
    service: 'payments',
    sha: randomSha(),
    gatewayConfig: gatewayFile,
    repository: `${registry}/gwdeploy-test/${uniqueName('gw')}`,
    base,
    cacheDir,
    ...overrides,
  }
}

/** Runs the image with `cmd` (as its own user) to the end: its stdout and stderr. */
async function runToExit(reference: string, cmd: string[], env: string[]): Promise<string> {
  const container = await conn.docker.createContainer({ Image: reference, Cmd: cmd, Env: env })
  try {
    await container.start()
    await container.wait()
    return demux(await container.logs({ stdout: true, stderr: true, follow: false }))
  } finally {
    await container.remove({ force: true })
  }
}

async function build(
  s: ImageBuildSpec,
  env: NodeJS.ProcessEnv = {},
  events: EngineEvent[] = [],
): Promise<ImageBuildResult> {
  const result = await buildImage(s, {
    docker: conn,
    env: { ...env, HOME: scratch },
    reporter: { emit: (e) => events.push(e), close() {} },
  })
  toRemove.push(result.reference)
  return result
}

describe('image build against the test dockerd and registries', { concurrency: false }, () => {
  test('builds a labelled non-root image whose /__health reports the stamped name', async () => {
    const events: EngineEvent[] = []
    const s = spec({ nameTemplate: '{service} rev-{sha7} "q" $HOME', source: 'https://example.test/gw' })
    const result = await build(s, {}, events)
    assert.equal(result.reused, false)
    assert.equal(result.reference, `${s.repository}:${s.sha.slice(0, 7)}`)
    assert.equal(result.configName, `payments rev-${s.sha.slice(0, 7)} "q" $HOME`)
    assert.ok(events.some((e) => e.type === 'progress' && /^Step 1\/\d+ : FROM /.test(e.message)))

    const info = await conn.docker.getImage(result.reference).inspect()
    const labels = info.Config.Labels ?? {}
    assert.equal(labels[LABELS.revision], s.sha)
    assert.equal(labels[LABELS.version], s.sha.slice(0, 7))
    assert.equal(labels[LABELS.source], 'https://example.test/gw')
    assert.equal(labels[LABELS.title], 'payments')
    assert.equal(labels[LABELS.service], 'payments')
    assert.equal(labels[LABELS.configName], result.configName)
    assert.equal(labels[LABELS.configDigest], result.configDigest)
    assert.ok(!Number.isNaN(Date.parse(labels[LABELS.created] ?? '')))
    assert.equal(info.Config.User, '1000:1000')
    assert.ok(info.Config.Healthcheck?.Test?.join(' ').includes('/__health'))
    assert.ok(Object.keys(info.Config.ExposedPorts ?? {}).includes('8080/tcp'))

    const node = await runImage(conn.docker, result.reference, 8080)
    try {
      const health = await waitForJson(`${node.url}/__health`)
      assert.equal(health.name, result.configName)
      const user = await node.container.inspect()
      assert.equal(user.Config.User, '1000:1000')
    } finally {
      await node.stop()
    }
    // The runtime starts from the caches the build wrote, readable by the non-root user: start.cjs
    // from Node's compile cache, gateway.cjs from the code cache its warm-up wrote.
    const cacheLog = await runToExit(
      result.reference,
      ['--version'],
      ['NODE_DEBUG_NATIVE=COMPILE_CACHE', 'NODE_DEBUG=gwdeploy'],
    )
    assert.match(cacheLog, /V8 code cache for CommonJS \/opt\/gwdeploy\/start\.cjs was accepted/)
    assert.match(
      cacheLog,
      /gwdeploy code cache \/opt\/gwdeploy\/code-cache\/[0-9a-f]{32}-v8-\S+\.bin: accepted/,
    )
  })

  test('a Lua source the config names ships beside it, and the node (lazy fengari included) runs it', async () => {
    const dir = join(scratch, 'with-lua')
    await mkdir(join(dir, 'scripts'), { recursive: true })
    await writeFile(
      join(dir, 'scripts', 'shape.lua'),
      'function shape(r) r:data():set("shaped", 6 / 4) end\n',
    )
    const lua = { sources: ['scripts/shape.lua'], post: 'shape(response.load())' }
    const config = gatewayConfig({
      endpoints: [
        {
          endpoint: '/shaped',
          extra_config: { 'modifier/lua-proxy': lua },
          backend: [{ host: ['http://127.0.0.1:8080'], url_pattern: '/__health' }],
        },
      ],
    })
    await writeFile(join(dir, 'gateway.json'), config)
    const s = spec({ gatewayConfig: join(dir, 'gateway.json') })
    const result = await build(s)
    const node = await runImage(conn.docker, result.reference, 8080)
    try {
      await waitForJson(`${node.url}/__health`)
      const shaped = await waitForJson(`${node.url}/shaped`)
      assert.equal(shaped.shaped, 1.5)
      assert.equal(shaped.name, result.configName)
    } finally {
      await node.stop()
    }
    // The source is part of the config: another source is another config digest.
    const stamp = () =>
      stampGatewayConfig({ file: join(dir, 'gateway.json'), service: s.service, sha: s.sha })
    assert.equal((await stamp()).digest, result.configDigest)
    await writeFile(join(dir, 'scripts', 'shape.lua'), 'function shape(r) end\n')
    assert.notEqual((await stamp()).digest, result.configDigest)
  })

  test('pushes, then pulls by digest; a second build reuses the tag, from the engine or the registry', async () => {
    const s = spec({ push: true })
    const first = await build(s)
    assert.equal(first.pushed, true)
    assert.match(
      first.digest ?? '',
      new RegExp(`^${s.repository.replace(/[.]/g, '\\.')}@sha256:[0-9a-f]{64}$`),
    )

    const events: EngineEvent[] = []
    const again = await build(s, {}, events)
    assert.equal(again.reused, 'local')
    assert.equal(again.digest, first.digest)
    assert.equal(again.pushed, false)
    assert.ok(
      events.some((e) => e.type === 'info' && /already built with this config: reused/.test(e.message)),
    )

    // Only the registry has it now: reused from there, and pullable by digest.
    await removeImage(conn.docker, first.reference)
    const fromRegistry = await build(s)
    assert.equal(fromRegistry.reused, 'registry')
    assert.equal(fromRegistry.digest, first.digest)
    await drain((await conn.docker.pull(first.digest ?? '')) as unknown as Readable)
    const pulled = await conn.docker.getImage(first.digest ?? '').inspect()
    assert.equal(pulled.Config.Labels?.[LABELS.configDigest], first.configDigest)
    assert.ok(pulled.RepoDigests.includes(first.digest ?? ''))
    toRemove.push(first.digest ?? '')
  })

  test('a changed config under the same SHA is refused with both digests (exit 2)', async () => {
    const s = spec({ push: true })
    const first = await build(s)
    const changed = join(scratch, 'changed.json')
    await writeFile(changed, gatewayConfig({ timeout: '3s' }))
    for (const where of ['local', 'registry'] as const) {
      if (where === 'registry') await removeImage(conn.docker, first.reference)
      await assert.rejects(build({ ...s, gatewayConfig: changed }), (error: Failure) => {
        assert.equal(error.exitCode, 2)
        assert.match(error.message, where === 'local' ? /in the local Docker engine/ : /in 127\.0\.0\.1:\d+/)
        assert.ok(error.message.includes(first.configDigest), error.message)
        assert.match(error.message, /sha256:[0-9a-f]{64} now/)
        return true
      })
    }
  })

  test('registry auth: env credentials push; wrong or missing ones fail clearly without printing the password', async () => {
    const repo = `${authRegistry.host}/gwdeploy-test/${uniqueName('auth')}`
    const good = {
      GWDEPLOY_REGISTRY_USER: authRegistry.user,
      GWDEPLOY_REGISTRY_PASSWORD: authRegistry.password,
    }
    const ok = await build(spec({ repository: repo, push: true }), good)
    assert.equal(ok.pushed, true)
    assert.match(ok.digest ?? '', /@sha256:/)

    const wrongPassword = `wrong-${authRegistry.password}`
    await assert.rejects(
      build(spec({ repository: repo, push: true }), { ...good, GWDEPLOY_REGISTRY_PASSWORD: wrongPassword }),
      (error: Failure) => {
        assert.equal(error.exitCode, 6)
        assert.match(error.message, /refused the credentials from GWDEPLOY_REGISTRY_USER\/PASSWORD/)
        const text = JSON.stringify({ message: error.message, hint: error.hint, details: error.details })
        assert.ok(
          !text.includes(wrongPassword) && !text.includes(authRegistry.password),
          'no password in the error',
        )
        return true
      },
    )
    await assert.rejects(build(spec({ repository: repo, push: true })), (error: Failure) => {
      assert.equal(error.exitCode, 6)
      assert.match(error.message, /requires authentication/)
      assert.match(error.hint ?? '', /docker login .*GWDEPLOY_REGISTRY_USER/)
      return true
    })
  })

  test('registry auth from a Docker config: auths and a credential helper program', async () => {
    const repo = `${authRegistry.host}/gwdeploy-test/${uniqueName('cfg')}`
    const dir = join(scratch, 'docker-config')
    await mkdir(dir, { recursive: true })
    const auth = Buffer.from(`${authRegistry.user}:${authRegistry.password}`).toString('base64')
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [authRegistry.host]: { auth } } }))
    const viaAuths = await build(spec({ repository: repo, push: true }), { DOCKER_CONFIG: dir })
    assert.equal(viaAuths.pushed, true)

    // A real docker-credential-* program on PATH, speaking the helper protocol.
    const bin = join(scratch, 'bin')
    await mkdir(bin, { recursive: true })
    const helper = join(bin, 'docker-credential-gwtest')
    await writeFile(
      helper,
      `#!/bin/sh\nread server\nif [ "$1" = get ] && [ "$server" = "${authRegistry.host}" ]; then\n  printf '{"ServerURL":"%s","Username":"${authRegistry.user}","Secret":"${authRegistry.password}"}' "$server"\nelse\n  echo "credentials not found in native keychain"; exit 1\nfi\n`,
    )
    await chmod(helper, 0o755)
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ credHelpers: { [authRegistry.host]: 'gwtest' } }),
    )
    const viaHelper = await build(spec({ repository: repo, push: true }), {
      DOCKER_CONFIG: dir,
      PATH: `${bin}:${process.env.PATH}`,
    })
    assert.equal(viaHelper.pushed, true)
  })

  test('a base image that does not exist fails at FROM with a hint about image.base (exit 6)', async () => {
    await assert.rejects(
      build(spec({ base: `gwdeploy-test/${uniqueName('missing')}:1` })),
      (error: Failure) => {
        assert.equal(error.exitCode, 6)
        assert.match(error.message, /docker build failed at Step 1\/\d+ : FROM gwdeploy-test\/missing-/)
        assert.match(error.hint ?? '', /image\.base/)
        return true
      },
    )
  })

  test('a base image that already runs as a non-root user builds, without the compile cache', async () => {
    const nonRoot = `gwdeploy-test/${uniqueName('non-root')}:1`
    const [repo, tag] = nonRoot.split(':')
    const scratchContainer = await conn.docker.createContainer({ Image: base })
    try {
      await scratchContainer.commit({ repo, tag, changes: 'USER 1000:1000' })
    } finally {
      await scratchContainer.remove({ force: true })
    }
    toRemove.push(nonRoot)
    const events: EngineEvent[] = []
    const result = await build(spec({ base: nonRoot }), {}, events)
    assert.ok(
      events.some(
        (e) => e.type === 'progress' && /no compile cache \(the build does not run as root\)/.test(e.message),
      ),
    )
    const node = await runImage(conn.docker, result.reference, 8080)
    try {
      assert.equal((await waitForJson(`${node.url}/__health`)).name, result.configName)
    } finally {
      await node.stop()
    }
  })

  test('a base image without Node fails at the Node check with the step output (exit 6)', async () => {
    const broken = `gwdeploy-test/${uniqueName('no-node')}:1`
    await importImageWithoutNode(conn.docker, broken)
    toRemove.push(broken)
    await assert.rejects(build(spec({ base: broken })), (error: Failure) => {
      assert.equal(error.exitCode, 6)
      assert.match(error.message, /docker build failed at Step 2\/\d+ : RUN \["node"/)
      assert.match(error.message, /node.*(no such file|not found)/i)
      return true
    })
  })

  test('broken templates: unknown placeholder (exit 2) and a failing instruction with its output (exit 6)', async () => {
    const dir = join(scratch, 'templates')
    await mkdir(dir, { recursive: true })
    const original = await readFile(
      new URL('../../templates/image/Dockerfile.bundled', import.meta.url),
      'utf8',
    )
    await writeFile(join(dir, 'Dockerfile.bundled'), original.replace('{{port}}', '{{listenPort}}'))
    await assert.rejects(build(spec({ templateDir: dir })), (error: Failure) => {
      assert.equal(error.exitCode, 2)
      assert.match(error.message, /unknown placeholders: \{\{listenPort\}\}/)
      return true
    })
    await writeFile(
      join(dir, 'Dockerfile.bundled'),
      original.replace(
        'COPY config/',
        'RUN ["node", "-e", "console.log(\'template says no\'); process.exit(3)"]\nCOPY config/',
      ),
    )
    await assert.rejects(build(spec({ templateDir: dir })), (error: Failure) => {
      assert.equal(error.exitCode, 6)
      assert.match(error.message, /at Step \d+\/\d+ : RUN \["node", "-e"/)
      assert.match(error.message, /returned a non-zero code: 3/)
      assert.ok(
        error.problems?.some((p) => p.message.includes('template says no')),
        JSON.stringify(error.problems),
      )
      return true
    })
  })
})
