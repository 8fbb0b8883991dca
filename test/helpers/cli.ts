import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
// GWDEPLOY_E2E_BIN=bin/dev.js runs the sources, as for test/core/helpers/project.ts.
export const RUN_JS = fileURLToPath(
  new URL(`../../${process.env.GWDEPLOY_E2E_BIN ?? 'bin/run.js'}`, import.meta.url),
)

export interface CliResult {
  exitCode: number | null
  stdout: string
  stderr: string
}

/** Runs the built CLI (bin/run.js) as a subprocess, the way a CI pipeline would. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', ...options.env }
    delete env.GITHUB_ACTIONS
    if (options.env?.GITHUB_ACTIONS) env.GITHUB_ACTIONS = options.env.GITHUB_ACTIONS
    const child = spawn(process.execPath, [RUN_JS, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 120_000,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}

/** Parses the --json envelope from stdout, failing with the whole output when it is not JSON. */
export function envelope(result: CliResult): {
  status: string
  result: unknown
  warnings: string[]
  error?: {
    code: string
    exitCode: number
    message: string
    problems?: Array<{ message: string; location?: Record<string, unknown>; hint?: string }>
    hint?: string
  }
} {
  try {
    return JSON.parse(result.stdout)
  } catch {
    throw new Error(`stdout is not a JSON envelope:\n${result.stdout}\nstderr:\n${result.stderr}`)
  }
}
