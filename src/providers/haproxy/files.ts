/**
 * Durable side of every runtime change: the new haproxy.cfg / map file are written to temp
 * files, the result is checked with `haproxy -c` (with the config pointing at the new map),
 * and only then renamed into place, so a reload or restart of HAProxy keeps the live state
 * and never reads a half-written or invalid file.
 */
import { execFile } from 'node:child_process'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'

export interface InstanceFiles {
  configFile: string
  mapFile: string
  /** The map path exactly as haproxy.cfg names it (may differ from the resolved mapFile). */
  mapReference: string
}

export const haproxyBinary = () => process.env.GWDEPLOY_HAPROXY_BIN ?? 'haproxy'

export async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8')
}

/** Runs `haproxy -c -f file`; resolves to undefined when valid, else HAProxy's complaint (not `-q`: it hides the ALERT lines). */
export function checkConfig(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(haproxyBinary(), ['-c', '-f', file], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (!error) return resolve(undefined)
      const output = `${stdout}${stderr}`
        .split('\n')
        .filter((line) => /ALERT|error|fatal/i.test(line))
        .slice(0, 8)
        .join('\n')
      resolve(output || error.message)
    })
  })
}

export class ConfigCheckError extends Error {}

/** Writes the given new contents atomically after `haproxy -c` accepted them. */
export async function commitFiles(
  files: InstanceFiles,
  next: { config?: string; map?: string },
): Promise<void> {
  const tmpConfig = `${files.configFile}.gwdeploy.tmp`
  const tmpMap = `${files.mapFile}.gwdeploy.tmp`
  const checkFile = `${files.configFile}.gwdeploy-check.tmp`
  const config = next.config ?? (await readText(files.configFile))
  const written: string[] = []
  const write = async (file: string, text: string, mode: number) => {
    written.push(file)
    await writeFile(file, text, { mode })
  }
  try {
    if (next.map !== undefined) await write(tmpMap, next.map, 0o644)
    if (next.config !== undefined) await write(tmpConfig, next.config, 0o644)
    const checked =
      next.map !== undefined ? config.split(`map(${files.mapReference}`).join(`map(${tmpMap}`) : config
    await write(checkFile, checked, 0o600)
    const problem = await checkConfig(checkFile)
    if (problem) throw new ConfigCheckError(`haproxy -c rejects the new ${files.configFile}: ${problem}`)
    if (next.map !== undefined) await rename(tmpMap, files.mapFile)
    if (next.config !== undefined) await rename(tmpConfig, files.configFile)
  } finally {
    await Promise.all(written.map((file) => rm(file, { force: true }).catch(() => {})))
  }
}
