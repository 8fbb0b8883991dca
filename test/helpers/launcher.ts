/**
 * Runs gwdeploy the way a machine with an old system Node does: bin/run.js started by Node < 22,
 * which re-runs itself under Node 24 (bin/node-guard.js). Uses the machine's old Node when there is
 * one (Debian's /usr/bin/node is 20); otherwise the launcher is told to act as if its Node were too
 * old (GWDEPLOY_TEST_OLD_NODE=1), which runs the same code path.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'

export interface Launched {
  /** The launcher (the process a CI runner or a terminal signals). */
  pid: number
  stdout: () => string
  stderr: () => string
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function nodeMajor(path: string): number | undefined {
  try {
    const v = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 10_000 })
    return Number(v.trim().split('.')[0])
  } catch {
    return undefined
  }
}

let oldNode: string | null | undefined
/** A Node < 22 on this machine (system Node), or null. */
export function findOldNode(): string | null {
  if (oldNode !== undefined) return oldNode
  oldNode = null
  const dirs = ['/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(delimiter)]
  for (const dir of dirs) {
    const candidate = join(dir, 'node')
    if (dir === '' || !existsSync(candidate)) continue
    const major = nodeMajor(candidate)
    if (major !== undefined && major < 22) {
      oldNode = candidate
      break
    }
  }
  return oldNode
}

/** Starts `bin/run.js ARGS` through the old-Node launcher. */
export function launch(
  bin: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Launched {
  const old = findOldNode()
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', GITHUB_ACTIONS: '', ...options.env }
  if (old === null) env.GWDEPLOY_TEST_OLD_NODE = '1'
  const child = spawn(old ?? process.execPath, [bin, ...args], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString()
  })
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString()
  })
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }))
  })
  if (child.pid === undefined) throw new Error('the launcher did not start')
  return { pid: child.pid, stdout: () => out, stderr: () => err, done }
}

/** Every live process below `pid` (children, grandchildren...), from /proc. */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // pid (comm) state ppid ...: comm may hold spaces and parentheses; ppid follows the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (fields[0] === 'Z') continue
      parents.set(Number(entry), Number(fields[1]))
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = []
  const queue = [pid]
  while (queue.length > 0) {
    const parent = queue.shift() as number
    for (const [child, ppid] of parents)
      if (ppid === parent) {
        found.push(child)
        queue.push(child)
      }
  }
  return found
}

/** True while `pid` runs (a zombie counts as gone). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** The executable a process runs (its Node binary). */
export function executable(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? ''
}
