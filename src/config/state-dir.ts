import { statSync } from 'node:fs'
import { relative } from 'node:path'
import { configError } from '../core/errors.ts'

/** The state directory must be a directory (or not exist yet) on an ordinary file system. */
export function checkStateDir(stateDir: string, file: string): void {
  const location = { file: relative(process.cwd(), file) || file, path: 'provider.local.stateDir' }
  if (/^\/(proc|sys|dev)(\/|$)/.test(stateDir)) {
    throw configError(`provider.local.stateDir ${stateDir} is inside a kernel file system`, {
      location,
      hint: 'Use a directory on disk, e.g. .gwdeploy next to gwdeploy.yml.',
    })
  }
  let stats: ReturnType<typeof statSync> | undefined
  try {
    stats = statSync(stateDir)
  } catch {
    return
  }
  if (!stats.isDirectory()) {
    throw configError(`provider.local.stateDir ${stateDir} exists and is not a directory`, {
      location,
      hint: 'Point it at a directory (it is created when missing), or move that file away.',
    })
  }
}
