/** fleet.env / fleet.envFrom in gwdeploy.yml: per-provider references, reserved names, locations. */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { stringify } from 'yaml'
import { loadConfig } from '../../src/config/load.ts'
import { gwConfigSchema } from '../../src/config/schema.ts'
import { validateProjectConfig } from '../../src/config/validate-project.ts'
import { deploymentManifest } from '../../src/providers/kubernetes/manifests.ts'
import { kubeSettings } from '../../src/providers/kubernetes/settings.ts'

async function load(config: Record<string, unknown>) {
  const dir = await mkdtemp(join(tmpdir(), 'gwd-fenv-'))
  try {
    await writeFile(join(dir, 'gwdeploy.yml'), stringify(config))
    return loadConfig({ cwd: dir, environ: {} })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const problemsOf = async (config: Record<string, unknown>) => {
  try {
    await load(config)
  } catch (error) {
    const e = error as {
      exitCode: number
      problems: Array<{ message: string; location?: { path?: string; line?: number } }>
    }
    assert.equal(e.exitCode, 2)
    return e.problems
  }
  assert.fail('the config was accepted')
}

describe('fleet.env', () => {
  it('accepts plain values (numbers and booleans as strings) and local references', async () => {
    const loaded = await load({
      service: 'gw',
      fleet: { env: { A: 1, B: true, C: 'x', D: { fromFile: 'secret.txt' }, E: { fromEnv: 'TOKEN' } } },
    })
    assert.deepEqual(loaded.config.fleet.env, {
      A: '1',
      B: 'true',
      C: 'x',
      D: { fromFile: 'secret.txt' },
      E: { fromEnv: 'TOKEN' },
    })
  })

  it('refuses references the provider cannot resolve, reserved names and relative host paths, with line and path', async () => {
    const problems = await problemsOf({
      service: 'gw',
      image: { repository: 'registry.example.com/gw' },
      fleet: {
        env: {
          KRAKEND_NAME: 'x',
          GATEWAY_PORT: '1',
          TOKEN: { ssm: '/gw/token' },
          FILE: { fromFile: 'relative.txt' },
        },
        envFrom: [{ secret: 'gw-secrets' }],
      },
      provider: {
        kind: 'haproxy',
        haproxy: {
          instances: [{ socket: '/run/haproxy.sock', configFile: 'haproxy.cfg', mapFile: 'color.map' }],
          dockerHosts: [{ host: 'unix:///var/run/docker.sock', publishAddress: '127.0.0.1' }],
        },
      },
    })
    const byPath = new Map(problems.map((p) => [p.location?.path, p.message]))
    assert.match(byPath.get('fleet.env.KRAKEND_NAME') ?? '', /stamps the config name/)
    assert.match(byPath.get('fleet.env.GATEWAY_PORT') ?? '', /set by gwdeploy/)
    assert.match(byPath.get('fleet.env.TOKEN.ssm') ?? '', /not resolved by provider "haproxy"/)
    assert.match(byPath.get('fleet.env.FILE.fromFile') ?? '', /absolute path on the Docker host/)
    assert.match(byPath.get('fleet.envFrom[0].secret') ?? '', /not supported by provider "haproxy"/)
    assert.ok(
      problems.every((p) => (p.location?.line ?? 0) > 0),
      'every problem names its gwdeploy.yml line',
    )
  })

  it('kubernetes: plain values inline, secretKeyRef and envFrom Secrets by reference only', () => {
    const config = gwConfigSchema.parse({
      service: 'gw',
      image: { repository: 'registry.example.com/gw' },
      fleet: {
        env: { LOG: 'json', API_KEY: { secretKeyRef: { name: 'gw-secrets', key: 'api-key' } } },
        envFrom: [{ secret: 'gw-more' }],
      },
      provider: { kind: 'kubernetes', kubernetes: {} },
    })
    const manifest = deploymentManifest(
      {
        service: 'gw',
        env: undefined,
        colour: 'green',
        size: 1,
        port: 8080,
        healthPath: '/__health',
        artifact: {
          sha: 'a'.repeat(40),
          sha7: 'aaaaaaa',
          configName: 'gw',
          configDigest: 'sha256:0',
          configText: '{"x": "{{env `API_KEY`}}"}',
          image: 'registry.example.com/gw@sha256:1',
        },
      },
      kubeSettings(config),
    )
    const container = (manifest.spec.template as { spec: { containers: Array<Record<string, unknown>> } })
      .spec.containers[0] as { env: unknown[]; envFrom: unknown[] }
    assert.deepEqual(container.env.slice(3), [
      { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'gw-secrets', key: 'api-key' } } },
      { name: 'LOG', value: 'json' },
      { name: 'FC_ENABLE', value: '1' },
    ])
    assert.deepEqual(container.envFrom, [{ secretRef: { name: 'gw-more' } }])
  })
})

describe('config validate: what the nodes would refuse at start, and what it leaves to gateway check', () => {
  async function project(yml: Record<string, unknown>, gateway: unknown = { version: 3, endpoints: [] }) {
    const dir = await mkdtemp(join(tmpdir(), 'gwd-fenv-validate-'))
    await writeFile(join(dir, 'gwdeploy.yml'), stringify(yml))
    await writeFile(join(dir, 'gateway.json'), JSON.stringify(gateway))
    return dir
  }
  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise
    } catch (error) {
      return error as {
        exitCode: number
        message: string
        location?: { path?: string; line?: number }
        problems?: Array<{ message: string; location?: { path?: string; line?: number } }>
      }
    }
    assert.fail('no error')
  }

  it('an unset fromEnv variable and an unreadable fromFile (local): exit 2, each located', async () => {
    const dir = await project({
      service: 'demo',
      fleet: { env: { TOKEN: { fromEnv: 'GWD_UNSET_FOR_TEST' }, KEY: { fromFile: 'missing.key' } } },
    })
    try {
      const error = await failure(validateProjectConfig({ cwd: dir, environ: {} }))
      assert.equal(error.exitCode, 2)
      const paths = (error.problems ?? []).map((p) => `${p.location?.path}:${p.location?.line}`)
      assert.deepEqual(paths.sort(), ['fleet.env.KEY.fromFile:7', 'fleet.env.TOKEN.fromEnv:5'])
      assert.match(
        error.problems?.[1]?.message ?? '',
        /GWD_UNSET_FOR_TEST is not set|missing\.key cannot be read/,
      )
      const ok = await validateProjectConfig({ cwd: dir, environ: { GWD_UNSET_FOR_TEST: 'x' } }).catch(
        (e: Error) => e,
      )
      assert.match(
        (ok as Error).message,
        /missing\.key cannot be read/,
        'the variable set, the file still missing',
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('a KRAKEND_* value the runtime refuses (an object key, a bad integer): exit 2 naming fleet.env', async () => {
    const dir = await project({
      service: 'demo',
      fleet: {
        env: { KRAKEND_ENDPOINTS: 'broken', KRAKEND_MAX_HEADER_BYTES: 'lots', KRAKEND_TIMEOUT: '3s' },
      },
    })
    try {
      const error = await failure(validateProjectConfig({ cwd: dir, environ: {} }))
      assert.equal(error.exitCode, 2)
      assert.deepEqual(
        (error.problems ?? []).map((p) => p.location?.path),
        ['fleet.env.KRAKEND_ENDPOINTS', 'fleet.env.KRAKEND_MAX_HEADER_BYTES'],
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('a gateway config release would refuse is refused here too, located (never "valid")', async () => {
    const bad = {
      version: 3,
      endpoints: [
        { endpoint: '/x', method: [7], backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/x' }] },
      ],
    }
    const dir = await project({ service: 'demo' }, bad)
    try {
      const error = await failure(validateProjectConfig({ cwd: dir, environ: {} }))
      assert.equal(error.exitCode, 2)
      assert.deepEqual(
        (error.problems ?? []).map((p) => p.location?.path),
        ['endpoints[0].method'],
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
