/**
 * The real single-node Kubernetes the tests run against, started by `scripts/k8s/cluster.sh
 * start` (through `scripts/services.sh start`), which writes GWDEPLOY_TEST_KUBECONFIG (an admin
 * kubeconfig with a static token) to .ci/state/services.env. `requireKubernetes()` checks that
 * the API server is ready and the node is Ready, or THROWS saying what to run: a missing
 * cluster fails a test, it never skips.
 */
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { parse } from 'yaml'
import { serviceEnv } from './services.ts'

const HOW =
  'run `scripts/services.sh start` (it builds and starts scripts/k8s/cluster.sh; the first build takes minutes)'

export interface KubeAnswer {
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
  json<T = Record<string, unknown>>(): T
}

export interface AdminCluster {
  /** The admin kubeconfig's path (a static token in group system:masters). */
  kubeconfig: string
  /** https://127.0.0.1:PORT */
  server: string
  ca: Buffer
  /** The name of the one node (also its address). */
  node: string
  /** One API call as admin (`headers`: extra request headers, e.g. for the service proxy). */
  call(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
    headers?: Record<string, string>,
  ): Promise<KubeAnswer>
}

interface KubeconfigFile {
  clusters?: Array<{ cluster?: { server?: string; 'certificate-authority'?: string } }>
  users?: Array<{ user?: { token?: string } }>
}

function kubeCall(
  server: string,
  ca: Buffer,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
  extraHeaders: Record<string, string> = {},
): Promise<KubeAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = request(
      `${server}${path}`,
      {
        method,
        ca,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...extraHeaders,
          ...(payload ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            headers: res.headers,
            json: <T>() => JSON.parse(text) as T,
          }),
        )
      },
    )
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path}: timed out`)))
    req.on('error', reject)
    req.end(payload)
  })
}

let cluster: Promise<AdminCluster> | undefined

export function requireKubernetes(): Promise<AdminCluster> {
  cluster ??= connectCluster()
  cluster.catch(() => {
    cluster = undefined
  })
  return cluster
}

async function connectCluster(): Promise<AdminCluster> {
  const kubeconfig = serviceEnv('GWDEPLOY_TEST_KUBECONFIG')
  if (!kubeconfig) throw new Error(`kubernetes: GWDEPLOY_TEST_KUBECONFIG is not set: ${HOW}`)
  let file: KubeconfigFile
  try {
    file = parse(readFileSync(kubeconfig, 'utf8')) as KubeconfigFile
  } catch (error) {
    throw new Error(`kubernetes: cannot read ${kubeconfig} (${(error as Error).message}): ${HOW}`)
  }
  const server = file.clusters?.[0]?.cluster?.server
  const caFile = file.clusters?.[0]?.cluster?.['certificate-authority']
  const token = file.users?.[0]?.user?.token
  if (!server || !caFile || !token)
    throw new Error(`kubernetes: ${kubeconfig} lacks server, CA or token: ${HOW}`)
  const ca = readFileSync(caFile)
  const call = (
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
    headers?: Record<string, string>,
  ) => kubeCall(server, ca, token, method, path, body, contentType, headers)
  let ready: KubeAnswer
  try {
    ready = await call('GET', '/readyz')
  } catch (error) {
    throw new Error(`kubernetes: API server ${server} not reachable (${(error as Error).message}): ${HOW}`)
  }
  if (ready.status !== 200) throw new Error(`kubernetes: ${server}/readyz answered ${ready.status}: ${HOW}`)
  const node = serviceEnv('GWDEPLOY_TEST_KUBE_NODE') ?? '127.0.0.1'
  const answer = await call('GET', `/api/v1/nodes/${node}`)
  const conditions =
    answer.status === 200
      ? (answer.json<{ status?: { conditions?: Array<{ type: string; status: string }> } }>().status
          ?.conditions ?? [])
      : []
  if (!conditions.some((c) => c.type === 'Ready' && c.status === 'True')) {
    throw new Error(
      `kubernetes: node ${node} is not Ready (HTTP ${answer.status}); \`scripts/k8s/cluster.sh status\` shows which part is down: ${HOW}`,
    )
  }
  return { kubeconfig, server, ca, node, call }
}
