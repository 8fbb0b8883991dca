/**
 * A stand-in for the ALB data plane of ONE listener (moto has the control plane only): an HTTP
 * server on 127.0.0.1 that does per request what the ALB would, reading everything from moto:
 * the listener's rules in priority order (DescribeRules: path-pattern, http-header and source-ip
 * conditions), then its default action (DescribeListeners: a fixed response, or a weighted forward),
 * the forwarded target group's registered targets (DescribeTargetHealth), and for each target the
 * instance's user-data (DescribeInstanceAttribute). It boots each target the way its cloud-init
 * would: parses the env file the user-data writes and runs GWDEPLOY_IMAGE (by digest, pulled
 * from the test registry) on the test dockerd with GWDEPLOY_PORT published on 127.0.0.1, then
 * proxies the request to it. auth/revoker's port is published on 127.0.0.1 too, and the peers the
 * user-data names (GWDEPLOY_REVOKER_PEERS, instances' private IPs) are booted first and handed to
 * the runtime (GATEWAY_REVOKER_PEERS, as the user-data's docker run does) at their containers'
 * bridge addresses, which is how instances reach each other in the VPC. Nothing is cached but the per-instance container (an instance's
 * user-data never changes), so gwdeploy's ModifyListener calls take effect on the next request.
 * Users point gwdeploy at it with `provider.aws.testListenerUrl`, as they would at a test listener
 * behind private DNS.
 */
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Readable } from 'node:stream'
import * as ec2m from '@aws-sdk/client-ec2'
import * as elbm from '@aws-sdk/client-elastic-load-balancing-v2'
import type Dockerode from 'dockerode'
import { parse } from 'yaml'
import { drain, testDocker, waitForJson } from '../../helpers/docker.ts'
import { motoClients } from './moto.ts'

/** One request the stand-in answered: which instance (image) served it, or the fixed response. */
export interface ServedRequest {
  method: string
  path: string
  status: number
  instance?: string
  image?: string
  fixedResponse?: boolean
}

interface Backend {
  image: string
  url: string
  container: Dockerode.Container
  /** Where the test reaches the instance's auth/revoker (published on 127.0.0.1), when it runs one. */
  revoker?: string
  /** The container's address on the Docker bridge: where the other instances reach it (the VPC). */
  bridgeIp: string
}

/** The env file the user-data writes (`KEY='shell-quoted value'` lines), as the instance sources it. */
export function userDataEnv(userData: string): Record<string, string> {
  const doc = parse(userData) as { write_files?: Array<{ path?: string; content?: string }> }
  const file = doc.write_files?.find((f) => f.path === '/etc/gwdeploy/gateway.env')
  if (!file?.content) throw new Error('user-data writes no /etc/gwdeploy/gateway.env')
  const env: Record<string, string> = {}
  for (const line of file.content.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim())
    if (!match?.[1] || match[2] === undefined) continue
    // POSIX single quoting: 'a'\''b' -> a'b
    env[match[1]] = match[2].replace(/^'|'$/g, '').replaceAll(`'\\''`, "'")
  }
  return env
}

export class AlbDataPlane {
  readonly listenerArn: string
  readonly served: ServedRequest[] = []
  readonly #backends = new Map<string, Promise<Backend>>()
  readonly #server: http.Server
  #next = 0

  private constructor(listenerArn: string) {
    this.listenerArn = listenerArn
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch((error: Error) => {
        this.served.push({ method: req.method ?? 'GET', path: req.url ?? '/', status: 502 })
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
        res.end(`alb stand-in: ${error.message}`)
      })
    })
  }

  static async start(listenerArn: string): Promise<AlbDataPlane> {
    const plane = new AlbDataPlane(listenerArn)
    await new Promise<void>((resolve) => plane.#server.listen(0, '127.0.0.1', resolve))
    return plane
  }

  /** What gwdeploy gets as provider.aws.testListenerUrl. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { elb } = await motoClients()
    const method = req.method ?? 'GET'
    const path = req.url ?? '/'
    const rules = await elb.send(new elbm.DescribeRulesCommand({ ListenerArn: this.listenerArn }))
    const matched = (rules.Rules ?? [])
      .filter((rule) => !rule.IsDefault && rule.Priority !== 'default')
      .sort((a, b) => Number(a.Priority) - Number(b.Priority))
      .find((rule) => (rule.Conditions ?? []).every((condition) => matches(condition, req)))
    const listeners = await elb.send(new elbm.DescribeListenersCommand({ ListenerArns: [this.listenerArn] }))
    const action = matched ? matched.Actions?.[0] : listeners.Listeners?.[0]?.DefaultActions?.[0]
    if (action?.Type === 'fixed-response') {
      const fixed = action.FixedResponseConfig
      const status = Number(fixed?.StatusCode ?? 503)
      this.served.push({ method, path, status, fixedResponse: true })
      res.writeHead(status, { 'content-type': fixed?.ContentType ?? 'text/plain' })
      res.end(fixed?.MessageBody ?? '')
      return
    }
    if (action?.Type !== 'forward') throw new Error(`unsupported default action ${action?.Type}`)
    const groups = (
      action.ForwardConfig?.TargetGroups ?? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }]
    ).filter((g) => (g.Weight ?? 1) > 0)
    const group = pickWeighted(groups)
    if (!group?.TargetGroupArn) throw new Error('forward to no target group with weight > 0')
    const health = await elb.send(
      new elbm.DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }),
    )
    const registered = (health.TargetHealthDescriptions ?? []).filter(
      (t) => t.Target?.Id && !String(t.TargetHealth?.State).includes('draining'),
    )
    // Like the ALB: healthy targets only, failing open to all when none is healthy.
    const healthy = registered.filter((t) => t.TargetHealth?.State === 'healthy')
    const targets = healthy.length ? healthy : registered
    if (targets.length === 0) {
      this.served.push({ method, path, status: 503 })
      res.writeHead(503).end('alb stand-in: no registered targets')
      return
    }
    const instance = targets[this.#next++ % targets.length]?.Target?.Id as string
    const backend = await this.#backend(instance)
    const status = await proxy(req, res, backend.url)
    this.served.push({ method, path, status, instance, image: backend.image })
  }

  #backend(instance: string): Promise<Backend> {
    let backend = this.#backends.get(instance)
    if (!backend) {
      backend = this.#boot(instance)
      this.#backends.set(instance, backend)
      backend.catch(() => this.#backends.delete(instance))
    }
    return backend
  }

  /** Where the test reaches `instance`'s auth/revoker (it is booted if it was not). */
  async revokerOf(instance: string): Promise<string> {
    const { revoker } = await this.#backend(instance)
    if (!revoker) throw new Error(`${instance} runs no auth/revoker`)
    return revoker
  }

  /** What the instance's cloud-init does: docker pull + run the image by digest on the fleet port. */
  async #boot(instance: string): Promise<Backend> {
    const { ec2 } = await motoClients()
    const attribute = await ec2.send(
      new ec2m.DescribeInstanceAttributeCommand({ InstanceId: instance, Attribute: 'userData' }),
    )
    const env = userDataEnv(Buffer.from(attribute.UserData?.Value ?? '', 'base64').toString('utf8'))
    const image = env.GWDEPLOY_IMAGE
    const port = env.GWDEPLOY_PORT
    if (!image || !port) throw new Error(`user-data of ${instance} names no image or port`)
    const revokerPort = env.GWDEPLOY_REVOKER_PORT
    const peers = env.GWDEPLOY_REVOKER_PEERS
      ? await this.#peersOnBridge(instance, env.GWDEPLOY_REVOKER_PEERS)
      : ''
    const { docker } = await testDocker()
    await drain((await docker.pull(image)) as unknown as Readable)
    const published = [port, ...(revokerPort ? [revokerPort] : [])]
    const container = await docker.createContainer({
      Image: image,
      name: `gwdeploy-alb-${instance}-${randomBytes(3).toString('hex')}`,
      Labels: { 'gwdeploy.sha': env.GWDEPLOY_SHA ?? '', 'gwdeploy.colour': env.GWDEPLOY_COLOUR ?? '' },
      ...(peers ? { Env: [`GATEWAY_REVOKER_PEERS=${peers}`] } : {}),
      ExposedPorts: Object.fromEntries(published.map((p) => [`${p}/tcp`, {}])),
      HostConfig: {
        PortBindings: Object.fromEntries(
          published.map((p) => [`${p}/tcp`, [{ HostIp: '127.0.0.1', HostPort: '' }]]),
        ),
      },
    })
    await container.start()
    const info = await container.inspect()
    const hostPort = (p: string) => info.NetworkSettings.Ports[`${p}/tcp`]?.[0]?.HostPort
    if (!hostPort(port)) throw new Error(`container of ${instance} publishes no port`)
    const url = `http://127.0.0.1:${hostPort(port)}`
    // An instance is "in service" once the gateway answers (the real ALB health-checks first).
    await waitForJson(`${url}/__health`, 200)
    return {
      image,
      url,
      container,
      bridgeIp: Object.values(info.NetworkSettings.Networks)[0]?.IPAddress ?? '',
      ...(revokerPort ? { revoker: `127.0.0.1:${hostPort(revokerPort)}` } : {}),
    }
  }

  /** GWDEPLOY_REVOKER_PEERS (private IP:PORT of instances in the same VPC) as bridge IP:PORT. */
  async #peersOnBridge(instance: string, peers: string): Promise<string> {
    const { ec2 } = await motoClients()
    const self = await ec2.send(new ec2m.DescribeInstancesCommand({ InstanceIds: [instance] }))
    const vpcId = self.Reservations?.[0]?.Instances?.[0]?.VpcId ?? ''
    const mapped: string[] = []
    for (const peer of peers.split(',')) {
      const [ip = '', port = ''] = peer.split(':')
      const found = await ec2.send(
        new ec2m.DescribeInstancesCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: 'private-ip-address', Values: [ip] },
          ],
        }),
      )
      const id = found.Reservations?.[0]?.Instances?.[0]?.InstanceId
      if (!id) throw new Error(`no instance has ${ip} in ${vpcId}`)
      mapped.push(`${(await this.#backend(id)).bridgeIp}:${port}`)
    }
    return mapped.join(',')
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
    this.#server.closeAllConnections()
    const backends = await Promise.allSettled(this.#backends.values())
    for (const backend of backends)
      if (backend.status === 'fulfilled') await backend.value.container.remove({ force: true })
  }
}

/** An ALB wildcard (`*` any run, `?` one character), case-insensitive for header values. */
const glob = (pattern: string, flags = '') =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
    flags,
  )

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/')
  const number = (text: string) => text.split('.').reduce((n, part) => n * 256 + Number(part), 0)
  const size = 2 ** (32 - Number(bits))
  return Math.floor(number(ip) / size) === Math.floor(number(base) / size)
}

/** One rule condition against a request; a field the stand-in does not know never matches. */
function matches(condition: elbm.RuleCondition, req: http.IncomingMessage): boolean {
  const path = (req.url ?? '/').split('?')[0] ?? '/'
  switch (condition.Field) {
    case 'path-pattern':
      return (condition.PathPatternConfig?.Values ?? condition.Values ?? []).some((v) => glob(v).test(path))
    case 'http-header': {
      const name = condition.HttpHeaderConfig?.HttpHeaderName?.toLowerCase() ?? ''
      const value = req.headers[name]
      return (
        typeof value === 'string' &&
        (condition.HttpHeaderConfig?.Values ?? []).some((v) => glob(v, 'i').test(value))
      )
    }
    case 'source-ip': {
      const ip = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')
      return (condition.SourceIpConfig?.Values ?? []).some((cidr) => inCidr(ip, cidr))
    }
    default:
      return false
  }
}

function pickWeighted<T extends { Weight?: number | undefined }>(groups: T[]): T | undefined {
  const total = groups.reduce((sum, g) => sum + (g.Weight ?? 1), 0)
  let roll = Math.random() * total
  for (const group of groups) {
    roll -= group.Weight ?? 1
    if (roll < 0) return group
  }
  return groups.at(-1)
}

function proxy(req: http.IncomingMessage, res: http.ServerResponse, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const upstream = http.request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
        answer.on('end', () => resolve(answer.statusCode ?? 502))
        answer.on('error', reject)
      },
    )
    upstream.setTimeout(10_000, () => upstream.destroy(new Error('upstream timed out')))
    upstream.on('error', reject)
    req.pipe(upstream)
  })
}
