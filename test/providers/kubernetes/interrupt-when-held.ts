import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { RUN_JS } from '../../helpers/cli.ts'
import type { HeldRequest, HoldingProxy } from './holding-proxy.ts'
import type { RealKubeProject } from './real-project.ts'

export interface InterruptedRun {
  code: number | null | 'still running'
  stdout: string
  stderr: string
}

/**
 * Runs `gwdeploy <args>` in `project` through `proxy` (its kubeconfig written as
 * kubeconfig-hold.yaml), holding the requests `hold` picks; SIGTERM once one is held. The exit
 * code within a bound far below the calls' 120 s deadline ('still running' past it). `top`: config
 * keys for that run (the project's own config is written back after it).
 */
export async function interruptWhenHeld(
  project: RealKubeProject,
  proxy: HoldingProxy,
  args: string[],
  hold: (request: HeldRequest) => boolean,
  top: Record<string, unknown> = {},
): Promise<InterruptedRun> {
  await proxy.writeKubeconfig(project.dir, 'kubeconfig-hold.yaml')
  await project.writeConfig({ top, provider: { kubeconfig: 'kubeconfig-hold.yaml' } })
  const seen = proxy.held().length
  proxy.holdWhen(hold)
  const child = spawn(process.execPath, [RUN_JS, ...args], {
    cwd: project.dir,
    env: { ...process.env, ...project.env, CI: 'true', GWDEPLOY_KUBE_API_TIMEOUT: '120' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  try {
    for (let waited = 0; proxy.held().length === seen; waited += 100) {
      assert.ok(waited < 120_000, `no call held: ${stderr}`)
      const early = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 100))])
      assert.equal(early, undefined, `${args.join(' ')} ended before a call was held: ${stderr}`)
    }
    proxy.holdWhen(undefined)
    child.kill('SIGTERM')
    const code = await Promise.race([
      exited,
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 30_000).unref()),
    ])
    return { code, stdout, stderr }
  } finally {
    proxy.holdWhen(undefined)
    child.kill('SIGKILL')
    await project.writeConfig()
  }
}

/** Exit 130 after the interrupt's own messages, not a call's deadline. */
export function assertInterrupted(result: InterruptedRun): void {
  assert.equal(result.code, 130, result.stderr)
  assert.match(result.stderr, /SIGTERM: stopping and cleaning up/)
  assert.match(result.stderr, /interrupted by SIGTERM/)
  assert.doesNotMatch(result.stderr, /did not answer within/)
}
