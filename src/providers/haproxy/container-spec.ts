/**
 * What gwdeploy asks a Docker host to create for one node, as data (pure): the container's name,
 * labels (the source of truth `inspect()` reads back) and host settings. `release --dry-run`
 * prints it; the tests golden it.
 */
import type Dockerode from 'dockerode'
import { type ContainerEnv, containerEnvSpec } from '../node-env.ts'
import type { Colour, FleetSpec } from '../types.ts'

export const LABEL = {
  managedBy: 'gwdeploy.managed-by',
  target: 'gwdeploy.target',
  /** The target's identity (state.ts): which gwdeploy target of this name created the container. */
  targetId: 'gwdeploy.target-id',
  service: 'gwdeploy.service',
  colour: 'gwdeploy.colour',
  sha: 'gwdeploy.sha',
  configName: 'gwdeploy.config.name',
  configDigest: 'gwdeploy.config.digest',
  release: 'gwdeploy.release',
  slot: 'gwdeploy.slot',
  image: 'gwdeploy.image',
  /** auth/revoker's port in the container, when the config has one (its published port is read back by it). */
  revokerPort: 'gwdeploy.revoker-port',
} as const

/**
 * `gwdeploy-<target>-<targetId>-<colour>-<sha7>-<slot>`. The target id keeps two targets of the
 * same name apart on one Docker host: neither can replace a container the other named.
 */
export function containerName(target: string, targetId: string, colour: Colour, sha7: string, slot: number) {
  return `gwdeploy-${target}-${targetId}-${colour}-${sha7}-${slot + 1}`
}

/** The container create request for one node (also shown by `release --dry-run`). */
export function containerSpec(
  spec: FleetSpec,
  options: {
    target: string
    targetId: string
    slot: number
    publishAddress: string
    restartPolicy: string
    env?: ContainerEnv
  },
): Dockerode.ContainerCreateOptions & { name: string } {
  const { artifact } = spec
  const port = `${spec.port}/tcp`
  // auth/revoker's port is published beside the gateway's (an ephemeral host port on the same address).
  const ports = artifact.revokerPort ? [port, `${artifact.revokerPort}/tcp`] : [port]
  const env = options.env ? containerEnvSpec(options.env) : { Env: [], Mounts: [] }
  return {
    name: containerName(options.target, options.targetId, spec.colour, artifact.sha7, options.slot),
    Image: artifact.image ?? '',
    Labels: {
      [LABEL.managedBy]: 'gwdeploy',
      [LABEL.target]: options.target,
      [LABEL.targetId]: options.targetId,
      [LABEL.service]: spec.service,
      [LABEL.colour]: spec.colour,
      [LABEL.sha]: artifact.sha,
      [LABEL.configName]: artifact.configName,
      [LABEL.configDigest]: artifact.configDigest,
      [LABEL.release]: `${artifact.sha7}-${artifact.configDigest.replace(/^sha256:/, '').slice(0, 12)}`,
      [LABEL.slot]: String(options.slot),
      [LABEL.image]: artifact.image ?? '',
      ...(artifact.revokerPort ? { [LABEL.revokerPort]: String(artifact.revokerPort) } : {}),
    },
    ExposedPorts: Object.fromEntries(ports.map((p) => [p, {}])),
    ...(env.Env.length ? { Env: env.Env } : {}),
    HostConfig: {
      PortBindings: Object.fromEntries(
        ports.map((p) => [p, [{ HostIp: options.publishAddress, HostPort: '' }]]),
      ),
      RestartPolicy: { Name: options.restartPolicy },
      ...(env.Mounts.length ? { Mounts: env.Mounts } : {}),
    },
  }
}

/** The fleet.env / fleet.envFrom key a mount source came from, for the error message. */
export function envPathOf(create: Dockerode.ContainerCreateOptions, source: string): string {
  const target = create.HostConfig?.Mounts?.find((mount) => mount.Source === source)?.Target ?? ''
  const name = target.split('/').at(-1) ?? ''
  return target.includes('/env-files/')
    ? `fleet.envFrom[${Number.parseInt(name, 10)}].file`
    : `fleet.env.${name}.fromFile`
}
