/**
 * The local provider's state directory. Everything the local provider knows lives here, so a
 * fresh gwdeploy process (or a re-run after SIGKILL) rebuilds the picture from files plus the
 * live processes they name:
 *
 *   <stateDir>/local/router.json        front proxy: pid, listen, preview port, admin socket
 *   <stateDir>/local/router.sock        admin channel (unix socket, mode 0600)
 *   <stateDir>/local/routes.json        the routing table the front proxy serves (it persists it)
 *   <stateDir>/local/fleet-<colour>.json  one colour's nodes: pid, port, SHA, config name, digest
 *   <stateDir>/local/releases/<sha7>-<digest12>/  the "image": stamped config (+ link to its runtime)
 *   <stateDir>/local/runtimes/<hash>/   a runtime bundle, one copy per runtime
 *   <stateDir>/local/logs/<node>.log    each node's stdout/stderr; router.log for the proxy
 *   <stateDir>/lock.json                the release lock
 *   <stateDir>/records/<time>-<op>-<sha7>-<rand>.json  release records (the target's truth)
 *   <stateDir>/history.jsonl            the local audit cache (written by the engine)
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readJsonFile } from '../json-file.ts'
import type { Colour, Fleet } from '../types.ts'

export interface LocalPaths {
  root: string
  dir: string
  routerFile: string
  routesFile: string
  adminSocket: string
  logs: string
  releases: string
  runtimes: string
  fleetFile(colour: Colour): string
  nodeLog(node: string): string
  routerLog: string
}

export function localPaths(stateDir: string): LocalPaths {
  const dir = join(stateDir, 'local')
  let adminSocket = join(dir, 'router.sock')
  // sun_path is 108 bytes on Linux: deep state dirs get a stable short name in the tmp dir.
  if (Buffer.byteLength(adminSocket) > 100) {
    const hash = createHash('sha256').update(dir).digest('hex').slice(0, 16)
    adminSocket = join(tmpdir(), `gwdeploy-${hash}.sock`)
  }
  return {
    root: stateDir,
    dir,
    routerFile: join(dir, 'router.json'),
    routesFile: join(dir, 'routes.json'),
    adminSocket,
    logs: join(dir, 'logs'),
    releases: join(dir, 'releases'),
    runtimes: join(dir, 'runtimes'),
    fleetFile: (colour) => join(dir, `fleet-${colour}.json`),
    nodeLog: (node) => join(dir, 'logs', `${node}.log`),
    routerLog: join(dir, 'logs', 'router.log'),
  }
}

export async function ensureDirs(paths: LocalPaths): Promise<void> {
  await mkdir(paths.logs, { recursive: true, mode: 0o700 })
  await mkdir(paths.releases, { recursive: true, mode: 0o700 })
}

const CORRUPT_LOCAL_FILE = {
  provider: 'local',
  hint: 'It was not written by a complete gwdeploy run. Check which processes it named (ps), stop them, delete the file and re-run.',
}

export const readJson = <T>(file: string): Promise<T | undefined> => readJsonFile<T>(file, CORRUPT_LOCAL_FILE)

export interface LocalNodeRecord {
  id: string
  pid: number
  port: number
  metricsPort: number
  /** auth/revoker's Go net/rpc port, when the config has a revoker. */
  revokerPort?: number
  startedAt: string
  log: string
}

export interface LocalFleetRecord {
  colour: Colour
  sha: string
  configName: string
  configDigest: string
  releaseDir: string
  configFile: string
  entry: string
  /** Where the front proxy checks each node (health.path); absent in records written before it. */
  healthPath?: string
  createdAt: string
  keepUntil?: string
  nodes: LocalNodeRecord[]
}

export const readFleetRecord = (paths: LocalPaths, colour: Colour): Promise<LocalFleetRecord | undefined> =>
  readJson<LocalFleetRecord>(paths.fleetFile(colour))

export interface RouterRecord {
  pid: number
  listen: string
  previewPort: number
  admin: string
  startedAt: string
}

/** A running process (a zombie waiting for its reaper counts as exited). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return true // no /proc (macOS): kill(0) is all we have
  }
}

export function toFleet(record: LocalFleetRecord): Fleet {
  return {
    colour: record.colour,
    sha: record.sha,
    configName: record.configName,
    configDigest: record.configDigest,
    createdAt: record.createdAt,
    ...(record.keepUntil ? { keepUntil: record.keepUntil } : {}),
    nodes: record.nodes.map((node) => ({
      id: node.id,
      colour: record.colour,
      address: `127.0.0.1:${node.port}`,
      startedAt: node.startedAt,
      meta: { pid: node.pid, port: node.port, ...(node.revokerPort ? { revoker: node.revokerPort } : {}) },
    })),
  }
}
