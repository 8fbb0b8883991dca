/**
 * The fleet record beside the HAProxy config (provider.haproxy.stateDir, default the first
 * instance's config directory): `gwdeploy-<target>.json`, written atomically. In `servers`
 * mode it is the source of truth for which SHA each colour's addresses serve; with Docker
 * hosts the container labels are, and the record only adds what labels cannot change later
 * (keepUntil). The release lock lives next to it (`gwdeploy-<target>.lock`).
 */
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { readJson, writeJsonAtomic } from '../local/state.ts'
import type { Colour, MaintenanceState } from '../types.ts'

export interface NodeRecord {
  id: string
  /** Index of the slot server (`<colour><slot+1>`) the node occupies in every instance. */
  slot: number
  address: string
  port: number
  meta?: Record<string, string | number>
  startedAt?: string
}

export interface FleetRecord {
  colour: Colour
  sha: string
  configName: string
  configDigest: string
  image?: string
  createdAt?: string
  keepUntil?: string
  nodes: NodeRecord[]
}

export interface StateFile {
  fleets: Partial<Record<Colour, FleetRecord>>
  /** The page last turned on (who, when, what); whether it is served is the map's `maintenance` entry. */
  maintenance?: MaintenanceState
}

export class StateStore {
  readonly file: string
  readonly lockFile: string

  constructor(dir: string, target: string) {
    this.file = join(dir, `gwdeploy-${target}.json`)
    this.lockFile = join(dir, `gwdeploy-${target}.lock`)
  }

  async read(): Promise<StateFile> {
    return (await readJson<StateFile>(this.file)) ?? { fleets: {} }
  }

  async update(change: (state: StateFile) => void): Promise<void> {
    const state = await this.read()
    change(state)
    await mkdir(dirname(this.file), { recursive: true })
    await writeJsonAtomic(this.file, state)
  }
}
