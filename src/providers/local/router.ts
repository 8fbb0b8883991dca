/**
 * The front proxy process (router-main.ts) seen from gwdeploy: found through its record and
 * admin socket, started detached when needed, stopped, and sent routing tables built from the
 * fleet records.
 */
import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { providerError } from '../../core/errors.ts'
import { writeJsonAtomic } from '../json-file.ts'
import { COLOURS, type Colour, type Weights } from '../types.ts'
import { getRouterState, putRoutes, shutdownRouter } from './admin.ts'
import { killGroup, nodeEnv, sleep, waitExit } from './processes.ts'
import type { RouterSnapshot, RouteTable } from './router-protocol.ts'
import {
  ensureDirs,
  isAlive,
  type LocalPaths,
  type RouterRecord,
  readFleetRecord,
  readJson,
} from './state.ts'
import { tail } from './tail.ts'

const ROUTER_ENTRY = fileURLToPath(
  new URL(`./router-main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
)

export interface RunningRouter {
  record: RouterRecord
  snapshot: RouterSnapshot
}

/** The front proxy its record names, if that process is alive and answers its admin socket. */
export async function runningRouter(paths: LocalPaths): Promise<RunningRouter | undefined> {
  const record = await readJson<RouterRecord>(paths.routerFile)
  if (!record || !isAlive(record.pid)) return undefined
  try {
    const snapshot = await getRouterState(record.admin)
    if (snapshot.pid !== record.pid) return undefined
    return { record, snapshot }
  } catch {
    return undefined
  }
}

/** The running front proxy on `listen`; one on another address is stopped, and a new one started. */
export async function ensureRouter(paths: LocalPaths, listen: string): Promise<RunningRouter> {
  const running = await runningRouter(paths)
  if (running && running.record.listen === listen) return running
  if (running) await stopRouter(running.record)
  await ensureDirs(paths)
  await rm(paths.routerFile, { force: true })
  const fd = openSync(paths.routerLog, 'a', 0o600)
  const child = spawn(
    process.execPath,
    [
      ROUTER_ENTRY,
      '--listen',
      listen,
      '--admin',
      paths.adminSocket,
      '--routes',
      paths.routesFile,
      '--record',
      paths.routerFile,
    ],
    { detached: true, stdio: ['ignore', fd, fd], env: nodeEnv() },
  )
  closeSync(fd)
  child.unref()
  let exited: number | null | undefined
  child.once('exit', (code) => {
    exited = code
  })
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (exited !== undefined) break
    const ready = await runningRouter(paths)
    if (ready && ready.record.pid === child.pid) return ready
    await sleep(25)
  }
  if (child.pid) killGroup(child.pid, 'SIGKILL')
  const log = await tail(paths.routerLog, 10)
  throw providerError(`local: the front proxy did not start on ${listen}`, {
    hint: `Is the port free? Set provider.local.listen to another address. Front proxy log:\n${log}`,
  })
}

export async function stopRouter(record: RouterRecord): Promise<void> {
  try {
    await shutdownRouter(record.admin)
  } catch {
    killGroup(record.pid, 'SIGTERM')
  }
  await waitExit([record.pid], 10_000)
}

/** The next routing table: nodes from the fleet records, weights given or kept. */
/** How the front proxy names a node: its origin on loopback. */
export const nodeOrigin = (port: number) => `http://127.0.0.1:${port}`

export async function nextTable(
  paths: LocalPaths,
  current: RouteTable,
  weights?: Weights,
  preview?: Colour | null,
  drop?: Colour,
): Promise<RouteTable> {
  const table: RouteTable = { revision: current.revision + 1, colours: {}, preview: current.preview }
  if (preview !== undefined) table.preview = preview
  for (const colour of COLOURS) {
    const weight = weights ? weights[colour] : (current.colours[colour]?.weight ?? 0)
    const record = colour === drop ? undefined : await readFleetRecord(paths, colour)
    if (!record) {
      if (weight > 0) throw providerError(`local: cannot route ${weight}% to ${colour}: it has no nodes`)
      continue
    }
    const nodes = record.nodes.map((node) => nodeOrigin(node.port))
    table.colours[colour] = record.healthPath
      ? { weight, nodes, health: record.healthPath }
      : { weight, nodes }
  }
  if (table.preview && !table.colours[table.preview]) table.preview = null
  return table
}

/**
 * Takes a colour that serves no traffic out of the routing table: through the running front
 * proxy, or in the saved table the next one starts with. Refuses a colour that serves traffic.
 */
export async function withdrawColour(paths: LocalPaths, colour: Colour): Promise<void> {
  const router = await runningRouter(paths)
  if (router) {
    const entry = router.snapshot.table.colours[colour]
    if (entry && entry.weight > 0) {
      throw providerError(`local: refusing to decommission ${colour}: it serves ${entry.weight}% of traffic`)
    }
    if (entry)
      await putRoutes(
        router.record.admin,
        await nextTable(paths, router.snapshot.table, undefined, undefined, colour),
      )
  } else {
    const saved = await readJson<RouteTable>(paths.routesFile)
    const entry = saved?.colours[colour]
    if (saved && entry) {
      if (entry.weight > 0)
        throw providerError(`local: refusing to decommission ${colour}: it is the serving colour`)
      delete saved.colours[colour]
      if (saved.preview === colour) saved.preview = null
      await writeJsonAtomic(paths.routesFile, saved)
    }
  }
}

/**
 * Whether the front proxy could listen on `listen` (host:port) now: undefined when it can, else
 * the error code (EADDRINUSE, EACCES...). Probed before nodes start, so a port taken by another
 * process is found before anything is provisioned.
 */
export async function listenProblem(listen: string): Promise<string | undefined> {
  const at = listen.lastIndexOf(':')
  const host = listen.slice(0, at).replace(/^\[(.*)\]$/, '$1')
  const port = Number(listen.slice(at + 1))
  if (at < 0 || !Number.isInteger(port)) return undefined
  const { createServer } = await import('node:net')
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)))
  })
}
