/**
 * The environment gateway nodes get from fleet.env / fleet.envFrom, as each provider hands it
 * over. Plain values travel in the provider's normal configuration; secret references are
 * resolved where the node runs (see src/config/fleet-env.ts). Only the local provider reads a
 * secret value itself, to pass it to the node process it starts — never to print or record it.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { type EnvFrom, type EnvReference, type EnvValue, isReference } from '../config/fleet-env.ts'
import type { GwConfig } from '../config/schema.ts'
import { configError } from '../core/errors.ts'
import { readsRuntimeEnv } from '../image/stamp.ts'
import type { Artifact } from './types.ts'

/** Where secret files are mounted in a container; the runtime reads them (GWDEPLOY_ENV_DIR). */
export const CONTAINER_ENV_DIR = '/run/gwdeploy/env'
/** Where env files (fleet.envFrom) are mounted; the runtime reads them (GWDEPLOY_ENV_FILES). */
export const CONTAINER_ENV_FILES_DIR = '/run/gwdeploy/env-files'

/** Plain fleet.env values, plus FC_ENABLE when the stamped config reads secrets at start. */
export function plainNodeEnv(config: GwConfig, artifact: Pick<Artifact, 'configText'>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(config.fleet.env)) if (!isReference(value)) env[name] = value
  if (readsRuntimeEnv(artifact.configText)) env.FC_ENABLE = '1'
  return env
}

/** The secret references of fleet.env, by variable name. */
export function secretReferences(config: GwConfig): Array<[string, EnvReference]> {
  return Object.entries(config.fleet.env).filter((entry): entry is [string, EnvReference] =>
    isReference(entry[1] as EnvValue),
  )
}

/** Docker's --env-file format: KEY=VALUE per line, # comments and blank lines skipped, no quoting. */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {}
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trimStart()
    if (trimmed === '' || trimmed.startsWith('#')) return
    const eq = trimmed.indexOf('=')
    const name = eq < 0 ? trimmed.trimEnd() : trimmed.slice(0, eq)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw configError(`${file}:${index + 1}: "${name}" is not an environment variable name`)
    if (eq >= 0) out[name] = trimmed.slice(eq + 1)
  })
  return out
}

const where = (file: string, path: string) => ({ location: { file, path } })

/**
 * Every variable a local node gets from fleet.env/envFrom, secrets read now (from files on this
 * machine or gwdeploy's environment). A missing file or variable is a configError (exit 2) naming
 * the gwdeploy.yml key; the message never contains a value.
 */
export function resolveLocalNodeEnv(
  config: GwConfig,
  artifact: Pick<Artifact, 'configText'>,
  options: { dir: string; file: string; environ?: NodeJS.ProcessEnv },
): Record<string, string> {
  const environ = options.environ ?? process.env
  const env: Record<string, string> = {}
  config.fleet.envFrom.forEach((entry: EnvFrom, index) => {
    if (!('file' in entry)) return
    const path = resolve(options.dir, entry.file)
    Object.assign(env, parseEnvFile(readSecretFile(path, options.file, `fleet.envFrom[${index}].file`), entry.file))
  })
  Object.assign(env, plainNodeEnv(config, artifact))
  for (const [name, reference] of secretReferences(config)) {
    if ('fromFile' in reference) {
      const path = resolve(options.dir, reference.fromFile)
      env[name] = readSecretFile(path, options.file, `fleet.env.${name}.fromFile`).replace(/\r?\n$/, '')
    } else if ('fromEnv' in reference) {
      const value = environ[reference.fromEnv]
      if (value === undefined)
        throw configError(`fleet.env.${name}: environment variable ${reference.fromEnv} is not set`, {
          ...where(options.file, `fleet.env.${name}.fromEnv`),
          hint: `Export ${reference.fromEnv} in the job that runs gwdeploy. Nothing was started.`,
        })
      env[name] = value
    }
  }
  return env
}

function readSecretFile(path: string, file: string, keyPath: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw configError(
      `${keyPath}: ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { ...where(file, keyPath), hint: 'Point it at an existing file gwdeploy can read. Nothing was started.' },
    )
  }
}
