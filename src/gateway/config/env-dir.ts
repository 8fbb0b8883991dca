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
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Reads GWDEPLOY_ENV_DIR into `environ` (mutated); returns the variable names it set. */
export function loadEnvDir(environ: Record<string, string | undefined>): string[] {
  const dir = environ[ENV_DIR_VARIABLE]
  if (!dir) return []
  let names: string[]
  try {
    names = readdirSync(dir).sort()
  } catch (error) {
    throw configError(
      `${ENV_DIR_VARIABLE} ${dir} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { hint: 'The directory of secret files is mounted by gwdeploy; check the mount and its permissions.' },
    )
  }
  const set: string[] = []
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
