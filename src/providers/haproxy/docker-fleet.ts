/**
 * The fleet on Docker hosts (dockerode, loaded lazily): one container per node, created from
 * the image digest, labelled with everything `inspect()` needs (the labels are the source of
 * truth), published on the host's publishAddress, with a restart policy. Nodes are spread over
 * the hosts round-robin by slot. Only this target's containers are ever read, reused, stopped
 * or removed: another target's of the same name stops every command (container-ownership.ts).
 */
import type Dockerode from 'dockerode'
import { configError, isGwError, providerError } from '../../core/errors.ts'
import { sleep } from '../../health/gate.ts'
import { readJsonStream } from '../../image/docker.ts'
import type { ContainerEnv } from '../node-env.ts'
import type { Artifact, Colour, FleetSpec, LogStreamOptions, NodeHealth, OperationOptions } from '../types.ts'
import { ownerOf, type StrangerContainer, strangersError } from './container-ownership.ts'
import { containerSpec, LABEL } from './container-spec.ts'
import {
  type ConnectionEnvironment,
  connect,
  type DockerHostConfig,
  dockerHostError,
} from './docker-connection.ts'
import { containerLogLines } from './docker-logs.ts'
import type { FleetRecord, NodeRecord, StateStore } from './state.ts'

interface Host {
  config: DockerHostConfig
  docker?: Promise<Dockerode>
}

export class DockerFleet {
  readonly #hosts: Host[]
  readonly #target: string
  readonly #restartPolicy: string
  readonly #port: number
  readonly #environment: ConnectionEnvironment
  readonly #env: ((artifact: Artifact) => ContainerEnv) | undefined
  readonly #store: StateStore

  constructor(
    hosts: DockerHostConfig[],
    options: {
      target: string
      /** The target's state: its id (claimed at the first provision) and fleet record. */
      store: StateStore
      restartPolicy: string
      port: number
      environment: ConnectionEnvironment
      /** fleet.env / fleet.envFrom of a release's containers. */
      env?: (artifact: Artifact) => ContainerEnv
    },
  ) {
    this.#env = options.env
    this.#hosts = hosts.map((config) => ({ config }))
    this.#target = options.target
    this.#restartPolicy = options.restartPolicy
    this.#port = options.port
    this.#environment = options.environment
    this.#store = options.store
  }

  #docker(index: number): Promise<Dockerode> {
    const host = this.#hosts[index] as Host
    host.docker ??= connect(host.config, index, this.#environment)
    host.docker.catch(() => {
      host.docker = undefined
    })
    return host.docker
  }

  async #list(index: number): Promise<Dockerode.ContainerInfo[]> {
    const docker = await this.#docker(index)
    try {
      return await docker.listContainers({
        all: true,
        filters: { label: [`${LABEL.managedBy}=gwdeploy`, `${LABEL.target}=${this.#target}`] },
      })
    } catch (error) {
      throw dockerHostError((this.#hosts[index] as Host).config, error)
    }
  }

  /**
   * Every colour's fleet as the containers' labels describe it. Refuses (exit 2) when a host
   * holds containers of this target's name that are not this target's.
   */
  async fleets(): Promise<Partial<Record<Colour, FleetRecord>>> {
    const fleets: Partial<Record<Colour, FleetRecord>> = {}
    const [own, lists] = await Promise.all([
      this.#store.read(),
      Promise.all(this.#hosts.map((_, index) => this.#list(index))),
    ])
    const strangers: StrangerContainer[] = []
    for (const [index, containers] of lists.entries()) {
      const host = (this.#hosts[index] as Host).config.host
      for (const info of containers) {
        const listed = { host, id: info.Id, name: nameOf(info), labels: info.Labels }
        const owner = ownerOf(listed, own)
        if (owner.owner !== 'this') strangers.push({ ...listed, owner })
      }
    }
    if (strangers.length)
      throw strangersError(strangers, {
        target: this.#target,
        targetId: own.targetId,
        stateFile: this.#store.file,
      })
    lists.forEach((containers, index) => {
      const host = this.#hosts[index] as Host
      for (const info of containers) {
        const labels = info.Labels
        const colour = labels[LABEL.colour] as Colour
        if (colour !== 'blue' && colour !== 'green') continue
        const record = fleets[colour] ?? {
          colour,
          sha: labels[LABEL.sha] ?? '',
          configName: labels[LABEL.configName] ?? '',
          configDigest: labels[LABEL.configDigest] ?? '',
          image: labels[LABEL.image] ?? info.Image,
          createdAt: new Date(info.Created * 1000).toISOString(),
          nodes: [],
        }
        fleets[colour] = record
        const published = info.Ports.find((p) => p.PrivatePort === this.#port && p.PublicPort)
        const revokerPort = Number(labels[LABEL.revokerPort] ?? 0)
        const revoker = revokerPort
          ? info.Ports.find((p) => p.PrivatePort === revokerPort && p.PublicPort)?.PublicPort
          : undefined
        record.nodes.push({
          id: nameOf(info),
          slot: Number(labels[LABEL.slot] ?? record.nodes.length),
          address: host.config.publishAddress,
          port: published?.PublicPort ?? 0,
          ...(revoker ? { revokerPort: revoker } : {}),
          startedAt: new Date(info.Created * 1000).toISOString(),
          meta: {
            host: host.config.host,
            container: info.Id.slice(0, 12),
            state: info.State,
            ...revokerMeta(host, revoker),
          },
        })
      }
    })
    for (const record of Object.values(fleets)) record.nodes.sort((a, b) => a.slot - b.slot)
    return fleets
  }

  /** Starts the missing nodes of `spec` in parallel; reuses running matching ones, replaces dead ones. */
  async provision(spec: FleetSpec, options: OperationOptions = {}): Promise<FleetRecord> {
    const image = spec.artifact.image
    if (!image) throw providerError('haproxy: the release has no image to run (image.repository is required)')
    const existing = (await this.fleets())[spec.colour]
    if (
      existing &&
      (existing.sha !== spec.artifact.sha || existing.configDigest !== spec.artifact.configDigest)
    ) {
      throw providerError(
        `haproxy: colour ${spec.colour} runs ${existing.sha.slice(0, 7)}; decommission it before provisioning ${spec.artifact.sha7}`,
      )
    }
    // Created here (under the release lock), once fleets() found no other target's containers.
    const targetId = await this.#store.claimTargetId()
    const keep = new Map<number, NodeRecord>()
    const remove: NodeRecord[] = []
    for (const node of existing?.nodes ?? []) {
      if (node.slot < spec.size && node.meta?.state === 'running' && node.port > 0 && !keep.has(node.slot))
        keep.set(node.slot, node)
      else remove.push(node)
    }
    await Promise.all(remove.map((node) => this.#remove(node)))
    const missing = Array.from({ length: spec.size }, (_, slot) => slot).filter((slot) => !keep.has(slot))
    options.progress?.(
      missing.length
        ? `starting ${missing.length} container(s)${keep.size ? `, reusing ${keep.size}` : ''}`
        : `reusing ${keep.size} running container(s)`,
    )
    const hostsUsed = [...new Set(missing.map((slot) => slot % this.#hosts.length))]
    await Promise.all(hostsUsed.map((index) => this.#ensureImage(index, image, options)))
    const started = await Promise.all(missing.map((slot) => this.#start(spec, slot, targetId)))
    const nodes = [...keep.values(), ...started].sort((a, b) => a.slot - b.slot)
    return {
      colour: spec.colour,
      sha: spec.artifact.sha,
      configName: spec.artifact.configName,
      configDigest: spec.artifact.configDigest,
      image,
      createdAt: existing?.createdAt ?? new Date().toISOString(),
      nodes,
    }
  }

  async #ensureImage(index: number, image: string, options: OperationOptions): Promise<void> {
    const docker = await this.#docker(index)
    const where = this.#hosts[index]?.config.host ?? ''
    try {
      await docker.getImage(image).inspect()
      return
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404)
        throw dockerHostError((this.#hosts[index] as Host).config, error)
    }
    options.progress?.(`pulling ${image} on ${where}`)
    let failure: string | undefined
    try {
      const stream = (await docker.pull(image)) as NodeJS.ReadableStream
      await readJsonStream(stream as never, (event) => {
        if (event.error) failure = event.errorDetail?.message ?? event.error
      })
    } catch (error) {
      failure = (error as Error).message
    }
    if (failure) {
      throw providerError(`haproxy: ${where} could not pull ${image}: ${failure}`, {
        hint: 'The Docker host must reach the registry (and be logged in to it when it needs credentials).',
      })
    }
  }

  async #start(spec: FleetSpec, slot: number, targetId: string): Promise<NodeRecord> {
    const index = slot % this.#hosts.length
    const host = this.#hosts[index] as Host
    const docker = await this.#docker(index)
    const create = containerSpec(spec, {
      target: this.#target,
      targetId,
      slot,
      publishAddress: host.config.publishAddress,
      restartPolicy: this.#restartPolicy,
      ...(this.#env ? { env: this.#env(spec.artifact) } : {}),
    })
    try {
      // A container of that name left by a crashed run is replaced (it may be half-created); the
      // target id in the name makes it this target's.
      await docker
        .getContainer(create.name)
        .remove({ force: true })
        .catch(() => {})
      const container = await docker.createContainer(create)
      await container.start()
      const info = await container.inspect()
      const hostPort = info.NetworkSettings.Ports[`${spec.port}/tcp`]?.[0]?.HostPort
      if (!hostPort) throw new Error(`container ${create.name} has no published port for ${spec.port}`)
      const revokerPort = spec.artifact.revokerPort
        ? Number(info.NetworkSettings.Ports[`${spec.artifact.revokerPort}/tcp`]?.[0]?.HostPort ?? 0)
        : 0
      return {
        id: create.name,
        slot,
        address: host.config.publishAddress,
        port: Number(hostPort),
        ...(revokerPort ? { revokerPort } : {}),
        startedAt: info.State.StartedAt,
        meta: {
          host: host.config.host,
          container: info.Id.slice(0, 12),
          state: 'running',
          ...revokerMeta(host, revokerPort),
        },
      }
    } catch (error) {
      if (isGwError(error)) throw error
      const missing = /bind source path does not exist: (\S+)/.exec((error as Error).message)?.[1]
      if (missing)
        throw configError(`fleet.env: ${missing} does not exist on the Docker host ${host.config.host}`, {
          location: { file: 'gwdeploy.yml', path: envPathOf(create, missing) },
          hint: 'Create the file on every Docker host (readable by uid 1000), or fix the path. No node of this release was started.',
        })
      throw providerError(
        `haproxy: could not start ${create.name} on ${host.config.host}: ${(error as Error).message}`,
        {
          hint: 'Check the Docker host and that publishAddress is an address of that host.',
        },
      )
    }
  }

  #hostOf(node: NodeRecord | { meta?: Record<string, string | number> | undefined }): number {
    const index = this.#hosts.findIndex((h) => h.config.host === node.meta?.host)
    return index < 0 ? 0 : index
  }

  async #remove(node: NodeRecord, stopSeconds = 0): Promise<void> {
    const docker = await this.#docker(this.#hostOf(node))
    const container = docker.getContainer(node.id)
    if (stopSeconds > 0) await container.stop({ t: stopSeconds }).catch(() => {})
    try {
      await container.remove({ force: true })
    } catch (error) {
      const { statusCode, message } = error as { statusCode?: number; message: string }
      if (statusCode === 404) return
      // dockerd is still removing it (a restart policy, or an earlier request it has not finished): wait for it.
      if (statusCode === 409 && /already in progress/.test(message)) return waitUntilGone(container, node.id)
      throw providerError(`haproxy: could not remove container ${node.id}: ${message}`, {
        hint: 'Check the Docker host; re-running the command retries the removal.',
      })
    }
  }

  /** Stops (SIGTERM: the gateway drains) and removes every node of the record. */
  async stop(record: FleetRecord, drainMs: number): Promise<void> {
    const seconds = Math.max(1, Math.ceil(drainMs / 1000))
    await Promise.all(record.nodes.map((node) => this.#remove(node, seconds)))
  }

  /** The containers' own view: running, and the image HEALTHCHECK status. */
  async health(record: FleetRecord): Promise<Map<string, NodeHealth>> {
    const result = new Map<string, NodeHealth>()
    await Promise.all(
      record.nodes.map(async (node) => {
        const docker = await this.#docker(this.#hostOf(node))
        try {
          const info = await docker.getContainer(node.id).inspect()
          const health = info.State.Health?.Status
          if (!info.State.Running)
            result.set(node.id, {
              node: node.id,
              status: 'gone',
              detail: `container ${info.State.Status} (exit ${info.State.ExitCode})`,
            })
          // "starting" only means the image HEALTHCHECK has not run yet (its interval is 5 s): the
          // gate's own probes and the HAProxy check decide; a failing HEALTHCHECK still counts.
          else if (health === 'unhealthy')
            result.set(node.id, { node: node.id, status: health, detail: 'docker health unhealthy' })
          else result.set(node.id, { node: node.id, status: 'healthy', detail: 'container running' })
        } catch (error) {
          const missing = (error as { statusCode?: number }).statusCode === 404
          result.set(node.id, {
            node: node.id,
            status: missing ? 'gone' : 'unknown',
            detail: missing ? 'container removed' : (error as Error).message,
          })
        }
      }),
    )
    return result
  }

  /** The container's state line, then its last log lines (a node killed early may have logged nothing). */
  async logs(
    node: { id: string; meta?: Record<string, string | number> | undefined },
    lines: number,
  ): Promise<string> {
    const docker = await this.#docker(this.#hostOf(node))
    const container = docker.getContainer(node.id)
    const { State: state } = await container.inspect()
    const facts = [
      state.Status,
      `exit code ${state.ExitCode}`,
      state.OOMKilled ? 'OOM killed' : '',
      state.Error,
    ]
    const output = (await container.logs({
      stdout: true,
      stderr: true,
      tail: lines,
      follow: false,
    })) as unknown as Buffer
    const header = `[container ${node.id} on ${node.meta?.host ?? '?'}: ${facts.filter(Boolean).join(', ')}]`
    return [header, demux(output).trimEnd()].filter(Boolean).join('\n')
  }

  /** The container's log as lines, for `gwdeploy logs` (see docker-logs.ts). */
  async *streamLogs(
    node: { id: string; meta?: Record<string, string | number> | undefined },
    options: LogStreamOptions,
  ): AsyncGenerator<string> {
    const docker = await this.#docker(this.#hostOf(node))
    yield* containerLogLines(docker.getContainer(node.id), options)
  }

  async removeAll(): Promise<void> {
    const fleets = await this.fleets()
    await Promise.all(Object.values(fleets).map((record) => this.stop(record, 1_000)))
  }
}

const nameOf = (info: Dockerode.ContainerInfo) => (info.Names[0] ?? info.Id).replace(/^\//, '')

/** Docker's multiplexed log stream (8-byte frame headers) as text. */
export function demux(buffer: Buffer): string {
  const parts: string[] = []
  let offset = 0
  while (offset + 8 <= buffer.length && buffer[offset + 1] === 0 && (buffer[offset] ?? 9) <= 2) {
    const size = buffer.readUInt32BE(offset + 4)
    parts.push(buffer.subarray(offset + 8, offset + 8 + size).toString('utf8'))
    offset += 8 + size
  }
  return offset === 0 ? buffer.toString('utf8') : parts.join('')
}

async function waitUntilGone(
  container: Dockerode.Container,
  name: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      await container.inspect()
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return
    }
    await sleep(200)
  }
  throw providerError(`haproxy: container ${name} is still being removed after ${timeoutMs / 1000} s`, {
    hint: 'Check the Docker host (docker ps -a); re-running the command retries the removal.',
  })
}

/** The fleet.env / fleet.envFrom key a mount source came from, for the error message. */
function envPathOf(create: Dockerode.ContainerCreateOptions, source: string): string {
  const target = create.HostConfig?.Mounts?.find((mount) => mount.Source === source)?.Target ?? ''
  const name = target.split('/').at(-1) ?? ''
  return target.includes('/env-files/')
    ? `fleet.envFrom[${Number.parseInt(name, 10)}].file`
    : `fleet.env.${name}.fromFile`
}

/** Where a node takes revocations (`status` shows it): its published auth/revoker port on the host's address. */
const revokerMeta = (host: Host, published: number | undefined): { revoker?: string } =>
  published ? { revoker: `${host.config.publishAddress}:${published}` } : {}
