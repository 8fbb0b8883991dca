/**
 * A fake Kubernetes API server for tests: real HTTP on 127.0.0.1, bearer-token auth, the
 * discovery documents kubectl reads, a store with resourceVersions (409 on create-exists and
 * on stale updates, NotFound Status bodies like the real ones), merge / strategic-merge /
 * JSON patch, label selectors, a Deployment controller whose status progresses over time
 * (observedGeneration, replica counts, Progressing incl. ProgressDeadlineExceeded after
 * progressDeadlineSeconds without progress) and a kubelet that runs every Pod as a real
 * container (kubelet.ts). The pod and service proxy subresources forward to those containers.
 * See README.md beside this file for what is faithful and what is simplified.
 */

import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import type Dockerode from 'dockerode'
import { selfSignedCertificate } from '../../../helpers/tls-certificate.ts'
import {
  ApiError,
  alreadyExists,
  apiVersionOf,
  badRequest,
  conflict,
  invalid,
  jsonPatch,
  matchesSelector,
  mergePatch,
  notFound,
  RESOURCES,
  type ResourceType,
} from './api.ts'
import { FakeKubelet, podKey, resolvePort, setCondition } from './kubelet.ts'

// biome-ignore lint/suspicious/noExplicitAny: stored objects are plain JSON
type Obj = any

const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/
const CONTROLLER_TICK_MS = 100

export interface FakeApiServer {
  url: string
  token: string
  kubelet: FakeKubelet
  /** Writes a kubeconfig for this server (context "fake", the given default namespace). */
  writeKubeconfig(file: string, namespace?: string): Promise<void>
  get(plural: string, namespace: string, name: string): Obj | undefined
  list(plural: string, namespace?: string): Obj[]
  /** An authenticated GET against this server (trusting its certificate). */
  fetch(path: string): Promise<{ status: number; text: string }>
  /** What a cloud controller does once a load balancer is up: sets a Service's status.loadBalancer.ingress. */
  setLoadBalancerIngress(
    namespace: string,
    name: string,
    ingress: Array<{ ip?: string; hostname?: string }>,
  ): void
  /** Requests seen, "METHOD path" (for asserting what the client sent). */
  requests: Array<{ method: string; path: string; contentType: string | undefined }>
  close(): Promise<void>
}

export async function startFakeApiServer(options: { docker: Dockerode }): Promise<FakeApiServer> {
  const token = randomBytes(16).toString('hex')
  const store = new Map<string, Obj>()
  let revision = 1
  const nextVersion = () => String(++revision)
  const key = (type: ResourceType, ns: string, name: string) => `${type.plural}/${ns}/${name}`
  const typeOf = (plural: string) => RESOURCES.find((r) => r.plural === plural) as ResourceType
  const requests: FakeApiServer['requests'] = []
  const label = randomBytes(4).toString('hex')
  let nextNodePort = 30_000 + Math.floor(Math.random() * 2_000)

  /** Mutates a stored object in place (controller and kubelet writes) and bumps its resourceVersion. */
  const touch = (obj: Obj, mutate: (o: Obj) => void) => {
    const current = store.get(`pods/${obj.metadata.namespace}/${obj.metadata.name}`)
    if (!current) return
    mutate(current)
    current.metadata.resourceVersion = nextVersion()
  }
  const kubelet = new FakeKubelet(options.docker, label, touch)

  function validate(type: ResourceType, obj: Obj, previous?: Obj): void {
    const name = obj.metadata?.name
    if (typeof name !== 'string' || !NAME.test(name) || name.length > 253)
      throw invalid(
        type,
        String(name),
        `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
      )
    if (type.kind === 'Lease') {
      for (const field of ['acquireTime', 'renewTime']) {
        const value = obj.spec?.[field]
        if (value !== undefined && value !== null && !(typeof value === 'string' && MICRO_TIME.test(value)))
          throw badRequest(
            `Lease in version "v1" cannot be handled as a Lease: parsing time "${value}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse`,
          )
      }
    }
    if (type.kind === 'Deployment') {
      const selector = obj.spec?.selector?.matchLabels ?? {}
      const labels = obj.spec?.template?.metadata?.labels ?? {}
      if (!Object.keys(selector).length) throw invalid(type, name, 'spec.selector: Required value')
      for (const [k, v] of Object.entries(selector))
        if (labels[k] !== v)
          throw invalid(
            type,
            name,
            'spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`',
          )
      if (previous && JSON.stringify(previous.spec.selector) !== JSON.stringify(obj.spec.selector))
        throw invalid(type, name, 'spec.selector: Invalid value: field is immutable')
      if (!obj.spec?.template?.spec?.containers?.length)
        throw invalid(type, name, 'spec.template.spec.containers: Required value')
    }
    if (type.kind === 'Service') {
      if (!obj.spec?.ports?.length) throw invalid(type, name, 'spec.ports: Required value')
    }
  }

  function create(type: ResourceType, ns: string, body: Obj): Obj {
    const obj = structuredClone(body)
    obj.metadata ??= {}
    if (!obj.metadata.name && obj.metadata.generateName)
      obj.metadata.name = `${obj.metadata.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`
    obj.apiVersion = apiVersionOf(type)
    obj.kind = type.kind
    obj.metadata.namespace = ns
    validate(type, obj)
    const k = key(type, ns, obj.metadata.name)
    if (store.has(k)) throw alreadyExists(type, obj.metadata.name)
    obj.metadata.uid = randomUUID()
    obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
    obj.metadata.resourceVersion = nextVersion()
    delete obj.metadata.deletionTimestamp
    if (type.kind === 'Deployment') {
      obj.metadata.generation = 1
      obj.status = {}
    }
    if (type.kind === 'Service') {
      obj.spec.clusterIP = `10.96.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`
      obj.spec.clusterIPs = [obj.spec.clusterIP]
      obj.spec.type ??= 'ClusterIP'
      allocateNodePorts(obj)
      obj.status = { loadBalancer: {} }
    }
    if (type.kind === 'Pod') obj.status ??= { phase: 'Pending' }
    store.set(k, obj)
    return obj
  }

  function update(type: ResourceType, ns: string, name: string, body: Obj, checkVersion: boolean): Obj {
    const k = key(type, ns, name)
    const current = store.get(k)
    if (!current) throw notFound(type, name)
    if (body.metadata?.name && body.metadata.name !== name)
      throw badRequest('the name of the object does not match the name on the URL')
    const rv = body.metadata?.resourceVersion
    if (checkVersion && rv && rv !== current.metadata.resourceVersion) throw conflict(type, name)
    const next = structuredClone(body)
    next.apiVersion = apiVersionOf(type)
    next.kind = type.kind
    next.metadata = {
      ...next.metadata,
      name,
      namespace: ns,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
    }
    validate(type, next, current)
    // The main resource never changes status; status is written by controllers.
    if ('status' in current) next.status = current.status
    if (type.kind === 'Deployment') {
      const changed = JSON.stringify(current.spec) !== JSON.stringify(next.spec)
      next.metadata.generation = (current.metadata.generation ?? 1) + (changed ? 1 : 0)
    }
    if (type.kind === 'Service') {
      next.spec.clusterIP = current.spec.clusterIP
      next.spec.clusterIPs = current.spec.clusterIPs
      allocateNodePorts(next, current)
      if (next.spec.type !== 'LoadBalancer') next.status = { loadBalancer: {} }
    }
    next.metadata.resourceVersion = nextVersion()
    store.set(k, next)
    return next
  }

  /**
   * Like the API server: NodePort and LoadBalancer Services get a node port per port (kept across
   * updates that leave it unset, matched by port name), ClusterIP ones none.
   */
  function allocateNodePorts(service: Obj, previous?: Obj): void {
    for (const port of service.spec.ports ?? []) {
      if (service.spec.type !== 'NodePort' && service.spec.type !== 'LoadBalancer') {
        delete port.nodePort
        continue
      }
      port.nodePort ??=
        previous?.spec.ports?.find((p: Obj) => p.name === port.name)?.nodePort ?? nextNodePort++
    }
  }

  function remove(type: ResourceType, ns: string, name: string, body: Obj): Obj {
    const k = key(type, ns, name)
    const current = store.get(k)
    if (!current) throw notFound(type, name)
    const rv = body?.preconditions?.resourceVersion
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(type, name)
    const uid = body?.preconditions?.uid
    if (uid && uid !== current.metadata.uid) throw conflict(type, name)
    if (type.kind === 'Pod') {
      // Graceful: the kubelet runs preStop, stops the container, then the object goes.
      if (!current.metadata.deletionTimestamp) {
        current.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
        current.metadata.deletionGracePeriodSeconds = current.spec.terminationGracePeriodSeconds ?? 30
        current.metadata.resourceVersion = nextVersion()
        setCondition(current, 'Ready', 'False', 'PodTerminating')
        void kubelet.stop(current).finally(() => store.delete(k))
      }
      return current
    }
    store.delete(k)
    if (type.kind === 'Deployment') {
      for (const pod of listOf('pods', ns)) {
        if (pod.metadata.ownerReferences?.some((o: Obj) => o.uid === current.metadata.uid))
          remove(typeOf('pods'), ns, pod.metadata.name, {})
      }
    }
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: type.group, kind: type.plural, uid: current.metadata.uid },
    }
  }

  function listOf(plural: string, ns?: string, selector?: string | null): Obj[] {
    const prefix = ns === undefined ? `${plural}/` : `${plural}/${ns}/`
    return [...store.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, v]) => v)
      .filter((o) => matchesSelector(o.metadata.labels ?? {}, selector ?? null))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
  }

  // --- the Deployment controller ---------------------------------------------------------
  const progress = new Map<string, { generation: number; at: number; ready: number }>()
  function reconcile(): void {
    for (const deployment of listOf('deployments')) {
      const ns = deployment.metadata.namespace
      const spec = deployment.spec
      const want: number = spec.replicas ?? 1
      const hash = createHash('sha256').update(JSON.stringify(spec.template)).digest('hex').slice(0, 10)
      const owned = listOf('pods', ns).filter((p) =>
        p.metadata.ownerReferences?.some((o: Obj) => o.uid === deployment.metadata.uid),
      )
      const live = owned.filter((p) => !p.metadata.deletionTimestamp)
      const current = live.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash)
      const old = live.filter((p) => p.metadata.labels?.['pod-template-hash'] !== hash)
      const isReady = (p: Obj) =>
        p.status?.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True')
      for (let i = current.length; i < want; i++) {
        const template = structuredClone(spec.template)
        current.push(
          create(typeOf('pods'), ns, {
            metadata: {
              generateName: `${deployment.metadata.name}-${hash}-`,
              labels: { ...template.metadata?.labels, 'pod-template-hash': hash },
              annotations: template.metadata?.annotations ?? {},
              ownerReferences: [
                {
                  apiVersion: 'apps/v1',
                  kind: 'Deployment',
                  name: deployment.metadata.name,
                  uid: deployment.metadata.uid,
                  controller: true,
                },
              ],
            },
            spec: { ...template.spec, nodeName: 'fake-node' },
            status: {
              phase: 'Pending',
              conditions: [{ type: 'PodScheduled', status: 'True' }],
              qosClass: 'Burstable',
            },
          }),
        )
      }
      for (const extra of current.splice(want)) remove(typeOf('pods'), ns, extra.metadata.name, {})
      for (const pod of current) kubelet.start(pod)
      const readyNew = current.filter(isReady).length
      if (readyNew >= want) for (const pod of old) remove(typeOf('pods'), ns, pod.metadata.name, {})
      const oldLeft = readyNew >= want ? 0 : old.length
      const readyAll = readyNew + (readyNew >= want ? 0 : old.filter(isReady).length)
      // Progress: a new spec, or more ready new pods, resets the deadline clock.
      const id = `${ns}/${deployment.metadata.name}`
      const seen = progress.get(id)
      const now = Date.now()
      if (!seen || seen.generation !== deployment.metadata.generation || readyNew > seen.ready)
        progress.set(id, { generation: deployment.metadata.generation, at: now, ready: readyNew })
      const since = progress.get(id)?.at ?? now
      const complete = readyNew >= want && oldLeft === 0 && current.length === want
      const deadlineMs = (spec.progressDeadlineSeconds ?? 600) * 1000
      const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
      const progressing = complete
        ? {
            type: 'Progressing',
            status: 'True',
            reason: 'NewReplicaSetAvailable',
            message: `ReplicaSet "${deployment.metadata.name}-${hash}" has successfully progressed.`,
          }
        : now - since > deadlineMs
          ? {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: `ReplicaSet "${deployment.metadata.name}-${hash}" has timed out progressing.`,
            }
          : {
              type: 'Progressing',
              status: 'True',
              reason: 'ReplicaSetUpdated',
              message: `ReplicaSet "${deployment.metadata.name}-${hash}" is progressing.`,
            }
      const available = {
        type: 'Available',
        status: readyAll >= want ? 'True' : 'False',
        reason: readyAll >= want ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
      }
      const status = {
        observedGeneration: deployment.metadata.generation,
        replicas: current.length + oldLeft,
        updatedReplicas: current.length,
        readyReplicas: readyAll,
        availableReplicas: readyAll,
        ...(current.length + oldLeft - readyAll > 0
          ? { unavailableReplicas: current.length + oldLeft - readyAll }
          : {}),
        conditions: [available, progressing],
      }
      const comparable = (s: Obj) =>
        JSON.stringify({
          ...s,
          conditions: s?.conditions?.map((c: Obj) => ({
            ...c,
            lastUpdateTime: undefined,
            lastTransitionTime: undefined,
          })),
        })
      if (comparable(deployment.status) !== comparable(status)) {
        for (const c of status.conditions as Obj[]) {
          const before = deployment.status?.conditions?.find((p: Obj) => p.type === c.type)
          c.lastUpdateTime = stamp
          c.lastTransitionTime = before && before.status === c.status ? before.lastTransitionTime : stamp
        }
        deployment.status = status
        deployment.metadata.resourceVersion = nextVersion()
      }
    }
  }
  const controller = setInterval(() => {
    try {
      reconcile()
    } catch (error) {
      process.stderr.write(`fake controller: ${(error as Error).stack}\n`)
    }
  }, CONTROLLER_TICK_MS)

  // --- HTTP ------------------------------------------------------------------------------
  const send = (res: ServerResponse, code: number, body: unknown) => {
    const text = JSON.stringify(body)
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    res.end(text)
  }
  const readBody = async (req: IncomingMessage): Promise<Obj> => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    if (!text) return undefined
    try {
      return JSON.parse(text)
    } catch {
      throw badRequest('the request body is not valid JSON')
    }
  }

  function discovery(path: string, port: number): unknown | undefined {
    if (path === '/version')
      return {
        major: '1',
        minor: '32',
        gitVersion: 'v1.32.0-fake',
        gitCommit: 'fake',
        gitTreeState: 'clean',
        buildDate: '2025-01-01T00:00:00Z',
        goVersion: 'go1.23',
        compiler: 'gc',
        platform: 'linux/amd64',
      }
    if (path === '/api')
      return {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }],
      }
    if (path === '/apis') {
      const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))].map((name) => ({
        name,
        versions: [{ groupVersion: `${name}/v1`, version: 'v1' }],
        preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
      }))
      return { kind: 'APIGroupList', apiVersion: 'v1', groups }
    }
    const m = /^\/(?:api\/v1|apis\/([^/]+)\/v1)$/.exec(path)
    if (m) {
      const group = m[1] ?? ''
      const types = RESOURCES.filter((r) => r.group === group)
      if (!types.length) return undefined
      const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update']
      const resources = types.flatMap((r) => [
        {
          name: r.plural,
          singularName: r.singular,
          namespaced: true,
          kind: r.kind,
          verbs,
          ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        },
        ...(r.kind === 'Pod'
          ? [
              { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
              {
                name: 'pods/proxy',
                singularName: '',
                namespaced: true,
                kind: 'PodProxyOptions',
                verbs: ['get', 'create', 'delete', 'patch', 'update'],
              },
            ]
          : []),
        ...(r.kind === 'Service'
          ? [
              {
                name: 'services/proxy',
                singularName: '',
                namespaced: true,
                kind: 'ServiceProxyOptions',
                verbs: ['get', 'create', 'delete', 'patch', 'update'],
              },
            ]
          : []),
      ])
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group ? `${group}/v1` : 'v1',
        resources,
      }
    }
    return undefined
  }

  function proxyTo(req: IncomingMessage, res: ServerResponse, port: number, path: string): void {
    // Like the real proxy: the caller's credentials stop at the API server.
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: `127.0.0.1:${port}` }
    delete headers.authorization
    const upstream = http.request(
      { host: '127.0.0.1', port, method: req.method, path, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', (error) => {
      if (!res.headersSent)
        send(
          res,
          503,
          new ApiError(503, 'ServiceUnavailable', `error trying to reach service: ${error.message}`).status(),
        )
      else res.destroy()
    })
    req.pipe(upstream)
  }

  let serviceTurn = 0
  /** The ready pods a Service selects, as the real endpoints controller writes them (read-only here). */
  function readyPodsOf(service: Obj, ns: string): Obj[] {
    return listOf('pods', ns)
      .filter(
        (p) =>
          !p.metadata.deletionTimestamp &&
          matchesSelector(
            p.metadata.labels ?? {},
            Object.entries(service.spec.selector ?? {})
              .map(([k, v]) => `${k}=${v}`)
              .join(',') || '!all',
          ),
      )
      .filter((p) => p.status?.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True'))
  }
  function endpointsOf(ns: string, name: string): Obj {
    const service = store.get(key(typeOf('services'), ns, name))
    if (!service)
      throw new ApiError(404, 'NotFound', `endpoints "${name}" not found`, { name, kind: 'endpoints' })
    const addresses = readyPodsOf(service, ns).map((p) => ({
      ip: p.status?.podIP ?? '127.0.0.1',
      targetRef: { kind: 'Pod', name: p.metadata.name, namespace: ns },
    }))
    return {
      kind: 'Endpoints',
      apiVersion: 'v1',
      metadata: { name, namespace: ns },
      subsets: addresses.length ? [{ addresses, ports: [] }] : [],
    }
  }
  async function handle(req: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake')
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      contentType: req.headers['content-type'],
    })
    if (req.headers.authorization !== `Bearer ${token}`) {
      send(res, 401, new ApiError(401, 'Unauthorized', 'Unauthorized').status())
      return
    }
    const found = req.method === 'GET' ? discovery(url.pathname, port) : undefined
    if (found) return send(res, 200, found)
    const endpoints =
      req.method === 'GET' ? /^\/api\/v1\/namespaces\/([^/]+)\/endpoints\/([^/]+)$/.exec(url.pathname) : null
    if (endpoints)
      return send(
        res,
        200,
        endpointsOf(decodeURIComponent(endpoints[1] ?? ''), decodeURIComponent(endpoints[2] ?? '')),
      )
    const m =
      /^\/(?:api\/v1|apis\/([^/]+)\/v1)\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?(\/.*)?$/.exec(
        url.pathname,
      )
    const type = m ? RESOURCES.find((r) => r.plural === m[3] && r.group === (m[1] ?? '')) : undefined
    if (!m || !type) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource')
    const ns = m[2] ? decodeURIComponent(m[2]) : undefined
    const rawName = m[4] ? decodeURIComponent(m[4]) : undefined
    const sub = m[5]
    const rest = `${m[6] ?? '/'}${url.search}`
    const selector = url.searchParams.get('labelSelector')
    if (!rawName) {
      if (req.method === 'GET') {
        const items = listOf(type.plural, ns, selector).map((o) => structuredClone(o))
        return send(res, 200, {
          kind: `${type.kind}List`,
          apiVersion: apiVersionOf(type),
          metadata: { resourceVersion: String(revision) },
          items,
        })
      }
      if (req.method === 'POST' && ns) return send(res, 201, create(type, ns, await readBody(req)))
      throw new ApiError(
        405,
        'MethodNotAllowed',
        `the server does not allow this method on the requested resource`,
      )
    }
    if (!ns) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource')
    if (sub === 'proxy') {
      const [name, portSpec] = rawName.split(':') as [string, string | undefined]
      if (type.kind === 'Pod') {
        const pod = store.get(key(type, ns, name))
        if (!pod) throw notFound(type, name)
        // The real API server (v1.36) does not resolve port names on the pod proxy: it panics
        // while building the target URL and drops the request.
        if (portSpec !== undefined && !/^\d+$/.test(portSpec))
          throw new ApiError(500, 'InternalError', `pod proxy port "${portSpec}" is not a number`)
        const containerPort = resolvePort(pod.spec.containers[0], portSpec)
        const hostPort = containerPort === undefined ? undefined : kubelet.hostPort(pod, containerPort)
        if (!hostPort || pod.metadata.deletionTimestamp)
          throw new ApiError(
            503,
            'ServiceUnavailable',
            `error trying to reach service: pod ${name} is not running`,
          )
        return proxyTo(req, res, hostPort, rest)
      }
      if (type.kind === 'Service') {
        const service = store.get(key(type, ns, name))
        if (!service) throw notFound(type, name)
        const servicePort = service.spec.ports.find(
          (p: Obj) => portSpec === undefined || p.name === portSpec || String(p.port) === portSpec,
        )
        if (!servicePort)
          throw new ApiError(
            503,
            'ServiceUnavailable',
            `no service port "${portSpec}" found for service "${name}"`,
          )
        const endpoints = readyPodsOf(service, ns)
          .map((p) => ({
            pod: p,
            port: kubelet.hostPort(p, resolvePort(p.spec.containers[0], servicePort.targetPort) ?? -1),
          }))
          .filter((e) => e.port)
        if (!endpoints.length)
          throw new ApiError(503, 'ServiceUnavailable', `no endpoints available for service "${name}"`)
        const chosen = endpoints[serviceTurn++ % endpoints.length] as { port: number }
        return proxyTo(req, res, chosen.port, rest)
      }
    }
    const name = rawName
    if (sub === 'log' && type.kind === 'Pod' && req.method === 'GET') {
      const pod = store.get(key(type, ns, name))
      if (!pod) throw notFound(type, name)
      if (url.searchParams.get('follow') === 'true') {
        res.writeHead(200, { 'content-type': 'text/plain' })
        const tail = url.searchParams.get('tailLines')
        const since = url.searchParams.get('sinceSeconds')
        const stop = await kubelet.followLogs(
          pod,
          {
            tail: tail === null ? undefined : Number(tail),
            sinceSeconds: since === null ? undefined : Number(since),
          },
          res,
        )
        res.on('close', stop)
        return
      }
      const text = await kubelet.logs(pod, Number(url.searchParams.get('tailLines') ?? '100000'))
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end(text)
      return
    }
    if (sub) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource')
    if (req.method === 'GET') {
      const obj = store.get(key(type, ns, name))
      if (!obj) throw notFound(type, name)
      return send(res, 200, obj)
    }
    if (req.method === 'PUT') return send(res, 200, update(type, ns, name, await readBody(req), true))
    if (req.method === 'PATCH') {
      const current = store.get(key(type, ns, name))
      if (!current) throw notFound(type, name)
      const body = await readBody(req)
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]
      let next: Obj
      if (contentType === 'application/json-patch+json') {
        if (!Array.isArray(body)) throw badRequest('json patch: the body must be an array of operations')
        next = jsonPatch(current, body)
      } else if (
        contentType === 'application/merge-patch+json' ||
        contentType === 'application/strategic-merge-patch+json'
      ) {
        if (Array.isArray(body)) throw badRequest('merge patch: the body must be an object')
        next = mergePatch(structuredClone(current), body)
      } else
        throw new ApiError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
        )
      return send(res, 200, update(type, ns, name, next, true))
    }
    if (req.method === 'DELETE') return send(res, 200, remove(type, ns, name, await readBody(req)))
    throw new ApiError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    )
  }

  // HTTPS like a real API server: kubectl (client-go) never sends a bearer token over plain http.
  const tls = await selfSignedCertificate('fake-apiserver')
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    handle(req, res, (server.address() as AddressInfo).port).catch((error: unknown) => {
      const apiError =
        error instanceof ApiError ? error : new ApiError(500, 'InternalError', (error as Error).message)
      if (!res.headersSent) send(res, apiError.code, apiError.status())
      else res.destroy()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url,
    token,
    kubelet,
    requests,
    async writeKubeconfig(file, namespace = 'default') {
      const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'fake',
            cluster: { server: url, 'certificate-authority-data': Buffer.from(tls.cert).toString('base64') },
          },
        ],
        users: [{ name: 'gwdeploy', user: { token } }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'gwdeploy', namespace } }],
        'current-context': 'fake',
      }
      await writeFile(file, JSON.stringify(config, null, 2), { mode: 0o600 })
    },
    fetch: (path) =>
      new Promise((resolve, reject) => {
        const req = https.request(
          `${url}${path}`,
          { ca: tls.cert, headers: { authorization: `Bearer ${token}` } },
          (res) => {
            let text = ''
            res.setEncoding('utf8')
            res.on('data', (chunk: string) => {
              text += chunk
            })
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
          },
        )
        req.on('error', reject)
        req.end()
      }),
    setLoadBalancerIngress(namespace, name, ingress) {
      const service = store.get(`services/${namespace}/${name}`)
      if (!service) throw new Error(`no Service ${namespace}/${name}`)
      service.status = { loadBalancer: { ingress } }
      service.metadata.resourceVersion = nextVersion()
    },
    get: (plural, namespace, name) => store.get(`${plural}/${namespace}/${name}`),
    list: (plural, namespace) => listOf(plural, namespace),
    async close() {
      clearInterval(controller)
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await kubelet.close()
    },
  }
}

export { podKey }
