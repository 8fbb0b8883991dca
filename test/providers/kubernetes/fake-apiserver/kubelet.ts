/**
 * The fake kubelet: every Pod becomes a REAL container on the test dockerd, started from the
 * Pod's image (the image gwdeploy built and pushed, referenced by digest), with its env,
 * numeric user and read-only root filesystem, its container port published on 127.0.0.1.
 * Readiness comes from the Pod's own readinessProbe (HTTP GET against the container). On
 * deletion the preStop exec runs inside the container, then `docker stop` with the Pod's
 * terminationGracePeriodSeconds (SIGTERM, then SIGKILL), like the real kubelet.
 */
import { randomBytes } from 'node:crypto'
import type { Readable } from 'node:stream'
import type Dockerode from 'dockerode'

// biome-ignore lint/suspicious/noExplicitAny: pods are plain JSON objects in the fake store
type Pod = any

export interface RunningPod {
  container?: Dockerode.Container
  /** containerPort -> published host port on 127.0.0.1 */
  ports: Map<number, number>
  stopped: boolean
  timer?: NodeJS.Timeout
  successes: number
  failures: number
}

export class FakeKubelet {
  readonly #docker: Dockerode
  readonly #label: string
  readonly pods = new Map<string, RunningPod>()
  /** Images whose pull "fails" (ErrImagePull), for rollouts that never progress. */
  readonly brokenImages = new Set<string>()
  readonly #update: (pod: Pod, mutate: (pod: Pod) => void) => void

  constructor(docker: Dockerode, label: string, update: (pod: Pod, mutate: (pod: Pod) => void) => void) {
    this.#docker = docker
    this.#label = label
    this.#update = update
  }

  start(pod: Pod): void {
    const key = podKey(pod)
    if (this.pods.has(key)) return
    const running: RunningPod = { ports: new Map(), stopped: false, successes: 0, failures: 0 }
    this.pods.set(key, running)
    void this.#run(pod, running).catch((error: Error) => {
      this.#update(pod, (p) => {
        p.status.containerStatuses = [waitingStatus(p, 'CreateContainerError', error.message)]
      })
    })
  }

  async #run(pod: Pod, running: RunningPod): Promise<void> {
    const container = pod.spec.containers[0]
    const image: string = container.image
    if ([...this.brokenImages].some((broken) => image.includes(broken))) {
      this.#update(pod, (p) => {
        p.status.containerStatuses = [
          waitingStatus(p, 'ErrImagePull', `failed to pull image "${image}": not found`),
        ]
      })
      return
    }
    const ports: number[] = (container.ports ?? []).map((p: { containerPort: number }) => p.containerPort)
    const security = pod.spec.securityContext ?? {}
    const options: Dockerode.ContainerCreateOptions = {
      Image: image,
      name: `fake-kubelet-${pod.metadata.name}-${randomBytes(3).toString('hex')}`,
      Labels: { 'gwdeploy-test.fake-kubelet': this.#label, 'io.kubernetes.pod.name': pod.metadata.name },
      Env: (container.env ?? []).map((e: { name: string; value: string }) => `${e.name}=${e.value}`),
      // Kubernetes: command replaces the image's entrypoint, args its cmd.
      ...(container.command ? { Entrypoint: container.command } : {}),
      ...(container.args ? { Cmd: container.args } : {}),
      ...(security.runAsUser !== undefined
        ? { User: `${security.runAsUser}:${security.runAsGroup ?? security.runAsUser}` }
        : {}),
      ExposedPorts: Object.fromEntries(ports.map((p) => [`${p}/tcp`, {}])),
      HostConfig: {
        PortBindings: Object.fromEntries(
          ports.map((p) => [`${p}/tcp`, [{ HostIp: '127.0.0.1', HostPort: '' }]]),
        ),
        ReadonlyRootfs: container.securityContext?.readOnlyRootFilesystem === true,
        CapDrop: ['ALL'],
      },
    }
    let created: Dockerode.Container
    try {
      created = await this.#docker.createContainer(options)
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error
      await this.#pull(image)
      created = await this.#docker.createContainer(options)
    }
    running.container = created
    if (running.stopped) {
      await created.remove({ force: true }).catch(() => {})
      return
    }
    await created.start()
    const info = await created.inspect()
    for (const port of ports) {
      const host = info.NetworkSettings.Ports[`${port}/tcp`]?.[0]?.HostPort
      if (host) running.ports.set(port, Number(host))
    }
    const startedAt = new Date().toISOString()
    this.#update(pod, (p) => {
      p.status.phase = 'Running'
      p.status.podIP = '127.0.0.1'
      p.status.podIPs = [{ ip: '127.0.0.1' }]
      p.status.hostIP = '127.0.0.1'
      p.status.startTime = startedAt
      p.status.containerStatuses = [
        {
          name: container.name,
          image,
          imageID: info.Image,
          containerID: `docker://${info.Id}`,
          ready: false,
          started: true,
          restartCount: 0,
          state: { running: { startedAt } },
        },
      ]
      setCondition(p, 'Ready', 'False', 'ContainersNotReady')
    })
    const probe = container.readinessProbe?.httpGet
    const period = Math.min((container.readinessProbe?.periodSeconds ?? 10) * 1000, 300)
    running.timer = setInterval(() => void this.#probe(pod, running, probe), period)
  }

  async #pull(image: string): Promise<void> {
    const stream = (await this.#docker.pull(image)) as Readable
    await new Promise<void>((resolve, reject) => {
      this.#docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve()))
    })
  }

  /** The readiness probe: HTTP GET on the container's published port; 200-399 is success. */
  async #probe(pod: Pod, running: RunningPod, probe: { path?: string; port?: string | number } | undefined) {
    if (running.stopped) return
    const container = pod.spec.containers[0]
    const containerPort = resolvePort(container, probe?.port)
    const hostPort = containerPort === undefined ? undefined : running.ports.get(containerPort)
    let ok = false
    if (probe && hostPort) {
      try {
        const res = await fetch(`http://127.0.0.1:${hostPort}${probe.path ?? '/'}`, {
          signal: AbortSignal.timeout(1000),
        })
        await res.arrayBuffer()
        ok = res.status >= 200 && res.status < 400
      } catch {}
    } else ok = !probe
    if (running.stopped) return
    const spec = container.readinessProbe ?? {}
    if (ok) {
      running.successes++
      running.failures = 0
    } else {
      running.failures++
      running.successes = 0
      const state = await running.container?.inspect().catch(() => undefined)
      if (state && !state.State.Running) {
        clearInterval(running.timer)
        this.#update(pod, (p) => {
          p.status.containerStatuses = [
            {
              ...waitingStatus(p, 'CrashLoopBackOff', 'back-off restarting failed container'),
              lastState: { terminated: { exitCode: state.State.ExitCode, reason: 'Error' } },
            },
          ]
          setCondition(p, 'Ready', 'False', 'ContainersNotReady')
        })
        return
      }
    }
    const ready = ok
      ? running.successes >= (spec.successThreshold ?? 1)
      : running.failures < (spec.failureThreshold ?? 3)
    this.#update(pod, (p) => {
      const status = p.status.containerStatuses?.[0]
      const was = status?.ready === true
      if (status) status.ready = ready && (was || ok)
      setCondition(
        p,
        'Ready',
        status?.ready ? 'True' : 'False',
        status?.ready ? undefined : 'ContainersNotReady',
      )
    })
  }

  /** Graceful stop: preStop exec, then SIGTERM and SIGKILL after the grace period. */
  async stop(pod: Pod): Promise<void> {
    const running = this.pods.get(podKey(pod))
    if (!running) return
    running.stopped = true
    clearInterval(running.timer)
    const container = running.container
    if (container) {
      const preStop: string[] | undefined = pod.spec.containers[0]?.lifecycle?.preStop?.exec?.command
      if (preStop) await execIn(container, preStop).catch(() => {})
      await container.stop({ t: pod.spec.terminationGracePeriodSeconds ?? 30 }).catch(() => {})
      await container.remove({ force: true }).catch(() => {})
    }
    this.pods.delete(podKey(pod))
  }

  async logs(pod: Pod, tail: number): Promise<string> {
    const container = this.pods.get(podKey(pod))?.container
    if (!container) return ''
    const buffer = (await container.logs({
      stdout: true,
      stderr: true,
      tail,
      follow: false,
    })) as unknown as Buffer
    return demux(buffer)
  }

  /** `pods/log?follow=true`: the container log as a stream of text, until the container stops or `stop()`. */
  async followLogs(
    pod: Pod,
    options: { tail: number | undefined; sinceSeconds: number | undefined },
    out: NodeJS.WritableStream,
  ): Promise<() => void> {
    const container = this.pods.get(podKey(pod))?.container
    if (!container) {
      out.end()
      return () => {}
    }
    const raw = (await container.logs({
      stdout: true,
      stderr: true,
      follow: true,
      ...(options.tail !== undefined ? { tail: options.tail } : {}),
      ...(options.sinceSeconds ? { since: Math.floor(Date.now() / 1000) - options.sinceSeconds } : {}),
    })) as unknown as Readable
    container.modem.demuxStream(raw, out, out)
    raw.on('end', () => out.end())
    return () => raw.destroy()
  }

  hostPort(pod: Pod, port: number): number | undefined {
    return this.pods.get(podKey(pod))?.ports.get(port)
  }

  async close(): Promise<void> {
    const containers = await this.#docker.listContainers({
      all: true,
      filters: { label: [`gwdeploy-test.fake-kubelet=${this.#label}`] },
    })
    for (const running of this.pods.values()) {
      running.stopped = true
      clearInterval(running.timer)
    }
    await Promise.all(
      containers.map((c) =>
        this.#docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => {}),
      ),
    )
    this.pods.clear()
  }
}

export const podKey = (pod: Pod) => `${pod.metadata.namespace}/${pod.metadata.name}`

export function resolvePort(container: Pod, port: string | number | undefined): number | undefined {
  if (port === undefined || port === '') return container.ports?.[0]?.containerPort
  if (typeof port === 'number' || /^\d+$/.test(port)) return Number(port)
  return container.ports?.find((p: { name?: string }) => p.name === port)?.containerPort
}

function waitingStatus(pod: Pod, reason: string, message: string) {
  const container = pod.spec.containers[0]
  return {
    name: container.name,
    image: container.image,
    imageID: '',
    ready: false,
    started: false,
    restartCount: 0,
    state: { waiting: { reason, message } },
  }
}

export function setCondition(pod: Pod, type: string, status: string, reason?: string): void {
  pod.status.conditions ??= []
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
  const existing = pod.status.conditions.find((c: { type: string }) => c.type === type)
  if (existing) {
    if (existing.status !== status) existing.lastTransitionTime = now
    existing.status = status
    if (reason) existing.reason = reason
    else delete existing.reason
  } else
    pod.status.conditions.push({
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: now,
      ...(reason ? { reason } : {}),
    })
}

async function execIn(container: Dockerode.Container, command: string[]): Promise<void> {
  const exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true })
  const stream = await exec.start({ hijack: true, stdin: false })
  await new Promise<void>((resolve) => {
    stream.on('end', resolve)
    stream.on('close', resolve)
    stream.on('error', () => resolve())
    stream.resume()
  })
}

/** Docker's multiplexed log stream (8-byte frame headers) to text. */
function demux(buffer: Buffer): string {
  const out: Buffer[] = []
  let offset = 0
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4)
    out.push(buffer.subarray(offset + 8, offset + 8 + size))
    offset += 8 + size
  }
  return Buffer.concat(out).toString('utf8')
}
