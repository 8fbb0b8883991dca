import { existsSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { configError } from '../core/errors.ts'
import { loadConfig, resolveConfigPath } from './load.ts'
import { checkStateDir } from './state-dir.ts'

export interface ValidationSummary {
  files: string[]
  service: string
  provider: string
  fleetSize: number
  gatewayConfig: string
}

/** `config validate`: the schema, plus the files the config points at. Imports no gateway code. */
export function validateProjectConfig(options: {
  cwd?: string
  file?: string
  env?: string
  environ?: NodeJS.ProcessEnv
}): ValidationSummary {
  const cwd = options.cwd ?? process.cwd()
  const loaded = loadConfig({ ...options, cwd })
  const gatewayConfig = resolveConfigPath(loaded, loaded.config.gateway.config)
  if (!existsSync(gatewayConfig)) {
    throw configError(`gateway.config points at ${loaded.config.gateway.config}, which does not exist`, {
      location: { file: relative(cwd, loaded.files[0] ?? ''), path: 'gateway.config' },
      hint: 'Fix the path (relative to gwdeploy.yml), or run `gwdeploy init` to write a starter gateway.json.',
    })
  }
  checkStateDir(resolve(loaded.dir, loaded.config.provider.local.stateDir), loaded.files[0] ?? 'gwdeploy.yml')
  return {
    files: loaded.files.map((f) => relative(cwd, f) || f),
    service: loaded.config.service,
    provider: loaded.config.provider.kind,
    fleetSize: loaded.config.fleet.size,
    gatewayConfig: relative(cwd, gatewayConfig),
  }
}
