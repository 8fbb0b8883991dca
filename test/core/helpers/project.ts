/**
 * A throw-away gwdeploy project in a temp dir for end-to-end tests: gwdeploy.yml (local
 * provider on a free loopback port, short health intervals) + a gateway.json, and helpers
 * to run the CLI as a subprocess (bin/run.js; GWDEPLOY_E2E_BIN=bin/dev.js to run sources).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stringify } from 'yaml'

import { freePort } from '../../helpers/free-port.ts'

export { freePort }

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const BIN = join(ROOT, process.env.GWDEPLOY_E2E_BIN ?? 'bin/run.js')

export interface ProjectOptions {
  size?: number
  shift?: Record<string, unknown>
  health?: Record<string, unknown>
  smoke?: unknown[]
  hooks?: Record<string, string[]>
  lockTtl?: string
  recordsKeep?: number
}

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface Project {
  dir: string
  port: number
  stateDir: string
  writeConfig(options: ProjectOptions): Promise<void>
  run(args: string[], env?: NodeJS.ProcessEnv): Promise<RunResult>
  start(args: string[], env?: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<RunResult> }
  json<T = Record<string, unknown>>(
    args: string[],
    env?: NodeJS.ProcessEnv,
  ): Promise<{ code: number | null; envelope: T }>
  routes(): Promise<{ colours: Record<string, { weight: number; nodes: string[] }> } | undefined>
  fleet(
    colour: string,
  ): Promise<
    { sha: string; configName: string; nodes: Array<{ id: string; pid: number; port: number }> } | undefined
  >
  cleanup(): Promise<void>
}

export const GATEWAY_CONFIG = {
  version: 3,
  name: 'e2e',
  timeout: '2s',
  endpoints: [
    {
      endpoint: '/v1/ping',
      method: 'GET',
      backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/ping' }],
    },
  ],
}

export async function makeProject(options: ProjectOptions = {}): Promise<Project> {
  const dir = await mkdtemp(join(tmpdir(), 'gwd-e2e-'))
  const port = await freePort()
  await writeFile(join(dir, 'gateway.json'), `${JSON.stringify(GATEWAY_CONFIG, null, 2)}\n`)
  const project: Project = {
    dir,
    port,
    stateDir: join(dir, '.gwdeploy'),
    async writeConfig(opts) {
      const config = {
        service: 'e2e',
        gateway: { config: 'gateway.json' },
        fleet: { size: opts.size ?? 2 },
        health: { interval: '100ms', timeout: '1s', rise: 2, deadline: '20s', ...opts.health },
        smoke: opts.smoke ?? [],
        shift: { keep: '30m', ...opts.shift },
        hooks: opts.hooks ?? {},
        lock: { ttl: opts.lockTtl ?? '10m' },
        ...(opts.recordsKeep ? { records: { keep: opts.recordsKeep } } : {}),
        provider: { kind: 'local', local: { listen: `127.0.0.1:${port}`, stateDir: '.gwdeploy' } },
      }
      await writeFile(join(dir, 'gwdeploy.yml'), stringify(config))
    },
    run(args, env) {
      return project.start(args, env).done
    },
    start(args, env) {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: dir,
        env: { ...process.env, CI: 'true', GITHUB_ACTIONS: '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        // A run that hangs is killed before the test's own timeout (300 s): the test then fails
        // with what the run printed, and no process is left holding the test file (and CI) open.
        timeout: 240_000,
        killSignal: 'SIGKILL',
      })
      let stdout = ''
      let stderr = ''
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
      })
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      const done = new Promise<RunResult>((resolve) => {
        child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
      })
      return { child, done }
    },
    async json(args, env) {
      const result = await project.run([...args, '--json'], env)
      try {
        return { code: result.code, envelope: JSON.parse(result.stdout) }
      } catch {
        throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`)
      }
    },
    async routes() {
      try {
        return JSON.parse(await readFile(join(dir, '.gwdeploy/local/routes.json'), 'utf8'))
      } catch {
        return undefined
      }
    },
    async fleet(colour) {
      try {
        return JSON.parse(await readFile(join(dir, `.gwdeploy/local/fleet-${colour}.json`), 'utf8'))
      } catch {
        return undefined
      }
    },
    async cleanup() {
      await project.run(['destroy', '--force', '--lock-wait=30s'])
      await rm(dir, { recursive: true, force: true })
    },
  }
  await project.writeConfig(options)
  return project
}

/** The config name the front proxy answers with right now. */
export async function liveName(port: number): Promise<string | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/__health`)
    const body = (await response.json()) as { name?: string }
    return body.name
  } catch {
    return undefined
  }
}

/** Running (zombies that wait for the init process to reap them count as exited). */
export { isAlive } from '../../../src/providers/local/state.ts'

export const sha = (n: number | string) =>
  `${String(n).padStart(2, '0')}`
    .repeat(20)
    .slice(0, 40)
    .replace(/[^0-9a-f]/g, 'a')
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
