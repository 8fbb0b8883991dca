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
import { parseEnvFile } from '../gateway/config/env-dir.ts'
import { readsRuntimeEnv } from '../image/runtime-env.ts'
import type { Artifact } from './types.ts'

/** Where secret files are mounted in a container; the runtime reads them (GWDEPLOY_ENV_DIR). */
export const CONTAINER_ENV_DIR = '/run/gwdeploy/env'
/** Where env files (fleet.envFrom) are mounted; the runtime reads them (GWDEPLOY_ENV_FILES). */
export const CONTAINER_ENV_FILES_DIR = '/run/gwdeploy/env-files'

/** Plain fleet.env values, plus FC_ENABLE when the stamped config reads secrets at start. */
export function plainNodeEnv(
  config: GwConfig,
  artifact: Pick<Artifact, 'configText'>,
): Record<string, string> {
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
    Object.assign(
      env,
      parseEnvFile(readSecretFile(path, options.file, `fleet.envFrom[${index}].file`), entry.file),
    )
  })
  Object.assign(env, plainNodeEnv(config, artifact))
  for (const [name, reference] of secretReferences(config)) {
    if ('fromFile' in reference) {
      const path = resolve(options.dir, reference.fromFile)
      env[name] = readSecretFile(path, options.file, `fleet.env.${name}.fromFile`).replace(/\r?\n$/, '')
    } else if ('fromEnv' in reference) {
      const value = environ[reference.fromEnv]
      if (value === undefined)
        throw configError(`environment variable ${reference.fromEnv} is not set`, {
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
    throw configError(`${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      ...where(file, keyPath),
      hint: 'Point it at an existing file gwdeploy can read. Nothing was started.',
    })
  }
}

/** What a container needs for fleet.env: plain variables, and host files mounted read-only. */
export interface ContainerEnv {
  plain: Record<string, string>
  /** fleet.env secrets: a host file per variable, mounted at CONTAINER_ENV_DIR/NAME. */
  secretFiles: Array<{ name: string; source: string }>
  /** fleet.envFrom files on the host, mounted at CONTAINER_ENV_FILES_DIR/N.env. */
  envFiles: string[]
}

export function containerEnv(config: GwConfig, artifact: Pick<Artifact, 'configText'>): ContainerEnv {
  const secretFiles: ContainerEnv['secretFiles'] = []
  for (const [name, reference] of secretReferences(config))
    if ('fromFile' in reference) secretFiles.push({ name, source: reference.fromFile })
  const envFiles = config.fleet.envFrom.flatMap((entry) => ('file' in entry ? [entry.file] : []))
  return { plain: plainNodeEnv(config, artifact), secretFiles, envFiles }
}

/**
 * The container definition's share of fleet.env: `Env` holds plain values and where the runtime
 * finds the mounted files; `Mounts` bind the host files read-only (a missing source is refused by
 * the Docker engine instead of being created as a directory, as `Binds` would).
 */
export function containerEnvSpec(env: ContainerEnv): {
  Env: string[]
  Mounts: Array<{ Type: 'bind'; Source: string; Target: string; ReadOnly: true }>
} {
  const Env = Object.entries(env.plain)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
  if (env.secretFiles.length) Env.push(`GWDEPLOY_ENV_DIR=${CONTAINER_ENV_DIR}`)
  if (env.envFiles.length) Env.push(`GWDEPLOY_ENV_FILES_DIR=${CONTAINER_ENV_FILES_DIR}`)
  const Mounts = [
    ...env.envFiles.map((source, index) => ({
      Type: 'bind' as const,
      Source: source,
      Target: `${CONTAINER_ENV_FILES_DIR}/${index}.env`,
      ReadOnly: true as const,
    })),
    ...env.secretFiles.map(({ name, source }) => ({
      Type: 'bind' as const,
      Source: source,
      Target: `${CONTAINER_ENV_DIR}/${name}`,
      ReadOnly: true as const,
    })),
  ]
  return { Env, Mounts }
}
