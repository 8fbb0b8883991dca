/** What a release would send, as data (pure): `release --dry-run` prints it, tests golden it. */

import type { ContainerEnv } from '../node-env.ts'
import type { FleetSpec, RenderedDocument } from '../types.ts'
import { renderMap, renderServerBlock, type Slot } from './config-file.ts'
import { containerSpec } from './container-spec.ts'
import {
  type ConnectionEnvironment,
  type DockerHostConfig,
  describeConnection,
  dockerConnection,
} from './docker-connection.ts'

export interface RenderSettings {
  target: string
  /** The target's id (state.ts); undefined before its first provision creates one. */
  targetId?: string | undefined
  backends: { blue: string; green: string }
  slots: number
  serverOptions: string
  instances: Array<{ name: string; configFile: string; mapFile: string }>
  dockerHosts?: DockerHostConfig[] | undefined
  /** How the Docker hosts are reached (SSH agent, home, user). */
  environment: ConnectionEnvironment
  restartPolicy: string
  servers?: { blue: string[]; green: string[] } | undefined
  /** fleet.env of the containers (plain values and mounted host files; never secret values). */
  env?: ContainerEnv | undefined
}

/** Shown in place of the id a target's first provision creates. */
export const NEW_TARGET_ID = '<new target id>'

export function renderDocuments(spec: FleetSpec, settings: RenderSettings): RenderedDocument[] {
  const documents: RenderedDocument[] = []
  const hosts = settings.dockerHosts ?? []
  const slots: Array<Slot | { address: string; port: string }> = settings.servers
    ? settings.servers[spec.colour].map((server) => {
        const [address = '', port = ''] = server.split(/:(?=\d+$)/)
        return { address, port: Number(port) }
      })
    : Array.from({ length: spec.size }, (_, slot) => ({
        address: hosts[slot % hosts.length]?.publishAddress ?? '',
        port: '<published port>',
      }))
  if (!settings.servers) {
    hosts.forEach((host, index) => {
      documents.push({
        title: `docker ${host.host}: connection (dockerode options; key files are read when connecting)`,
        language: 'json',
        content: JSON.stringify(
          describeConnection(dockerConnection(host, index, settings.environment)),
          null,
          2,
        ),
      })
    })
    for (let slot = 0; slot < spec.size; slot++) {
      const host = hosts[slot % hosts.length] as DockerHostConfig
      documents.push({
        title: `docker ${host.host}: create container (slot ${slot + 1})`,
        language: 'json',
        content: JSON.stringify(
          containerSpec(spec, {
            target: settings.target,
            targetId: settings.targetId ?? NEW_TARGET_ID,
            slot,
            publishAddress: host.publishAddress,
            restartPolicy: settings.restartPolicy,
            ...(settings.env ? { env: settings.env } : {}),
          }),
          null,
          2,
        ),
      })
    }
  }
  const backend = settings.backends[spec.colour]
  const block = renderServerBlock(
    spec.colour,
    slots as Slot[],
    settings.slots,
    settings.serverOptions,
    '    ',
    settings.target,
  ).join('\n')
  for (const instance of settings.instances) {
    documents.push({
      title: `${instance.name}: ${instance.configFile}, backend ${backend} (also set live through the runtime API)`,
      language: 'haproxy',
      content: `backend ${backend}\n    ...\n${block}\n`,
    })
    documents.push({
      title: `${instance.name}: ${instance.mapFile} after the switch (set map ... at each step)`,
      language: 'text',
      content: renderMap(
        spec.colour === 'green' ? { blue: 0, green: 100 } : { blue: 100, green: 0 },
        '<unchanged>',
        settings.target,
      ),
    })
  }
  return documents
}
