/**
 * Real HAProxy processes for the haproxy provider tests: master-worker (`-W -S`) so reloads
 * are testable, a stats socket (level admin) in a temp dir, the frontend on a free loopback
 * port, started from the very haproxy.cfg `gwdeploy init --provider haproxy` writes. And
 * "externally managed" gateway nodes (the runtime bundle as processes) for `servers` mode.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveGatewayRuntime } from '../../../src/core/runtime.ts'
import { parseMapEntries, runtimeCommand } from '../../../src/providers/haproxy/runtime-api.ts'
import { freePort, ROOT } from '../../core/helpers/project.ts'
import { requireHaproxy } from '../../helpers/services.ts'

export const TEMPLATE_CFG = join(ROOT, 'templates/init/files/haproxy/haproxy/haproxy.cfg')
export const TEMPLATE_MAP = join(ROOT, 'templates/init/files/haproxy/haproxy/gwdeploy.map')

export interface HaproxyInstance {
  name: string
  dir: string
  configFile: string
  mapFile: string
  socket: string
  masterSocket: string
  port: number
  child: ChildProcess
  /** Runtime API command on the admin socket. */
  command(command: string): Promise<string>
  /** The green share HAProxy applies right now. */
  green(): Promise<number>
  reload(): Promise<void>
  stop(): Promise<void>
}

export interface HaproxyOptions {
  name?: string
  serverOptions?: string
  /** Stats socket level (admin by default). */
  level?: 'admin' | 'operator'
  /** Edit the generated haproxy.cfg text. */
  edit?: (text: string) => string
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * The server options of the test HAProxy's slot lines (the template's, with 200 ms checks), which
 * gwdeploy.yml says too: other options than HAProxy loaded are a change gwdeploy must reload for.
 */
export const testServerOptions = (options = 'check inter 1s rise 2 fall 3') =>
  options.replaceAll('inter 1s', 'inter 200ms')

export async function startHaproxy(options: HaproxyOptions = {}): Promise<HaproxyInstance> {
  const { path: binary } = await requireHaproxy()
  const dir = await mkdtemp(join(tmpdir(), 'gwd-hap-'))
  const port = await freePort()
  const socket = join(dir, 'admin.sock')
  const masterSocket = join(dir, 'master.sock')
  const configFile = join(dir, 'haproxy.cfg')
  const mapFile = join(dir, 'gwdeploy.map')
  let text = (await readFile(TEMPLATE_CFG, 'utf8'))
    .replace('log /dev/log local0', '')
    .replace(
      '/run/haproxy/admin.sock mode 660 level admin',
      `${socket} mode 600 level ${options.level ?? 'admin'}`,
    )
    .replaceAll('/etc/haproxy/gwdeploy.map', mapFile)
    .replace('bind :80', `bind 127.0.0.1:${port}`)
  text = text.replaceAll('check inter 1s rise 2 fall 3', testServerOptions(options.serverOptions))
  // Without `timeout check` a check must answer within `inter` (200 ms here): on a loaded 2-core CI
  // machine three slow checks in a row marked live nodes down. A refused connection still fails at once.
  text = text.replace('    timeout connect 2s\n', '    timeout connect 2s\n    timeout check 1s\n')
  if (options.edit) text = options.edit(text)
  await writeFile(configFile, text)
  await writeFile(mapFile, await readFile(TEMPLATE_MAP, 'utf8'))
  const child = spawn(binary, ['-W', '-S', masterSocket, '-f', configFile], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const instance: HaproxyInstance = {
    name: options.name ?? 'lb1',
    dir,
    configFile,
    mapFile,
    socket,
    masterSocket,
    port,
    child,
    command: (command) => runtimeCommand({ path: socket }, command),
    async green() {
      const answer = await instance.command(`show map ${mapFile}`)
      return Number(parseMapEntries(answer).get('green') ?? 'NaN')
    },
    async reload() {
      const before = await workerPid(masterSocket)
      await runtimeCommand({ path: masterSocket }, 'reload')
      for (let i = 0; i < 200; i++) {
        const after = await workerPid(masterSocket).catch(() => before)
        if (after !== before && after !== undefined) {
          await waitAnswers(socket)
          return
        }
        await sleep(50)
      }
      throw new Error(`haproxy did not reload:\n${stderr}`)
    },
    async stop() {
      // Already killed (exitCode stays null, signalCode is set): no exit event is left to wait for.
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL')
        } catch {}
        await new Promise((r) => child.once('exit', r))
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
  try {
    await waitAnswers(socket)
  } catch (error) {
    await instance.stop()
    throw new Error(`haproxy did not start: ${(error as Error).message}\n${stderr}`)
  }
  return instance
}

async function waitAnswers(socket: string): Promise<void> {
  let last: unknown
  for (let i = 0; i < 200; i++) {
    try {
      await runtimeCommand({ path: socket }, 'show info', 1_000)
      return
    } catch (error) {
      last = error
      await sleep(50)
    }
  }
  throw last
}

/** The pid of the current worker (`show proc` on the master socket). */
async function workerPid(masterSocket: string): Promise<string | undefined> {
  const answer = await runtimeCommand({ path: masterSocket }, 'show proc')
  const lines = answer.split('\n')
  const at = lines.findIndex((line) => line.startsWith('# workers'))
  return lines
    .slice(at + 1)
    .map((line) => /^(\d+)\s+worker\s+(\d+)/.exec(line))
    .filter((m) => m !== null)
    .sort((a, b) => Number(a?.[2]) - Number(b?.[2]))[0]?.[1]
}

/** A gateway node gwdeploy does not manage (servers mode): the runtime bundle on a free port. */
export interface ExternalNode {
  address: string
  child: ChildProcess
  stop(): Promise<void>
}

/** A gateway node answering `configName`, on `port` when given (to replace a stopped node in place). */
export async function startGatewayNode(
  configName: string,
  scratch: string,
  port?: number,
): Promise<ExternalNode> {
  const runtime = await resolveGatewayRuntime()
  port ??= await freePort()
  const dir = join(scratch, `node-${port}`)
  await mkdir(dir, { recursive: true })
  const configFile = join(dir, 'gateway.json')
  await writeFile(configFile, JSON.stringify({ version: 3, name: configName, port, endpoints: [] }))
  const child = spawn(
    process.execPath,
    [
      runtime.entry,
      '--config',
      configFile,
      '--port',
      String(port),
      '--listen-ip',
      '127.0.0.1',
      '--metrics-port',
      '0',
      '--workers',
      '1',
    ],
    { stdio: 'ignore', detached: true },
  )
  const address = `127.0.0.1:${port}`
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`http://${address}/__health`).then(
      (res) => res.ok,
      () => false,
    )
    if (ok) break
    await sleep(50)
  }
  return {
    address,
    child,
    async stop() {
      // Already killed (exitCode stays null, signalCode is set): no exit event is left to wait for.
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL')
        } catch {}
        await new Promise((r) => child.once('exit', r))
      }
    },
  }
}

export interface HaproxyProjectOptions {
  instances: HaproxyInstance[]
  /**
   * Names containers, Docker labels and the stamped config (default 'e2e'). A file that runs Docker
   * fleets gives its own: test files run side by side on one dockerd.
   */
  service?: string
  servers?: { blue: string[]; green: string[] }
  dockerHost?: string
  /** Overrides `dockerHost`: the full provider.haproxy.dockerHosts list. */
  dockerHosts?: Array<{ host: string; publishAddress: string; tlsCertPath?: string }>
  repository?: string
  baseImage?: string
  size?: number
  shift?: Record<string, unknown>
  health?: Record<string, unknown>
  serverOptions?: string
  lockTtl?: string
}

/** gwdeploy.yml for the haproxy provider (short health intervals, 127.0.0.1 everywhere). */
export function haproxyConfig(options: HaproxyProjectOptions): Record<string, unknown> {
  return {
    service: options.service ?? 'e2e',
    gateway: { config: 'gateway.json' },
    ...(options.repository ? { image: { repository: options.repository, base: options.baseImage } } : {}),
    fleet: { size: options.size ?? 2, port: 8080 },
    health: { interval: '200ms', timeout: '2s', rise: 2, deadline: '30s', ...options.health },
    shift: { keep: '30m', ...options.shift },
    lock: { ttl: options.lockTtl ?? '10m' },
    provider: {
      kind: 'haproxy',
      local: { stateDir: '.gwdeploy' },
      haproxy: {
        instances: options.instances.map((instance) => ({
          name: instance.name,
          socket: instance.socket,
          configFile: instance.configFile,
          mapFile: instance.mapFile,
        })),
        stateDir: '.gwdeploy/haproxy',
        serverOptions: testServerOptions(options.serverOptions),
        ...(options.servers
          ? { servers: options.servers }
          : {
              dockerHosts: options.dockerHosts ?? [{ host: options.dockerHost, publishAddress: '127.0.0.1' }],
            }),
      },
    },
  }
}

/** GET through HAProxy: status and the config name that answered /__health. */
export async function askName(port: number): Promise<{ status: number; name?: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/__health`, { signal: AbortSignal.timeout(5_000) })
  const text = await res.text()
  try {
    return { status: res.status, name: (JSON.parse(text) as { name?: string }).name }
  } catch {
    return { status: res.status }
  }
}
