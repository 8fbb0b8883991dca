/**
 * A throw-away gwdeploy project on the kubernetes provider against the REAL test cluster
 * (scripts/k8s/cluster.sh): a fresh namespace, a ServiceAccount bound to the shipped Role
 * (templates/kubernetes/rbac.yaml, applied as written, only the binding's subject set to that
 * ServiceAccount) and a kubeconfig holding a token issued for it (TokenRequest). gwdeploy runs
 * as that ServiceAccount, never as admin, so every test also proves the Role sufficient. The
 * image is built by gwdeploy on the test dockerd and pushed to the test registry; the node's
 * containerd pulls it from there.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseAllDocuments, stringify } from 'yaml'
import { type CliResult, runCli } from '../../helpers/cli.ts'
import { removeImage, testDocker } from '../../helpers/docker.ts'
import { type AdminCluster, requireKubernetes } from '../../helpers/kubernetes.ts'
import {
  repoRoot,
  requireBaseImage,
  requireDocker,
  requireRegistry,
  serviceEnv,
} from '../../helpers/services.ts'

/** A 40-hex commit SHA per test step. */
export const sha = (n: number) => `${String(n).padStart(2, '0')}${'ab'.repeat(19)}`.slice(0, 40)

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects as the API server returns them
export type Obj = any

export interface RealKubeProject {
  dir: string
  service: string
  namespace: string
  repository: string
  cluster: AdminCluster
  env: NodeJS.ProcessEnv
  writeConfig(overrides?: {
    provider?: Record<string, unknown>
    top?: Record<string, unknown>
  }): Promise<void>
  run(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>
  /** One object read as admin, or undefined (404). */
  get(path: string): Promise<Obj | undefined>
  deployment(colour: 'blue' | 'green'): Promise<Obj | undefined>
  /** Pods of a colour that are not being deleted. */
  pods(colour: 'blue' | 'green'): Promise<Obj[]>
  /** The live Service's selected colour. */
  liveColour(): Promise<string | undefined>
  /** GET through the API server's service proxy to the live Service (as admin). */
  viaService(path: string): Promise<{ status: number; body: string }>
  cleanup(): Promise<void>
}

const SERVICE_ACCOUNT = 'ci'

async function must(cluster: AdminCluster, method: string, path: string, body: unknown, what: string) {
  const answer = await cluster.call(method, path, body)
  if (answer.status >= 300) throw new Error(`${what}: ${method} ${path} -> ${answer.status} ${answer.body}`)
  return answer
}

async function shippedRbac(): Promise<Obj[]> {
  const text = await readFile(join(repoRoot, 'templates/kubernetes/rbac.yaml'), 'utf8')
  return parseAllDocuments(text).map((d) => d.toJS() as Obj)
}

/** Every "apiGroup resource[/subresource] verb" the shipped Role grants. */
export async function shippedRolePermissions(): Promise<string[]> {
  const role = (await shippedRbac()).find((d) => d.kind === 'Role')
  const granted: string[] = []
  for (const rule of role.rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>)
    for (const group of rule.apiGroups)
      for (const resource of rule.resources)
        for (const verb of rule.verbs) granted.push(`${group || 'core'} ${resource} ${verb}`)
  return granted.sort()
}

export interface AuditedRequest {
  /** "apiGroup resource[/subresource] verb" */
  permission: string
  code: number
  uri: string
}

/** What the test ServiceAccount of `namespace` asked the API server, from its audit log. */
export async function auditedRequests(namespace: string): Promise<AuditedRequest[]> {
  const file = serviceEnv('GWDEPLOY_TEST_KUBE_AUDIT_LOG')
  if (!file) throw new Error('GWDEPLOY_TEST_KUBE_AUDIT_LOG is not set: run `scripts/services.sh start`')
  const user = `system:serviceaccount:${namespace}:${SERVICE_ACCOUNT}`
  const requests: AuditedRequest[] = []
  // The API server rotates the log at 100 MB (audit-<time>.log beside it): a long suite's early
  // requests may be in the backup.
  const backups = (await readdir(dirname(file))).filter((name) => /^audit-.*\.log$/.test(name)).sort()
  const texts = await Promise.all(
    [...backups.map((name) => join(dirname(file), name)), file].map((f) => readFile(f, 'utf8')),
  )
  for (const line of texts.join('\n').split('\n')) {
    if (!line.includes(user)) continue
    const event = JSON.parse(line) as Obj
    if (event.user?.username !== user || event.stage !== 'ResponseComplete' || !event.objectRef) continue
    const ref = event.objectRef
    requests.push({
      permission: `${ref.apiGroup || 'core'} ${ref.resource}${ref.subresource ? `/${ref.subresource}` : ''} ${event.verb}`,
      code: event.responseStatus?.code ?? 0,
      uri: event.requestURI,
    })
  }
  return requests
}

/** The shipped Role and RoleBinding, bound to `ci` in `namespace`. */
async function applyShippedRbac(cluster: AdminCluster, namespace: string): Promise<void> {
  const docs = await shippedRbac()
  const role = docs.find((d) => d.kind === 'Role')
  const binding = docs.find((d) => d.kind === 'RoleBinding')
  if (!role || !binding) throw new Error('templates/kubernetes/rbac.yaml lacks the Role or the RoleBinding')
  const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}`
  await must(cluster, 'POST', `${rbac}/roles`, role, 'shipped Role')
  binding.subjects = [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace }]
  await must(cluster, 'POST', `${rbac}/rolebindings`, binding, 'shipped RoleBinding')
}

/**
 * A fresh namespace with the ServiceAccount `ci` bound to the shipped Role, and `kubeconfig.yaml`
 * in `dir` holding a token issued for it (default namespace: that namespace).
 */
export async function makeServiceAccountNamespace(cluster: AdminCluster, dir: string): Promise<string> {
  const namespace = `gwr-${randomBytes(3).toString('hex')}`
  await must(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: namespace } }, 'namespace')
  await must(
    cluster,
    'POST',
    `/api/v1/namespaces/${namespace}/serviceaccounts`,
    { metadata: { name: SERVICE_ACCOUNT } },
    'ServiceAccount',
  )
  await applyShippedRbac(cluster, namespace)
  const tokenAnswer = await must(
    cluster,
    'POST',
    `/api/v1/namespaces/${namespace}/serviceaccounts/${SERVICE_ACCOUNT}/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 7200 } },
    'TokenRequest',
  )
  const token = tokenAnswer.json<{ status: { token: string } }>().status.token
  const user = `system:serviceaccount:${namespace}:${SERVICE_ACCOUNT}`
  await writeFile(
    join(dir, 'kubeconfig.yaml'),
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'test',
          cluster: { server: cluster.server, 'certificate-authority-data': cluster.ca.toString('base64') },
        },
      ],
      users: [{ name: user, user: { token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user, namespace } }],
      'current-context': 'test',
    }),
    { mode: 0o600 },
  )
  return namespace
}

export async function makeRealKubeProject(): Promise<RealKubeProject> {
  const cluster = await requireKubernetes()
  const docker = await requireDocker()
  const base = await requireBaseImage()
  const registry = await requireRegistry()
  const { docker: client } = await testDocker()
  const dir = await mkdtemp(join(tmpdir(), 'gwd-k8s-real-'))
  const namespace = await makeServiceAccountNamespace(cluster, dir)
  const id = namespace.slice('gwr-'.length)
  const service = `gw-${id}`
  const repository = `${registry.host}/gwdeploy-test/k8s-real-${id}`
  await writeFile(
    join(dir, 'gateway.json'),
    JSON.stringify({
      version: 3,
      name: 'k8s',
      endpoints: [
        { endpoint: '/v1/ping', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/ping' }] },
      ],
    }),
  )
  const env = { DOCKER_HOST: docker.host, GWDEPLOY_CACHE_DIR: join(dir, '.cache'), KUBECONFIG: '' }
  const ns = `/api/v1/namespaces/${namespace}`
  const get = async (path: string) => {
    const answer = await cluster.call('GET', path)
    if (answer.status === 404) return undefined
    if (answer.status !== 200) throw new Error(`GET ${path} -> ${answer.status} ${answer.body}`)
    return answer.json<Obj>()
  }
  const project: RealKubeProject = {
    dir,
    service,
    namespace,
    repository,
    cluster,
    env,
    async writeConfig(overrides = {}) {
      const config = {
        service,
        gateway: { config: 'gateway.json' },
        image: { repository, base, push: true },
        fleet: { size: 2, port: 8080 },
        health: { interval: '200ms', timeout: '2s', rise: 2, deadline: '90s' },
        smoke: [{ name: 'health via preview', path: '/__health', bodyContains: service }],
        lock: { ttl: '1m' },
        ...overrides.top,
        provider: {
          kind: 'kubernetes',
          kubernetes: {
            kubeconfig: 'kubeconfig.yaml',
            namespace,
            drainGrace: '200ms',
            drainTimeout: '1s',
            progressDeadline: '90s',
            ...overrides.provider,
          },
        },
      }
      await writeFile(join(dir, 'gwdeploy.yml'), stringify(config))
    },
    run(args, extra) {
      return runCli(args, { cwd: dir, env: { ...env, ...extra }, timeoutMs: 300_000 })
    },
    get,
    deployment: (colour) => get(`/apis/apps/v1/namespaces/${namespace}/deployments/${service}-${colour}`),
    async pods(colour) {
      const selector = encodeURIComponent(
        `app.kubernetes.io/instance=${service},gwdeploy.dev/colour=${colour}`,
      )
      const list = (await get(`${ns}/pods?labelSelector=${selector}`)) as { items: Obj[] }
      return list.items.filter((pod) => !pod.metadata.deletionTimestamp)
    },
    async liveColour() {
      return (await get(`${ns}/services/${service}`))?.spec.selector['gwdeploy.dev/colour']
    },
    async viaService(path) {
      const answer = await cluster.call('GET', `${ns}/services/${service}:http/proxy${path}`)
      return { status: answer.status, body: answer.body }
    },
    async cleanup() {
      await cluster.call('DELETE', `/api/v1/namespaces/${namespace}`).catch(() => {})
      for (const n of [1, 2, 3, 4, 5, 10, 11, 12])
        await removeImage(client, `${repository}:${sha(n).slice(0, 7)}`)
      await rm(dir, { recursive: true, force: true })
    },
  }
  await project.writeConfig()
  return project
}
