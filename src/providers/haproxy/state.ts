/**
 * The fleet record beside the HAProxy config (provider.haproxy.stateDir, default the first
 * instance's config directory): `gwdeploy-<target>.json`, written atomically. In `servers`
 * mode it is the source of truth for which SHA each colour's addresses serve; with Docker
 * hosts the container labels are, and the record only adds what labels cannot change later
 * (keepUntil), plus the target's identity: `targetId`, created by its first provision and
 * labelled on every container it starts (container-ownership.ts). The release lock lives next
 * to it (`gwdeploy-<target>.lock`).
 */
import { randomBytes } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { configError, GwError, providerError } from '../../core/errors.ts'
import { readJsonFile, writeJsonAtomic } from '../json-file.ts'
import type { Colour, Fleet, Lock, MaintenanceState } from '../types.ts'
import { slotName } from './config-file.ts'

export interface NodeRecord {
  id: string
  /** Index of the slot server (`<colour><slot+1>`) the node occupies in every instance. */
  slot: number
  address: string
  port: number
  /** The published auth/revoker port on `address`, when the config has a revoker. */
  revokerPort?: number
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
  /** provider.haproxy.serverOptions its server lines were written with (absent in records before it). */
  serverOptions?: string
}

export interface StateFile {
  /** This target's identity on its Docker hosts (TARGET_ID); absent until it first provisions containers. */
  targetId?: string
  fleets: Partial<Record<Colour, FleetRecord>>
  /** The page last turned on (who, when, what); whether it is served is the map's `maintenance` entry. */
  maintenance?: MaintenanceState
}

/** What gwdeploy writes as `targetId`: 8 hex digits. */
export const TARGET_ID = /^[0-9a-f]{8}$/

const newTargetId = () => randomBytes(4).toString('hex')

const CORRUPT_STATE_FILE = {
  provider: 'haproxy',
  hint: "It was not written by a complete gwdeploy run. Restore it from a backup, or delete it and re-run: with Docker hosts, the next command names the target id to put back (the gwdeploy.target-id label of this target's containers).",
}

export class StateStore {
  readonly file: string
  readonly lockFile: string

  constructor(dir: string, target: string) {
    this.file = join(dir, `gwdeploy-${target}.json`)
    this.lockFile = join(dir, `gwdeploy-${target}.lock`)
  }

  async read(): Promise<StateFile> {
    const state = (await readJsonFile<StateFile>(this.file, CORRUPT_STATE_FILE)) ?? { fleets: {} }
    const id: unknown = state.targetId
    if (id !== undefined && (typeof id !== 'string' || !TARGET_ID.test(id)))
      throw configError(`targetId ${JSON.stringify(id)} is not a gwdeploy target id (8 hex digits)`, {
        location: { file: this.file, path: 'targetId' },
        hint: "Put back the id from the gwdeploy.target-id label of this target's containers (`docker inspect`), or remove the key when no container of this target runs. Nothing was changed.",
      })
    return state
  }

  /** This target's id, created and saved by the first call (callers hold the release lock). */
  async claimTargetId(): Promise<string> {
    const saved = (await this.read()).targetId
    if (saved) return saved
    const id = newTargetId()
    await this.update((state) => {
      state.targetId = id
    })
    return id
  }

  async update(change: (state: StateFile) => void): Promise<void> {
    const state = await this.read()
    change(state)
    await stateDirAccess(this.file, async () => {
      await mkdir(dirname(this.file), { recursive: true })
      await writeJsonAtomic(this.file, state)
    })
  }
}

/**
 * Runs a write into the state directory; a permission error (the directory or file not writable
 * by gwdeploy's user) becomes a provider error naming the directory (exit 6), not "a bug".
 */
export async function stateDirAccess<T>(file: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (error instanceof GwError || (code !== 'EACCES' && code !== 'EPERM')) throw error
    throw providerError(
      `haproxy: gwdeploy may not write ${dirname(file)} (provider.haproxy.stateDir): ${(error as Error).message}`,
      {
        hint: `The release lock and the fleet record live there: run gwdeploy as a user that may write it (e.g. the owner or group of ${dirname(file)}), or fix its permissions. Nothing was changed by this step.`,
        cause: error,
      },
    )
  }
}

/** The lock file's writes, with a permission error named as the state directory's (exit 6). */
export function lockInStateDir(lock: Lock, file: string): Lock {
  return {
    tryAcquire: (request) => stateDirAccess(file, () => lock.tryAcquire(request)),
    renew: () => stateDirAccess(file, () => lock.renew()),
    release: () => stateDirAccess(file, () => lock.release()),
    status: () => lock.status(),
    forceRelease: () => stateDirAccess(file, () => lock.forceRelease()),
  }
}

export function slotsOf(record: FleetRecord) {
  const slots: Array<{ address: string; port: number }> = []
  for (const node of record.nodes) slots[node.slot] = { address: node.address, port: node.port }
  return Array.from(slots, (slot) => slot ?? { address: '127.0.0.1', port: 1 })
}

export function toFleet(record: FleetRecord): Fleet {
  return {
    colour: record.colour,
    sha: record.sha,
    configName: record.configName,
    configDigest: record.configDigest,
    ...(record.image ? { image: record.image } : {}),
    ...(record.createdAt ? { createdAt: record.createdAt } : {}),
    ...(record.keepUntil ? { keepUntil: record.keepUntil } : {}),
    nodes: record.nodes.map((node) => ({
      id: node.id,
      colour: record.colour,
      address: `${node.address}:${node.port}`,
      ...(node.startedAt ? { startedAt: node.startedAt } : {}),
      meta: { slot: slotName(record.colour, node.slot), ...node.meta },
    })),
  }
}
