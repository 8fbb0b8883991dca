/**
 * The gateway node processes of a release: started detached on free loopback ports, recognised
 * again after a re-run (guarding pid reuse), and found when no fleet record names them.
 */
import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import net from 'node:net'
import { providerError } from '../../core/errors.ts'
import { COLOURS } from '../types.ts'
import { killGroup, nodeEnv, processesUsing, waitExit } from './processes.ts'
import type { StagedRelease } from './release-dir.ts'
import { isAlive, type LocalNodeRecord, type LocalPaths, readFleetRecord } from './state.ts'

/** Starts one node per id; `revoker`: each also gets its own auth/revoker port. */
export async function startNodes(
  paths: LocalPaths,
  ids: string[],
  release: StagedRelease,
  options: { revoker: boolean; env: Record<string, string> },
): Promise<LocalNodeRecord[]> {
  const { entry, configFile, releaseDir } = release
  const { revoker } = options
  const ports = await freePorts(ids.length * (revoker ? 2 : 1))
  return ids.map((id, i) => {
    const port = ports[i] as number
    const revokerPort = revoker ? (ports[ids.length + i] as number) : undefined
    const metricsPort = 0
    const log = paths.nodeLog(id)
    const fd = openSync(log, 'a', 0o600)
    const child = spawn(
      process.execPath,
      [
        entry,
        '--config',
        configFile,
        '--port',
        String(port),
        '--listen-ip',
        '127.0.0.1',
        '--metrics-port',
        '0',
        ...(revokerPort === undefined ? [] : ['--revoker-port', String(revokerPort)]),
        '--workers',
        '1',
        // The front proxy stops sending before a node is stopped: a short grace is enough.
        '--drain-grace',
        '50ms',
        '--drain-timeout',
        '10s',
      ],
      {
        detached: true,
        stdio: ['ignore', fd, fd],
        cwd: releaseDir,
        env: { ...nodeEnv(), ...compileCacheEnv(release), ...options.env },
      },
    )
    closeSync(fd)
    child.unref()
    if (child.pid === undefined) throw providerError(`local: could not start node ${id}`)
    return {
      id,
      pid: child.pid,
      port,
      metricsPort,
      ...(revokerPort === undefined ? {} : { revokerPort }),
      startedAt: new Date().toISOString(),
      log,
    }
  })
}

/** Nodes start from their runtime's compile cache, as images do (a fleet env may still set its own). */
const compileCacheEnv = (release: StagedRelease): Record<string, string> =>
  release.compileCache ? { NODE_COMPILE_CACHE: release.compileCache } : {}

/** A live process whose command line still names this release's config (guards pid reuse). */
export async function nodeRunning(node: LocalNodeRecord, configFile: string): Promise<boolean> {
  if (!isAlive(node.pid)) return false
  try {
    const cmdline = await readFile(`/proc/${node.pid}/cmdline`, 'utf8')
    return cmdline.includes(configFile) && cmdline.includes(String(node.port))
  } catch {
    return true // no /proc (macOS): trust the pid
  }
}

/**
 * Nodes running from this state directory's releases that no fleet record names: left by a
 * run killed between starting them and recording them. Nothing routes to them; stop them.
 */
export async function stopOrphans(paths: LocalPaths, progress?: (message: string) => void): Promise<void> {
  const known = new Set<number>()
  for (const colour of COLOURS)
    for (const node of (await readFleetRecord(paths, colour))?.nodes ?? []) known.add(node.pid)
  const orphans = (await processesUsing(`${paths.releases}/`)).filter((pid) => !known.has(pid))
  if (orphans.length === 0) return
  progress?.(`stopping ${orphans.length} node(s) no fleet record names (left by an interrupted run)`)
  for (const pid of orphans) killGroup(pid, 'SIGKILL')
  await waitExit(orphans, 5_000)
}

/** n distinct free loopback ports: all are held open together, then released. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolveServer, reject) => {
          const server = net.createServer()
          server.unref()
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => resolveServer(server))
        }),
    ),
  )
  const ports = servers.map((server) => {
    const address = server.address()
    return typeof address === 'object' && address ? address.port : 0
  })
  await Promise.all(servers.map((server) => new Promise((r) => server.close(r))))
  return ports
}
