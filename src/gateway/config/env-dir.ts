/**
 * Secrets that gwdeploy mounts into a node as files (a file on the Docker host, a value an EC2
 * instance fetched from SSM / Secrets Manager at boot) become environment variables here, before
 * the config is loaded: every regular file in GWDEPLOY_ENV_DIR named like a variable sets that
 * variable to its content (one trailing newline removed). Values never pass through the container
 * definition, so `docker inspect` and image labels never show them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { configError } from '../../core/errors.ts'

export const ENV_DIR_VARIABLE = 'GWDEPLOY_ENV_DIR'
/** A directory of env files (fleet.envFrom), read before GWDEPLOY_ENV_DIR. */
export const ENV_FILES_DIR_VARIABLE = 'GWDEPLOY_ENV_FILES_DIR'
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Docker's --env-file format: KEY=VALUE per line, # comments and blank lines skipped, no quoting. */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {}
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trimStart()
    if (trimmed === '' || trimmed.startsWith('#')) return
    const eq = trimmed.indexOf('=')
    const name = eq < 0 ? trimmed.trimEnd() : trimmed.slice(0, eq)
    if (!NAME.test(name))
      throw configError(`${file}:${index + 1}: the line does not start with an environment variable name`)
    if (eq >= 0) out[name] = trimmed.slice(eq + 1)
  })
  return out
}

/** Reads GWDEPLOY_ENV_FILES_DIR then GWDEPLOY_ENV_DIR into `environ` (mutated); returns the names set. */
export function loadEnvDir(environ: Record<string, string | undefined>): string[] {
  const set = loadEnvFiles(environ)
  const dir = environ[ENV_DIR_VARIABLE]
  if (!dir) return set
  let names: string[]
  try {
    names = readdirSync(dir).sort()
  } catch (error) {
    throw configError(
      `${ENV_DIR_VARIABLE} ${dir} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { hint: 'The directory of secret files is mounted by gwdeploy; check the mount and its permissions.' },
    )
  }
  for (const name of names) {
    if (!NAME.test(name)) continue
    const path = join(dir, name)
    try {
      if (!statSync(path).isFile()) continue
      environ[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '')
    } catch (error) {
      throw configError(
        `secret file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        { hint: 'The gateway user (uid 1000 in the image) must be able to read it.' },
      )
    }
    set.push(name)
  }
  return set
}

function loadEnvFiles(environ: Record<string, string | undefined>): string[] {
  const dir = environ[ENV_FILES_DIR_VARIABLE]
  if (!dir) return []
  const set: string[] = []
  let names: string[]
  try {
    names = readdirSync(dir).sort()
  } catch (error) {
    throw configError(
      `${ENV_FILES_DIR_VARIABLE} ${dir} cannot be read: ${(error as NodeJS.ErrnoException).code}`,
    )
  }
  for (const name of names) {
    const path = join(dir, name)
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      throw configError(`env file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code}`, {
        hint: 'The gateway user (uid 1000 in the image) must be able to read it.',
      })
    }
    for (const [key, value] of Object.entries(parseEnvFile(text, path))) {
      environ[key] = value
      set.push(key)
    }
  }
  return set
}
