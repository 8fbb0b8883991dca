/**
 * The thin I/O layer: a KubeConfig (kubeconfig file/KUBECONFIG/~/.kube/config, or the in-cluster
 * service account) and the three API groups gwdeploy uses. @kubernetes/client-node is imported
 * here only, lazily (the provider module itself is loaded lazily by the registry).
 */
import { resolve } from 'node:path'
import type * as k8s from '@kubernetes/client-node'
import { secondsFromEnv } from '../../core/env-seconds.ts'
import { configError, providerError } from '../../core/errors.ts'

export type K8sModule = typeof k8s

export interface KubeClient {
  k8s: K8sModule
  config: k8s.KubeConfig
  /** The API server's base URL, e.g. https://10.0.0.1:6443. */
  server: string
  /** The kubeconfig context in use and the namespace it names (for a refusal's hint). */
  context: string
  contextNamespace: string | undefined
  core: k8s.CoreV1Api
  apps: k8s.AppsV1Api
  coordination: k8s.CoordinationV1Api
  discovery: k8s.DiscoveryV1Api
  authorization: k8s.AuthorizationV1Api
  /** Options that make a call send `Content-Type: application/merge-patch+json`. */
  mergePatch: k8s.ConfigurationOptions
  /**
   * This client with typed APIs whose calls also stop when `signal` aborts (the run's interrupt),
   * besides the deadline and what already stops this one; the client itself when there is no signal.
   */
  under(signal: AbortSignal | undefined): KubeClient
}

/** Environment variable: how long (seconds) one ordinary API call may wait for its answer. */
export const API_TIMEOUT_ENV = 'GWDEPLOY_KUBE_API_TIMEOUT'
export const DEFAULT_API_TIMEOUT_S = 30

/**
 * How long one API call made through the typed clients may take, headers and body: an API server
 * (or a load balancer in front of it) that accepts the connection and never answers would
 * otherwise hold each call for undici's 300 s header timeout. Log following, port-forwards and the
 * loopback tunnels do not go through these clients and are not bounded by it.
 */
export function apiTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return secondsFromEnv(API_TIMEOUT_ENV, DEFAULT_API_TIMEOUT_S, env)
}

/**
 * A middleware that gives each request its own deadline (an AbortSignal; fetch also aborts the
 * body read), and stops it when `stop` aborts: fetch then rejects with `stop`'s reason.
 */
function deadlineMiddleware(ms: number, stop?: AbortSignal): k8s.Middleware {
  return {
    pre: async (context) => {
      const deadline = AbortSignal.timeout(ms)
      context.setSignal(stop ? AbortSignal.any([stop, deadline]) : deadline)
      return context
    },
    post: async (response) => response,
  }
}

export async function connect(options: {
  kubeconfig?: string | undefined
  context?: string | undefined
  dir: string
}): Promise<KubeClient> {
  const k8sModule = await import('@kubernetes/client-node')
  const config = new k8sModule.KubeConfig()
  try {
    if (options.kubeconfig) config.loadFromFile(resolve(options.dir, options.kubeconfig))
    else config.loadFromDefault()
  } catch (error) {
    throw configError(`kubernetes: cannot load the kubeconfig: ${(error as Error).message}`, {
      hint: 'Set provider.kubernetes.kubeconfig or KUBECONFIG, or run inside a cluster with a service account.',
    })
  }
  if (options.context) {
    if (!config.getContextObject(options.context)) {
      const known = config.getContexts().map((c) => c.name)
      throw configError(`kubernetes: context "${options.context}" is not in the kubeconfig`, {
        hint: `provider.kubernetes.context must be one of: ${known.join(', ') || '(no contexts)'}.`,
      })
    }
    config.setCurrentContext(options.context)
  }
  const cluster = config.getCurrentCluster()
  if (!cluster?.server) {
    throw configError('kubernetes: no cluster in the kubeconfig (and not running inside a cluster)', {
      hint: 'Set KUBECONFIG or provider.kubernetes.kubeconfig / .context.',
    })
  }
  const timeout = apiTimeoutMs()
  const server = cluster.server
  // What config.makeApiClient builds, plus the per-request deadline (and the caller's stop signal).
  const apis = (stop?: AbortSignal) => {
    const configuration = k8sModule.createConfiguration({
      baseServer: new k8sModule.ServerConfiguration(server, {}),
      authMethods: { default: config },
      // makeApiClient's User-Agent is the library's; this one names gwdeploy in the API server's logs.
      middleware: [k8sModule.setHeaderMiddleware('User-Agent', 'gwdeploy (kubernetes-client-javascript)')],
      promiseMiddleware: [deadlineMiddleware(timeout, stop)],
    })
    return {
      core: new k8sModule.CoreV1Api(configuration),
      apps: new k8sModule.AppsV1Api(configuration),
      coordination: new k8sModule.CoordinationV1Api(configuration),
      discovery: new k8sModule.DiscoveryV1Api(configuration),
      authorization: new k8sModule.AuthorizationV1Api(configuration),
    }
  }
  const mergePatch = k8sModule.setHeaderOptions('Content-Type', k8sModule.PatchStrategy.MergePatch)
  const stoppedBy = (stop: AbortSignal | undefined): KubeClient => {
    const scoped = new WeakMap<AbortSignal, KubeClient>()
    const client: KubeClient = {
      k8s: k8sModule,
      config,
      server: server.replace(/\/+$/, ''),
      context: config.getCurrentContext(),
      contextNamespace: config.getContextObject(config.getCurrentContext())?.namespace,
      ...apis(stop),
      mergePatch,
      under: (signal) => {
        if (!signal) return client
        let next = scoped.get(signal)
        if (!next) {
          next = stoppedBy(stop ? AbortSignal.any([stop, signal]) : signal)
          scoped.set(signal, next)
        }
        return next
      },
    }
    return client
  }
  return stoppedBy(undefined)
}

export interface ApiFailure {
  code: number
  reason: string | undefined
  message: string
}

/** The HTTP status and Status message of an ApiException; undefined for anything else. */
function apiFailure(error: unknown): ApiFailure | undefined {
  const candidate = error as { code?: unknown; body?: unknown }
  if (typeof candidate?.code !== 'number' || candidate.code < 100) return undefined
  let body = candidate.body
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body)
    } catch {}
  }
  const status = (body ?? {}) as { message?: string; reason?: string }
  return {
    code: candidate.code,
    reason: status.reason,
    message: status.message ?? (typeof body === 'string' ? body : `HTTP ${candidate.code}`),
  }
}

export const isNotFound = (error: unknown) => apiFailure(error)?.code === 404
export const isConflict = (error: unknown) => apiFailure(error)?.code === 409

/** The call's result, or undefined when the object does not exist (404): reads and idempotent deletes. */
export async function unlessNotFound<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn()
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

/**
 * Runs one API call; a failure becomes a providerError (exit 6) naming the call, object and server.
 * A call stopped by `signal` (the run's interrupt) rejects with its reason, as the engine's waits do.
 */
export async function call<T>(
  what: string,
  where: ApiServer,
  fn: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    throw explain(what, where, error)
  }
}

/** Where a call went: the API server, and the kubeconfig context that chose it. */
export type ApiServer = Pick<KubeClient, 'server' | 'context' | 'contextNamespace'>

/**
 * The hint of a 403: who may not do what where (from the API server's own message), the Role that
 * grants it, and — the usual cause of a refusal in a namespace the Role was never bound in — the
 * namespace the kubeconfig context names when provider.kubernetes.namespace is another one.
 */
export function forbiddenHint(message: string, where: Partial<ApiServer>): string {
  const found = /User "([^"]+)"/.exec(message)?.[1]
  const user = found ? `User "${found}"` : undefined
  const [, verb, resource, group, namespace] =
    /cannot (\S+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]+)")?/.exec(
      message,
    ) ?? []
  if (!verb || !resource)
    return 'gwdeploy needs the Role in templates/kubernetes/rbac.yaml bound to its user or service account.'
  const what = `${verb} ${resource}${group ? ` (${group})` : ''}`
  if (!namespace)
    return `${user ?? 'The credentials'} may not ${what} (cluster-wide): gwdeploy needs only the namespaced Role in templates/kubernetes/rbac.yaml.`
  const elsewhere = otherContextNamespace(namespace, where)
  return `${user ?? 'The credentials'} may not ${what} in namespace ${namespace}: apply templates/kubernetes/rbac.yaml in namespace ${namespace} and bind its Role to that user (kubectl -n ${namespace} auth can-i --list shows what it may do); nothing was changed by this call.${elsewhere}`
}

/** " The kubeconfig context names namespace X, not Y: ..." when they differ, else "". */
export function otherContextNamespace(namespace: string, where: Partial<ApiServer>): string {
  return where.contextNamespace && where.contextNamespace !== namespace
    ? ` The kubeconfig context "${where.context}" names namespace ${where.contextNamespace}, not ${namespace}: if provider.kubernetes.namespace is wrong, fix it in gwdeploy.yml.`
    : ''
}

function explain(what: string, where: ApiServer, error: unknown): Error {
  const { server } = where
  const failure = apiFailure(error)
  if (failure) {
    if (failure.code === 401) {
      // Authentication, not RBAC: the token (or client certificate) was not accepted at all.
      return providerError(
        `kubernetes: ${what}: 401 Unauthorized: API server ${server} did not accept the kubeconfig's credentials (an expired or revoked token, or a certificate it does not trust)`,
        {
          hint: 'Refresh the credentials of the kubeconfig context gwdeploy uses (provider.kubernetes.kubeconfig / .context, or KUBECONFIG): a new ServiceAccount token, or log in again.',
        },
      )
    }
    return providerError(
      `kubernetes: ${what}: ${failure.code} ${failure.reason ?? ''} ${failure.message}`.replace(/ +/g, ' '),
      {
        hint: failure.code === 403 ? forbiddenHint(failure.message, where) : `API server ${server}.`,
      },
    )
  }
  if (isDeadline(error)) {
    const seconds = apiTimeoutMs() / 1000
    return providerError(`kubernetes: ${what}: API server ${server} did not answer within ${seconds} s`, {
      hint: `An overloaded or stuck API server, or a load balancer in front of it with no healthy backend: check it with kubectl against the same context (kubectl get --raw /readyz). ${API_TIMEOUT_ENV} sets the wait per call in seconds (default ${DEFAULT_API_TIMEOUT_S}).`,
    })
  }
  const message = networkMessage(error)
  return providerError(`kubernetes: ${what}: ${message}`, {
    hint: `Is the API server ${server} reachable from here? Check the kubeconfig context.`,
  })
}

/** The deadline of deadlineMiddleware fired (fetch rejects with the signal's TimeoutError). */
function isDeadline(error: unknown): boolean {
  const seen = error as { name?: string; cause?: { name?: string } } | undefined
  return seen?.name === 'TimeoutError' || seen?.cause?.name === 'TimeoutError'
}

/** fetch's own message is "fetch failed": the cause says what (ECONNREFUSED, a timeout, a TLS error). */
function networkMessage(error: unknown): string {
  const message = (error as Error)?.message ?? String(error)
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause
  if (!cause?.message || cause.message === message) return message
  return `${message}: ${cause.code && !cause.message.includes(cause.code) ? `${cause.code} ` : ''}${cause.message}`
}
