/**
 * A throw-away gwdeploy project on the kubernetes provider: a fake API server (real HTTP, pods
 * as real containers on the test dockerd), a kubeconfig for it, a unique image repository on
 * the test registry and a unique namespace. The CLI runs as a subprocess (bin/run.js).
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { type CliResult, runCli } from '../../helpers/cli.ts'
import { removeImage, testDocker } from '../../helpers/docker.ts'
import { requireBaseImage, requireDocker, requireRegistry } from '../../helpers/services.ts'
import { type FakeApiServer, startFakeApiServer } from './fake-apiserver/server.ts'

export interface KubeProject {
  dir: string
  service: string
  namespace: string
  repository: string
  api: FakeApiServer
  env: NodeJS.ProcessEnv
  writeConfig(overrides?: {
    provider?: Record<string, unknown>
    top?: Record<string, unknown>
  }): Promise<void>
  run(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>
  cleanup(): Promise<void>
}

export const sha = (n: number) => `${String(n).padStart(2, '0')}${'ab'.repeat(19)}`.slice(0, 40)

export async function makeKubeProject(): Promise<KubeProject> {
  const docker = await requireDocker()
  const base = await requireBaseImage()
  const registry = await requireRegistry()
  const { docker: client } = await testDocker()
  const api = await startFakeApiServer({ docker: client })
  const dir = await mkdtemp(join(tmpdir(), 'gwd-k8s-'))
  const id = randomBytes(3).toString('hex')
  const service = `gw-${id}`
  const namespace = `ns-${id}`
  const repository = `${registry.host}/gwdeploy-test/k8s-${id}`
  await api.writeKubeconfig(join(dir, 'kubeconfig.json'), namespace)
  await writeFile(
    join(dir, 'gateway.json'),
    JSON.stringify({
      version: 3,
      name: 'k8s',
      endpoints: [
        { endpoint: '/v1/ping', backend: [{ host: ['http://127.0.0.1:9'], url_pattern: '/ping' }] },
      ],
    }),
  )
  const env = { DOCKER_HOST: docker.host, GWDEPLOY_CACHE_DIR: join(dir, '.cache'), KUBECONFIG: '' }
  const project: KubeProject = {
    dir,
    service,
    namespace,
    repository,
    api,
    env,
    async writeConfig(overrides = {}) {
      const config = {
        service,
        gateway: { config: 'gateway.json' },
        image: { repository, base, push: true },
        fleet: { size: 2, port: 8080 },
        health: { interval: '200ms', timeout: '2s', rise: 2, deadline: '60s' },
        smoke: [{ name: 'health via preview', path: '/__health', bodyContains: service }],
        lock: { ttl: '1m' },
        ...overrides.top,
        provider: {
          kind: 'kubernetes',
          kubernetes: {
            kubeconfig: 'kubeconfig.json',
            namespace,
            drainGrace: '200ms',
            drainTimeout: '1s',
            progressDeadline: '60s',
            ...overrides.provider,
          },
        },
      }
      await writeFile(join(dir, 'gwdeploy.yml'), stringify(config))
    },
    run(args, extra) {
      return runCli(args, { cwd: dir, env: { ...env, ...extra }, timeoutMs: 240_000 })
    },
    async cleanup() {
      await api.close()
      for (const n of [1, 2, 3, 4, 5]) await removeImage(client, `${repository}:${sha(n).slice(0, 7)}`)
      await rm(dir, { recursive: true, force: true })
    },
  }
  await project.writeConfig()
  return project
}
