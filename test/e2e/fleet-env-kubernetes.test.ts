/**
 * fleet.env on the real cluster, as the ServiceAccount bound to the shipped Role (which has no
 * access to Secrets): a plain value, a secretKeyRef and an envFrom Secret the test creates as
 * admin. The secretKeyRef reaches the gateway's flexible config at start (the group name of a real
 * backend call, asked through the API server's service proxy); the envFrom key is read inside
 * the pod (kubectl exec), as is the secretKeyRef's file in /run/gwdeploy/env. Neither value is in any output, --json envelope, history, release record
 * (ConfigMap), Deployment (annotations included) or Pod object. A missing Secret or key fails the
 * release with exit 2 naming the gwdeploy.yml key — not at the health gate's deadline (exit 4) —
 * with traffic untouched and green torn down.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { envelope } from '../helpers/cli.ts'
import { requireKubectl } from '../helpers/services.ts'
import {
  makeRealKubeProject,
  type Obj,
  type RealKubeProject,
  sha,
} from '../providers/kubernetes/real-project.ts'

const SECRET = 'kubesecret7f3a91c0d2'
const ENV_FROM_SECRET = 'envfromsecret51be08aa'

// A flexible-config template (not JSON until rendered: the env call's quotes are not escaped). The
// node renders the secret at start into the `group` of a backend — its own /__health, a real
// call inside the pod — so the answer's key is the value the kubelet gave the pod. (CORS, as on
// haproxy, cannot be seen here: the API server's proxy strips Access-Control-* headers.)
const TEMPLATE = `{
  "version": 3,
  "name": "k8s",
  "endpoints": [
    { "endpoint": "/v1/ping", "backend": [{ "host": ["http://127.0.0.1:19"], "url_pattern": "/ping" }] },
    {
      "endpoint": "/v1/secret-group",
      "backend": [{ "host": ["http://127.0.0.1:8080"], "url_pattern": "/__health", "group": "{{ env "API_KEY" }}" }]
    }
  ]
}
`

const b64 = (text: string) => Buffer.from(text).toString('base64')

describe('fleet.env on kubernetes (real cluster): Secrets reach the pods, nowhere else; missing ones exit 2', {
  concurrency: false,
}, () => {
  let project: RealKubeProject
  const outputs: Array<[string, string]> = []
  const ns = () => `/api/v1/namespaces/${project.namespace}`
  const fleet = (env: Record<string, unknown>, envFrom: unknown[]) => ({
    top: {
      gateway: { config: 'gateway.json', flexibleConfig: {} },
      fleet: { size: 1, port: 8080, env, envFrom },
    },
  })
  const goodEnv = {
    API_KEY: { secretKeyRef: { name: 'gw-secrets', key: 'origin' } },
    LOG_NOTE: 'plain-note',
  }
  const run = async (args: string[]) => {
    const result = await project.run(args)
    outputs.push([`${args.join(' ')} stdout`, result.stdout], [`${args.join(' ')} stderr`, result.stderr])
    return result
  }
  const healthName = async () => JSON.parse((await project.viaService('/__health')).body).name as string

  before(async () => {
    project = await makeRealKubeProject()
    await writeFile(join(project.dir, 'gateway.json'), TEMPLATE)
    for (const [name, data] of [
      ['gw-secrets', { origin: b64(SECRET) }],
      ['gw-more', { MORE_NOTE: b64(ENV_FROM_SECRET) }],
    ] as const) {
      const created = await project.cluster.call('POST', `${ns()}/secrets`, { metadata: { name }, data })
      assert.equal(created.status, 201, created.body)
    }
    await project.writeConfig(fleet(goodEnv, [{ secret: 'gw-more' }]))
  })
  after(async () => {
    await project?.cleanup()
  })

  it('releases; the pod got the secretKeyRef (a backend group) and the envFrom Secret (its environment)', async () => {
    const released = await run(['release', '--sha', sha(1), '--json'])
    assert.equal(released.exitCode, 0, released.stderr + released.stdout)
    const answer = await project.viaService('/v1/secret-group')
    assert.equal(answer.status, 200, answer.body)
    assert.deepEqual(Object.keys(JSON.parse(answer.body)), [SECRET])
    const [pod] = await project.pods('blue')
    const container = pod.spec.containers[0]
    assert.deepEqual(
      container.env.find((e: Obj) => e.name === 'API_KEY'),
      { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'gw-secrets', key: 'origin' } } },
    )
    assert.deepEqual(
      container.env.find((e: Obj) => e.name === 'LOG_NOTE'),
      { name: 'LOG_NOTE', value: 'plain-note' },
    )
    assert.deepEqual(container.envFrom, [{ secretRef: { name: 'gw-more' } }])
    /** What `script` prints, run by node inside the pod's gateway container. */
    const inPod = async (script: string) => {
      const kubectl = await requireKubectl()
      const cache = await mkdtemp(join(tmpdir(), 'kubectl-cache-'))
      const { stdout } = await promisify(execFile)(
        kubectl.path,
        [
          'exec',
          '-n',
          project.namespace,
          pod.metadata.name,
          '-c',
          'gateway',
          '--cache-dir',
          cache,
          '--',
          'node',
          '-e',
          script,
        ],
        { env: { ...process.env, KUBECONFIG: project.cluster.kubeconfig } },
      ).finally(() => rm(cache, { recursive: true, force: true }))
      return stdout
    }
    assert.equal(await inPod('process.stdout.write(String(process.env.MORE_NOTE))'), ENV_FROM_SECRET)
    // The secretKeyRef is also a file, where the haproxy and aws containers have their secrets.
    assert.equal(
      await inPod("process.stdout.write(require('fs').readFileSync('/run/gwdeploy/env/API_KEY', 'utf8'))"),
      SECRET,
    )
  })

  it('a missing key of a secretKeyRef: exit 2 naming fleet.env.NAME and the Secret, traffic untouched, green torn down', async () => {
    await project.writeConfig(
      fleet({ ...goodEnv, API_KEY: { secretKeyRef: { name: 'gw-secrets', key: 'absent' } } }, [
        { secret: 'gw-more' },
      ]),
    )
    const result = await run(['release', '--sha', sha(2)])
    assert.equal(result.exitCode, 2, result.stderr)
    assert.match(result.stderr, /fleet\.env\.API_KEY\.secretKeyRef/)
    assert.match(result.stderr, new RegExp(`Secret ${project.namespace}/gw-secrets has no key "absent"`))
    assert.match(result.stderr, /CreateContainerConfigError/)
    assert.match(result.stderr, /tearing down green/)
    assert.equal(await project.liveColour(), 'blue')
    assert.equal(await healthName(), `${project.service} rev-${sha(1).slice(0, 7)}`)
    assert.deepEqual(await project.pods('green'), [])
  })

  it('a missing envFrom Secret: exit 2 naming fleet.envFrom[0].secret under --json too', async () => {
    await project.writeConfig(fleet(goodEnv, [{ secret: 'gw-absent' }]))
    const result = await run(['release', '--sha', sha(2), '--json'])
    assert.equal(result.exitCode, 2, result.stderr + result.stdout)
    const json = envelope(result)
    assert.equal(json.status, 'error')
    assert.equal(json.error?.exitCode, 2)
    assert.match(
      json.error?.message ?? '',
      /fleet\.envFrom\[0\]\.secret: Secret \S+\/gw-absent does not exist/,
    )
    assert.equal(await project.liveColour(), 'blue')
    assert.deepEqual(await project.pods('green'), [])
  })

  it('--keep-failed keeps the waiting green; the same SHA with fleet.env fixed replaces it and goes live', async () => {
    const broken = { ...goodEnv, API_KEY: { secretKeyRef: { name: 'gw-secrets', key: 'absent' } } }
    await project.writeConfig(fleet(broken, [{ secret: 'gw-more' }]))
    const failed = await run(['release', '--sha', sha(2), '--keep-failed'])
    assert.equal(failed.exitCode, 2, failed.stderr)
    assert.equal((await project.pods('green')).length, 1, 'the failed pod is kept for debugging')
    // The same spec again: the kept Deployment is reused as it is (its env read back from the API
    // server compares equal), and fails the same way.
    const again = await run(['release', '--sha', sha(2), '--keep-failed'])
    assert.equal(again.exitCode, 2, again.stderr)
    assert.match(again.stderr, /Deployment \S+-green already runs/)
    await project.writeConfig(fleet(goodEnv, [{ secret: 'gw-more' }]))
    const fixed = await run(['release', '--sha', sha(2)])
    assert.equal(fixed.exitCode, 0, fixed.stderr)
    assert.match(fixed.stderr, /updating Deployment/)
    assert.equal(await project.liveColour(), 'green')
    const answer = await project.viaService('/v1/secret-group')
    assert.deepEqual(Object.keys(JSON.parse(answer.body)), [SECRET])
  })

  it('no output, history entry, record, Deployment or Pod holds a secret value', async () => {
    for (const args of [['history'], ['status'], ['release', '--sha', sha(3), '--dry-run']]) {
      await run(args)
      await run([...args, '--json'])
    }
    const history = await project.run(['history', '--json'])
    const failed = (envelope(history).result as Array<{ status: string }>).filter(
      (e) => e.status === 'failed',
    )
    assert.equal(failed.length, 4, 'the failed releases are in the history')
    const list = async (what: string, path: string) => {
      const answer = await project.cluster.call('GET', path)
      assert.equal(answer.status, 200, answer.body)
      const items = answer.json<{ items: Obj[] }>().items
      outputs.push([what, answer.body])
      return items
    }
    const maps = await list('ConfigMaps', `${ns()}/configmaps`)
    assert.ok(
      maps.some((m) => m.metadata.labels?.['gwdeploy.dev/record'] === 'release'),
      'the release records are among them',
    )
    const deployments = await list('Deployments', `/apis/apps/v1/namespaces/${project.namespace}/deployments`)
    assert.ok(deployments.length >= 1)
    await list('Pods', `${ns()}/pods`)
    await list('Events', `${ns()}/events`)
    for (const [where, text] of outputs) {
      assert.ok(!text.includes(SECRET), `${where} contains the secretKeyRef value`)
      assert.ok(!text.includes(ENV_FROM_SECRET), `${where} contains the envFrom value`)
    }
  })
})
