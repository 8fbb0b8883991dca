import { execa } from 'execa'
import { interpolate } from '../config/interpolate.ts'
import { isSecretVariable, REDACTED } from '../config/redact.ts'
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

function hookEnvironment(values: HookEnv): Record<string, string> {
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

/**
 * `$VAR` and `${VAR...}` references in a shell command; `$$VAR` too (gwdeploy turns `$$` into the
 * `$` the shell then expands).
 */
const SHELL_REFERENCE = /\$\$?\{?([A-Za-z_][A-Za-z0-9_]*)/g

/**
 * The values a hook's output must not show: every variable the hook references (`$VAR` as the
 * shell expands it, `${VAR}` as gwdeploy does), and every secret-looking variable of the
 * environment the hook inherits (a hook can print them without naming them: `env`, `set -x`).
 * gwdeploy's own GWDEPLOY_* values (SHA, colour, service) are not secret.
 */
function hookSecrets(command: string, hookEnv: Record<string, string>, environ = process.env): string[] {
  const names = new Set<string>()
  for (const match of command.matchAll(SHELL_REFERENCE)) if (match[1]) names.add(match[1])
  for (const name of Object.keys(environ)) if (isSecretVariable(name)) names.add(name)
  const values = new Set<string>()
  for (const name of names) {
    if (name in hookEnv) continue
    const value = environ[name]
    // Very short values ("1", "no") would blank out unrelated text and hide nothing worth hiding.
    if (value !== undefined && value.trim().length >= 3) values.add(value)
  }
  // Longest first, so a secret containing another is hidden whole.
  return [...values].sort((a, b) => b.length - a.length)
}

const hider = (secrets: readonly string[]) => (text: string) =>
  secrets.reduce((out, secret) => out.replaceAll(secret, REDACTED), text)

/** A hook that outlives this long after SIGTERM (one that ignores it) is killed. */
const HOOK_KILL_GRACE_S = 5

/**
 * Put before every hook command: its lifeline. The hook's stdin is a pipe from this process, moved
 * to fd 3 (the hook itself reads /dev/null, as before). A watcher in the hook's process group, not a
 * child of the hook's shell (a hook's `wait` does not wait for it), blocks reading that pipe: when
 * gwdeploy dies (kill -9, a cancelled CI job's process killed) the read ends without a line and the
 * watcher stops the hook's whole group, as a stop does (SIGTERM, then SIGKILL to what ignored it: the
 * watcher ignores the TERM it sends its own group), so no hook runs on unsupervised (a migration
 * still running beside the re-run's). When the shell exits, its EXIT trap ends the watcher. A hook
 * that replaces that trap (its own `trap ... EXIT`) or its shell (`exec ./migrate`) keeps it running
 * until gwdeploy closes the pipe after the hook's exit: so it stops the group only while the hook's
 * process ($$, the same pid after an exec) is still there, never what a finished hook left running
 * in the background (as a plain hook's stays).
 */
const LIFELINE = [
  'exec 3<&0 </dev/null',
  `_gwdeploy_watcher=$( { read -r _gwdeploy_line <&3 || ! kill -0 $$ || { trap '' TERM; kill -TERM 0; sleep ${HOOK_KILL_GRACE_S}; kill -KILL 0; }; } >/dev/null 2>&1 & echo $! )`,
  'exec 3<&-',
  `trap 'kill "$_gwdeploy_watcher" 2>/dev/null' EXIT`,
  '',
].join('\n')

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
    const hide = hider(hookSecrets(command, env))
    // Its own process group: a stop ends the whole hook (the shell and what it started), not the
    // shell alone while its children run on (and hold its output open, so the stop waited for them).
    const child = execa(`${LIFELINE}${String(expansion.value)}`, {
      shell: true,
      cwd: options.cwd,
      env,
      all: true,
      reject: false,
      stdin: 'pipe',
      detached: true,
    })
    let killLater: NodeJS.Timeout | undefined
    const signalGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return
      try {
        process.kill(-child.pid, signal)
      } catch {
        // Already gone.
      }
    }
    const stop = () => {
      signalGroup('SIGTERM')
      killLater = setTimeout(() => signalGroup('SIGKILL'), HOOK_KILL_GRACE_S * 1000)
    }
    if (options.signal?.aborted) stop()
    options.signal?.addEventListener('abort', stop, { once: true })
    const result = await child.finally(() => {
      clearTimeout(killLater)
      options.signal?.removeEventListener('abort', stop)
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
