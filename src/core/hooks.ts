import { execa } from 'execa'
import { interpolate } from '../config/interpolate.ts'
import { REDACTED } from '../config/redact.ts'
import type { EngineEvent } from './events.ts'

export interface HookEnv {
  sha: string
  colour: string
  previousSha: string | undefined
  service: string
  env: string | undefined
  /** release, rollback, promote or retire (GWDEPLOY_OPERATION). */
  operation?: string | undefined
}

export function hookEnvironment(values: HookEnv): Record<string, string> {
  return {
    GWDEPLOY_SHA: values.sha,
    GWDEPLOY_SHA7: values.sha.slice(0, 7),
    GWDEPLOY_COLOR: values.colour,
    GWDEPLOY_PREVIOUS_SHA: values.previousSha ?? '',
    GWDEPLOY_SERVICE: values.service,
    GWDEPLOY_ENV: values.env ?? '',
    GWDEPLOY_OPERATION: values.operation ?? 'release',
  }
}

export class HookError extends Error {
  readonly command: string
  readonly output: string
  constructor(command: string, output: string, message: string) {
    super(message)
    this.command = command
    this.output = output
  }
}

/** Runs shell hooks in order from the gwdeploy.yml directory; the first failure throws a HookError. */
export async function runHooks(
  kind: string,
  commands: readonly string[],
  values: HookEnv,
  options: { cwd: string; signal?: AbortSignal; emit?: (event: EngineEvent) => void },
): Promise<void> {
  for (const command of commands) {
    // `command` is the template from gwdeploy.yml: it is what gets printed and recorded.
    options.emit?.({ type: 'info', message: `${kind} hook: ${command}` })
    const env = hookEnvironment(values)
    const expansion = interpolate(command, { ...process.env, ...env })
    const secrets = expansion.fromEnv
      .flatMap((entry) => entry.variables)
      .map((name) => process.env[name] ?? '')
      .filter((value) => value.length >= 3)
    const hide = (text: string) => secrets.reduce((out, secret) => out.replaceAll(secret, REDACTED), text)
    const result = await execa(String(expansion.value), {
      shell: true,
      cwd: options.cwd,
      env,
      all: true,
      reject: false,
      stdin: 'ignore',
      ...(options.signal ? { cancelSignal: options.signal } : {}),
    })
    if (options.signal?.aborted) throw options.signal.reason
    if (result.exitCode !== 0 || result.failed) {
      const output = hide(String(result.all ?? ''))
        .split('\n')
        .slice(-20)
        .join('\n')
      throw new HookError(
        command,
        output,
        `${kind} hook \`${command}\` failed (exit ${result.exitCode ?? result.signal ?? 'unknown'})${output ? `:\n${output}` : ''}`,
      )
    }
  }
}
