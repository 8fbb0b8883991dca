// Processes of the standalone side-by-side runners (jwttime.ts, signergen.ts): the KrakenD binary,
// each gateway in a process group of its own (killed whole, however the run ends), and a wait for
// a port to answer.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { join } from 'node:path'

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
export const ROOT = join(new URL('.', import.meta.url).pathname, '..', '..')

/** KRAKEND_BIN, or `krakend` on PATH; exits 2 without one. */
export function krakendBinary(): string {
  let found = process.env.KRAKEND_BIN
  if (!found)
    try {
      found = execFileSync('sh', ['-c', 'command -v krakend'], { encoding: 'utf8' }).trim() || undefined
    } catch {
      found = undefined
    }
  if (!found) {
    console.error('no krakend binary: set KRAKEND_BIN or put krakend on PATH')
    process.exit(2)
  }
  return found
}

/** Ports as run.ts's (backend 19000, KrakenD 18081, this runtime 18082), or PORT_BASE, +1, +2. */
export function ports(): { backend: number; K: number; G: number } {
  const base = process.env.PORT_BASE ? Number(process.env.PORT_BASE) : undefined
  return base === undefined
    ? { backend: 19000, K: 18081, G: 18082 }
    : { backend: base, K: base + 1, G: base + 2 }
}

/**
 * Exits 2 when one of `list` is taken on 127.0.0.1: a KrakenD or gateway left by a run that died
 * (a native abort skips the exit handler below) would otherwise answer in place of the new one.
 */
export async function ensurePortsFree(list: number[]): Promise<void> {
  for (const port of list) {
    const taken = await new Promise<boolean>((resolve) => {
      const probe = createServer()
      probe.once('error', () => resolve(true))
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)))
    })
    if (taken) {
      console.error(
        `port ${port} is in use on 127.0.0.1 (a process left by an earlier run? fuser -k ${port}/tcp)`,
      )
      process.exit(2)
    }
  }
}

const children: ChildProcess[] = []
process.on('exit', () => {
  for (const child of children)
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // gone already
    }
})
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => process.exit(130))

/** Starts `command` in a process group of its own; its output is printed if it exits with an error. */
export function startGroup(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let out = ''
  child.stdout?.on('data', (d) => {
    out += d
  })
  child.stderr?.on('data', (d) => {
    out += d
  })
  child.on('exit', (code, signal) => {
    if (code && signal === null) console.error(`${command} exited ${code}:\n${out.slice(-2000)}`)
  })
  children.push(child)
  return child
}

/** KrakenD on `configFile`, and this runtime (one worker) on its own. */
export function startBoth(krakend: string, configK: string, configG: string): ChildProcess[] {
  return [
    startGroup(krakend, ['run', '-c', configK]),
    startGroup(process.execPath, [
      join(ROOT, 'src/gateway/main.ts'),
      '-c',
      configG,
      '--workers',
      '1',
      '--log-level',
      'ERROR',
    ]),
  ]
}

export function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    } catch {
      resolve()
    }
  })
}

/** Waits (20 s at most) until `port` answers an HTTP request on `path`. */
export async function waitUp(port: number, path = '/__health'): Promise<void> {
  const answers = () =>
    new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        res.resume()
        res.on('end', () => resolve(true))
      })
      req.on('error', () => resolve(false))
      req.end()
    })
  for (let i = 0; i < 200; i += 1) {
    if (await answers()) return
    await sleep(100)
  }
  throw new Error(`nothing answers on ${port}`)
}
