/** What both bench/release runs share: the CLI as a subprocess with per-step times, and small helpers. */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface Run {
  code: number | null
  wallMs: number
  steps: Record<string, number>
}

export function cli(bin: string, cwd: string, args: string[]): Promise<Run> {
  const start = performance.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, bin), ...args], {
      cwd,
      env: { ...process.env, CI: 'true', GITHUB_ACTIONS: '' },
    })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    child.stdout.resume()
    child.on('close', (code) => {
      const wallMs = performance.now() - start
      // "2026-...Z provision: running" / "... provision: done": per-step durations from the plain reporter.
      const started: Record<string, number> = {}
      const steps: Record<string, number> = {}
      for (const line of stderr.split('\n')) {
        const m = /^(\S+Z) ([\w -]+): (running|done|skipped|failed)/.exec(line)
        if (!m) continue
        const [, time, step, status] = m as unknown as [string, string, string, string]
        const t = Date.parse(time)
        if (status === 'running') started[step] = t
        else if (started[step] !== undefined) steps[step] = t - (started[step] as number)
      }
      if (code !== 0) process.stderr.write(stderr)
      resolve({ code, wallMs, steps })
    })
  })
}

export async function liveName(port: number): Promise<string | undefined> {
  try {
    return ((await (await fetch(`http://127.0.0.1:${port}/__health`)).json()) as { name: string }).name
  } catch {
    return undefined
  }
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
export const sha = (n: number) => n.toString(16).padStart(2, '0').repeat(20)
export const fmt = (x: number) => `${(x / 1000).toFixed(2)} s`
