/**
 * The fleets as the containers' labels describe them: the inverse of container-spec.ts (the
 * labels are the source of truth), with the ports each node published on its host.
 */
import type Dockerode from 'dockerode'
import type { Colour } from '../types.ts'
import { LABEL } from './container-spec.ts'
import type { DockerHostConfig } from './docker-connection.ts'
import type { FleetRecord } from './state.ts'

export const nameOf = (info: Dockerode.ContainerInfo) => (info.Names[0] ?? info.Id).replace(/^\//, '')

/** Where a node takes revocations (`status` shows it): its published auth/revoker port on the host's address. */
export const revokerMeta = (host: DockerHostConfig, published: number | undefined): { revoker?: string } =>
  published ? { revoker: `${host.publishAddress}:${published}` } : {}

/** Every colour's fleet from this target's containers on each host; `port` is the gateway's port in the container. */
export function fleetsFromContainers(
  lists: Array<{ host: DockerHostConfig; containers: Dockerode.ContainerInfo[] }>,
  port: number,
): Partial<Record<Colour, FleetRecord>> {
  const fleets: Partial<Record<Colour, FleetRecord>> = {}
  for (const { host, containers } of lists) {
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
      const published = info.Ports.find((p) => p.PrivatePort === port && p.PublicPort)
      const revokerPort = Number(labels[LABEL.revokerPort] ?? 0)
      const revoker = revokerPort
        ? info.Ports.find((p) => p.PrivatePort === revokerPort && p.PublicPort)?.PublicPort
        : undefined
      record.nodes.push({
        id: nameOf(info),
        slot: Number(labels[LABEL.slot] ?? record.nodes.length),
        address: host.publishAddress,
        port: published?.PublicPort ?? 0,
        ...(revoker ? { revokerPort: revoker } : {}),
        startedAt: new Date(info.Created * 1000).toISOString(),
        meta: {
          host: host.host,
          container: info.Id.slice(0, 12),
          state: info.State,
          ...revokerMeta(host, revoker),
        },
      })
    }
  }
  for (const record of Object.values(fleets)) record.nodes.sort((a, b) => a.slot - b.slot)
  return fleets
}
