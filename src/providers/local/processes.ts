/**
 * The detached processes the local provider starts (gateway nodes, the front proxy): the
 * environment they get, and signalling, waiting for and finding them by pid.
 */
import { readdir, readFile } from 'node:fs/promises'
import { isAlive } from './state.ts'

/**
 * Nodes and the front proxy are detached and outlive the CI job: they get only what a Node
 * process needs (locale, time zone, temp dir, CA bundles), never the job's secrets or
 * gwdeploy's own variables.
 */
const NODE_ENV_KEYS = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
]

export function nodeEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {}
  for (const key of NODE_ENV_KEYS) if (env[key] !== undefined) out[key] = env[key]
  return out
}

/** Pids whose command line mentions `marker` (Linux /proc; elsewhere none are found). */
export async function processesUsing(marker: string): Promise<number[]> {
  let entries: string[]
  try {
    entries = await readdir('/proc')
  } catch {
    return []
  }
  const found: number[] = []
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8')
      if (cmdline.includes(marker) && isAlive(Number(entry))) found.push(Number(entry))
    } catch {}
  }
  return found
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    try {
      process.kill(pid, signal)
    } catch {}
  }
}

export async function waitExit(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs
  let left = pids.filter(isAlive)
  while (left.length && Date.now() < deadline) {
    await sleep(25)
    left = left.filter(isAlive)
  }
  return left
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** SIGTERM to each process group, SIGKILL to those still running after `graceMs`, then waits for them to go. */
export async function stopProcesses(pids: number[], graceMs: number): Promise<void> {
  for (const pid of pids) killGroup(pid, 'SIGTERM')
  const left = await waitExit(pids, graceMs)
  for (const pid of left) killGroup(pid, 'SIGKILL')
  await waitExit(left, 5_000)
}
