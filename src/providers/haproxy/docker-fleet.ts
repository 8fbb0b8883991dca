/**
 * The fleet on Docker hosts (dockerode, loaded lazily): one container per node, created from
 * the image digest, labelled with everything `inspect()` needs (the labels are the source of
 * truth), published on the host's publishAddress, with a restart policy. Nodes are spread over
 * the hosts round-robin by slot. Only this target's containers are ever read, reused, stopped
 * or removed: another target's of the same name stops every command (container-ownership.ts).
 */
import type Dockerode from 'dockerode'
import { configError, isGwError, providerError } from '../../core/errors.ts'
import { untilAborted } from '../../core/until-aborted.ts'
import type { ContainerEnv } from '../node-env.ts'
import type { Artifact, Colour, FleetSpec, LogStreamOptions, NodeHealth, OperationOptions } from '../types.ts'
import { fleetsFromContainers, nameOf, revokerMeta } from './container-fleets.ts'
import { ownerOf, type StrangerContainer, strangersError } from './container-ownership.ts'
import { containerSpec, envPathOf, LABEL } from './container-spec.ts'
import { containerHealth, exitedAtStartError, waitUntilGone, wayOut } from './container-state.ts'
import { dockerCall } from './docker-calls.ts'
import {
  type ConnectionEnvironment,
  connect,
  type DockerHostConfig,
  dockerHostError,
} from './docker-connection.ts'
import { inspectImage, pullImage } from './docker-images.ts'
import { containerLogLines, containerLogTail } from './docker-logs.ts'
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
  readonly #timeoutMs: number

  constructor(
    hosts: DockerHostConfig[],
    options: {
      target: string
      /** The target's state: its id (claimed at the first provision) and fleet record. */
      store: StateStore
      restartPolicy: string
      port: number
      environment: ConnectionEnvironment
      /** How long one Docker request may wait for its answer (GWDEPLOY_DOCKER_API_TIMEOUT). */
      timeoutMs: number
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
    this.#timeoutMs = options.timeoutMs
  }

  #docker(index: number, signal?: AbortSignal): Promise<Dockerode> {
    const host = this.#hosts[index] as Host
    host.docker ??= connect(host.config, index, this.#environment, { signal, timeoutMs: this.#timeoutMs })
    host.docker.catch(() => {
      host.docker = undefined
    })
    // The connection may be under way for an earlier caller without a signal: Ctrl-C still ends the wait.
    return untilAborted(host.docker, signal)
  }

  /** One request to host `index`, ended by the run's signal or the request timeout (docker-calls.ts). */
  async #call<T>(
    index: number,
    what: string,
    signal: AbortSignal | undefined,
    request: (docker: Dockerode, abortSignal: AbortSignal) => Promise<T>,
    extraMs = 0,
  ): Promise<T> {
    const docker = await this.#docker(index, signal)
    const host = (this.#hosts[index] as Host).config
    return dockerCall(host, what, { signal, timeoutMs: this.#timeoutMs + extraMs }, (abortSignal) =>
      request(docker, abortSignal),
    )
  }

  async #list(index: number, signal?: AbortSignal): Promise<Dockerode.ContainerInfo[]> {
    try {
      return await this.#call(index, 'listing containers', signal, (docker, abortSignal) =>
        docker.listContainers({
          all: true,
          filters: { label: [`${LABEL.managedBy}=gwdeploy`, `${LABEL.target}=${this.#target}`] },
          abortSignal,
        }),
      )
    } catch (error) {
      if (isGwError(error)) throw error
      throw dockerHostError((this.#hosts[index] as Host).config, error)
    }
  }

  /**
   * Every colour's fleet as the containers' labels describe it. Refuses (exit 2) when a host
   * holds containers of this target's name that are not this target's.
   */
  async fleets(signal?: AbortSignal): Promise<Partial<Record<Colour, FleetRecord>>> {
    const [own, lists] = await Promise.all([
      this.#store.read(),
      Promise.all(this.#hosts.map((_, index) => this.#list(index, signal))),
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
    return fleetsFromContainers(
      lists.map((containers, index) => ({ host: (this.#hosts[index] as Host).config, containers })),
      this.#port,
    )
  }

  /** Starts the missing nodes of `spec` in parallel; reuses running matching ones, replaces dead ones. */
  async provision(spec: FleetSpec, options: OperationOptions = {}): Promise<FleetRecord> {
    const image = spec.artifact.image
    if (!image) throw providerError('haproxy: the release has no image to run (image.repository is required)')
    const { signal } = options
    const existing = (await this.fleets(signal))[spec.colour]
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
    await Promise.all(remove.map((node) => this.#remove(node, 0, signal)))
    const missing = Array.from({ length: spec.size }, (_, slot) => slot).filter((slot) => !keep.has(slot))
    options.progress?.(
      missing.length
        ? `starting ${missing.length} container(s)${keep.size ? `, reusing ${keep.size}` : ''}`
        : `reusing ${keep.size} running container(s)`,
    )
    const hostsUsed = [...new Set(missing.map((slot) => slot % this.#hosts.length))]
    await Promise.all(hostsUsed.map((index) => this.#ensureImage(index, image, spec.artifact.sha, options)))
    const started = await Promise.all(missing.map((slot) => this.#start(spec, slot, targetId, signal)))
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

  async #ensureImage(index: number, image: string, sha: string, options: OperationOptions): Promise<void> {
    const host = (this.#hosts[index] as Host).config
    const where = host.host
    try {
      await this.#call(index, `inspecting image ${image}`, options.signal, (docker, abortSignal) =>
        inspectImage(docker, image, abortSignal),
      )
      return
    } catch (error) {
      if (isGwError(error)) throw error
      if ((error as { statusCode?: number }).statusCode !== 404) throw dockerHostError(host, error)
    }
    options.progress?.(`pulling ${image} on ${where}`)
    const docker = await this.#docker(index, options.signal)
    await pullImage(docker, host, image, sha, { signal: options.signal, timeoutMs: this.#timeoutMs })
  }

  async #start(
    spec: FleetSpec,
    slot: number,
    targetId: string,
    signal: AbortSignal | undefined,
  ): Promise<NodeRecord> {
    const index = slot % this.#hosts.length
    const host = this.#hosts[index] as Host
    const call = <T>(what: string, request: (docker: Dockerode, abortSignal: AbortSignal) => Promise<T>) =>
      this.#call(index, `${what} ${create.name}`, signal, request)
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
      await call('removing a leftover', (docker, abortSignal) =>
        docker.getContainer(create.name).remove({ force: true, abortSignal }),
      ).catch((error: unknown) => {
        if (isGwError(error)) throw error
      })
      const container = await call('creating', (docker, abortSignal) =>
        docker.createContainer({ ...create, abortSignal }),
      )
      await call('starting', (_, abortSignal) => container.start({ abortSignal }))
      const info = await call('inspecting', (_, abortSignal) => container.inspect({ abortSignal }))
      const hostPort = info.NetworkSettings.Ports[`${spec.port}/tcp`]?.[0]?.HostPort
      if (!hostPort && (!info.State.Running || info.State.Restarting))
        throw await this.#exitedAtStart(
          spec,
          { id: create.name, meta: { host: host.config.host } },
          info,
          signal,
        )
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
          ...revokerMeta(host.config, revokerPort),
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

  /** A container that stopped before its port was published: exit 4 with what it said (container-state.ts). */
  async #exitedAtStart(
    spec: FleetSpec,
    node: { id: string; meta: { host: string } },
    info: Dockerode.ContainerInspectInfo,
    signal: AbortSignal | undefined,
  ) {
    const log = await this.logs(node, 20, signal).catch(() => {
      if (signal?.aborted) throw signal.reason
      return ''
    })
    return exitedAtStartError(spec, node.id, info, log)
  }

  #hostOf(node: NodeRecord | { meta?: Record<string, string | number> | undefined }): number {
    const index = this.#hosts.findIndex((h) => h.config.host === node.meta?.host)
    return index < 0 ? 0 : index
  }

  async #remove(node: NodeRecord, stopSeconds: number, signal: AbortSignal | undefined): Promise<void> {
    const index = this.#hostOf(node)
    const call = <T>(
      what: string,
      request: (container: Dockerode.Container, abortSignal: AbortSignal) => Promise<T>,
      extraMs = 0,
    ) =>
      this.#call(
        index,
        `${what} ${node.id}`,
        signal,
        (docker, abortSignal) => request(docker.getContainer(node.id), abortSignal),
        extraMs,
      )
    // docker stop waits up to t seconds for the container to exit before it kills it.
    if (stopSeconds > 0)
      await call(
        'stopping',
        (container, abortSignal) => container.stop({ t: stopSeconds, abortSignal }),
        stopSeconds * 1000,
      ).catch(() => {
        // Not stopped in time (or already gone): the removal below kills it.
        if (signal?.aborted) throw signal.reason
      })
    try {
      await call('removing', (container, abortSignal) => container.remove({ force: true, abortSignal }))
    } catch (error) {
      if (isGwError(error)) throw error
      const { statusCode, message } = error as { statusCode?: number; message: string }
      if (statusCode === 404) return
      // dockerd is still removing it (a restart policy, or an earlier request it has not finished): wait for it.
      if (statusCode === 409 && /already in progress/.test(message))
        return waitUntilGone(
          () => call('inspecting', (container, abortSignal) => container.inspect({ abortSignal })),
          node.id,
        )
      throw providerError(`haproxy: could not remove container ${node.id}: ${message}`, {
        hint: 'Check the Docker host; re-running the command retries the removal.',
      })
    }
  }

  /** Stops (SIGTERM: the gateway drains) and removes every node of the record. */
  async stop(record: FleetRecord, drainMs: number, signal?: AbortSignal): Promise<void> {
    const seconds = Math.max(1, Math.ceil(drainMs / 1000))
    await Promise.all(record.nodes.map((node) => this.#remove(node, seconds, signal)))
  }

  /** The containers' own view: running, and the image HEALTHCHECK status. */
  async health(record: FleetRecord, signal?: AbortSignal): Promise<Map<string, NodeHealth>> {
    const result = new Map<string, NodeHealth>()
    await Promise.all(
      record.nodes.map(async (node) => {
        try {
          const info = await this.#call(
            this.#hostOf(node),
            `inspecting ${node.id}`,
            signal,
            (docker, abortSignal) => docker.getContainer(node.id).inspect({ abortSignal }),
          )
          result.set(node.id, containerHealth(node.id, info, record))
        } catch (error) {
          if (signal?.aborted) throw signal.reason
          const missing = (error as { statusCode?: number }).statusCode === 404
          result.set(node.id, {
            node: node.id,
            status: missing ? 'gone' : 'unknown',
            detail: missing
              ? `container removed (outside gwdeploy): ${wayOut(record)}`
              : (error as Error).message,
          })
        }
      }),
    )
    return result
  }

  /** The container's state line, then its last log lines (see docker-logs.ts). */
  async logs(
    node: { id: string; meta?: Record<string, string | number> | undefined },
    lines: number,
    signal?: AbortSignal,
  ): Promise<string> {
    const index = this.#hostOf(node)
    const docker = await this.#docker(index, signal)
    return containerLogTail(docker.getContainer(node.id), node, lines, (what, request) =>
      this.#call(index, `${what} ${node.id}`, signal, (_, abortSignal) => request(abortSignal)),
    )
  }

  /** The container's log as lines, for `gwdeploy logs` (see docker-logs.ts). */
  async *streamLogs(
    node: { id: string; meta?: Record<string, string | number> | undefined },
    options: LogStreamOptions,
  ): AsyncGenerator<string> {
    const index = this.#hostOf(node)
    const docker = await this.#docker(index, options.signal)
    yield* containerLogLines(docker.getContainer(node.id), options, (what, request) =>
      this.#call(index, `${what} ${node.id}`, options.signal, (_, abortSignal) => request(abortSignal)),
    )
  }

  async removeAll(signal?: AbortSignal): Promise<void> {
    const fleets = await this.fleets(signal)
    await Promise.all(Object.values(fleets).map((record) => this.stop(record, 1_000, signal)))
  }
}
