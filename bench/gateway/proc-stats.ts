// CPU time and resident memory of benchmarked processes, read from /proc (Linux).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const TICK_US = 1e6 / (Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100)

/** User and system CPU µs the process has spent so far (/proc/PID/stat utime, stime). */
export function cpuTimeUs(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return { user: Number(fields[11]) * TICK_US, system: Number(fields[12]) * TICK_US }
}

/** User plus system CPU µs of the process. */
export const cpuUs = (pid: number): number => {
  const { user, system } = cpuTimeUs(pid)
  return user + system
}

/** The process's direct children (a cluster primary's workers). */
export function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number)
  } catch {
    return []
  }
}

/** CPU µs of the process and its live children: a clustered target's whole cost. */
export function treeCpuUs(pid: number): number {
  let total = 0
  for (const p of [pid, ...childPids(pid)]) {
    try {
      total += cpuUs(p)
    } catch {} // a child that exited between pgrep and the read
  }
  return total
}

/** The processes that serve: a cluster's workers, or the process itself without cluster. */
export function servingPids(pid: number): number[] {
  const children = childPids(pid)
  return children.length ? children : [pid]
}

/** Resident set of the process in MB (VmRSS). */
export const rssMb = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

/** The largest resident set (MB) among the target's serving processes. */
export const largestWorkerRssMb = (pid: number): number => Math.max(0, ...servingPids(pid).map(rssMb))
