import { hostname, userInfo } from 'node:os'
import { resolve } from 'node:path'
import { loadConfig } from '../config/load.ts'
import type { GwConfig } from '../config/schema.ts'
import { checkStateDir } from '../config/state-dir.ts'
import { loadProvider } from '../providers/registry.ts'
import type { Provider } from '../providers/types.ts'
import type { EngineEvent } from './events.ts'
import { locatedInProject, type ProjectLocator } from './project-location.ts'

/** A loaded gwdeploy.yml and its provider: what every release-family command works on. */
export interface Target {
  config: GwConfig
  dir: string
  env: string | undefined
  files: string[]
  stateDir: string
  provider: Provider
  /** Where gwdeploy.yml (or its overlay) writes a key path (see project-location.ts). */
  locate?: ProjectLocator
}

export interface OpenTargetOptions {
  cwd?: string
  file?: string | undefined
  env?: string | undefined
  emit?: (event: EngineEvent) => void
  /** Teardown commands: unset `${VAR}`s fall back to defaults instead of failing. */
  allowMissingEnv?: boolean
  /** Commands that run no hooks and send nothing (status, lock, maintenance, abort): unset `${VAR}`s used only by hooks and notify are not errors. */
  readOnly?: boolean
  /** rollback: an unset `${VAR}` under `notify` leaves notify out, with a warning. */
  notifyOptional?: boolean
}

export async function openTarget(options: OpenTargetOptions = {}): Promise<Target> {
  const loaded = loadConfig({
    cwd: options.cwd ?? process.cwd(),
    ...(options.file ? { file: options.file } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.allowMissingEnv ? { allowMissingEnv: true } : {}),
    ...(options.readOnly ? { readOnly: true } : {}),
    ...(options.notifyOptional ? { notifyOptional: true } : {}),
  })
  for (const unset of loaded.notifyLeftOut ?? [])
    options.emit?.({ type: 'warn', message: `notify left out, no webhook is sent: ${unset}` })
  const stateDir = resolve(loaded.dir, loaded.config.provider.local.stateDir)
  checkStateDir(stateDir, loaded.files[0] ?? 'gwdeploy.yml')
  const provider = await loadProvider(loaded.config.provider.kind, {
    config: loaded.config,
    dir: loaded.dir,
    env: loaded.env,
    stateDir,
    ...(options.emit ? { emit: options.emit } : {}),
  }).catch((error: unknown) => {
    throw locatedInProject(error, loaded.locate)
  })
  const { config, dir, env, files, locate } = loaded
  return { config, dir, env, files, stateDir, provider, locate }
}

/** Who holds a lock: user@host, pid (unless `withPid` is false), and the CI job when there is one. */
export function lockHolder(env: NodeJS.ProcessEnv = process.env, withPid = true): string {
  let user = 'unknown'
  try {
    user = userInfo().username
  } catch {}
  const ci = env.GITHUB_RUN_ID
    ? ` (GitHub run ${env.GITHUB_REPOSITORY ?? ''}#${env.GITHUB_RUN_ID})`
    : env.CI_JOB_ID
      ? ` (CI job ${env.CI_JOB_ID})`
      : ''
  return `${user}@${hostname()}${withPid ? ` pid ${process.pid}` : ''}${ci}`
}
