/**
 * `servers` mode: the gateway nodes of each colour run somewhere gwdeploy does not manage, at
 * fixed addresses. Provisioning a colour only records which release its addresses now serve
 * (the operator deployed it there); the health gate still proves every address answers with
 * the stamped config name before any traffic moves.
 */
import { providerError } from '../../core/errors.ts'
import type { Artifact, Colour, FleetSpec } from '../types.ts'
import type { FleetRecord, StateStore } from './state.ts'

export class ServersFleet {
  readonly #servers: Record<Colour, string[]>
  readonly #store: StateStore

  constructor(servers: Record<Colour, string[]>, store: StateStore) {
    this.#servers = servers
    this.#store = store
  }

  async fleets(): Promise<Partial<Record<Colour, FleetRecord>>> {
    return (await this.#store.read()).fleets
  }

  async provision(spec: FleetSpec): Promise<FleetRecord> {
    const existing = (await this.fleets())[spec.colour]
    if (
      existing &&
      (existing.sha !== spec.artifact.sha || existing.configDigest !== spec.artifact.configDigest)
    ) {
      throw providerError(
        `haproxy: colour ${spec.colour} serves ${existing.sha.slice(0, 7)}; decommission it before provisioning ${spec.artifact.sha7}`,
      )
    }
    return this.recordOf(spec.colour, spec.artifact, existing?.createdAt)
  }

  /** What the colour's servers are as a fleet record once they run `artifact` (nothing read or changed). */
  recordOf(colour: Colour, artifact: Artifact, createdAt = new Date().toISOString()): FleetRecord {
    return {
      colour,
      sha: artifact.sha,
      configName: artifact.configName,
      configDigest: artifact.configDigest,
      createdAt,
      nodes: this.#servers[colour].map((server, slot) => {
        const [address = '', port = '0'] = server.split(/:(?=\d+$)/)
        return { id: `${colour}-${slot + 1}`, slot, address, port: Number(port), meta: { server } }
      }),
    }
  }
}
