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

const haproxyBinary = () => process.env.GWDEPLOY_HAPROXY_BIN ?? 'haproxy'

async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8')
}

/** Runs `haproxy -c -f file`; resolves to undefined when valid, else HAProxy's complaint (not `-q`: it hides the ALERT lines). */
function checkConfig(file: string): Promise<string | undefined> {
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

/** New file contents written to temp files and accepted by `haproxy -c`, not yet in place. */
export interface PreparedFiles {
  /** Renames the checked temp files into place. */
  apply(): Promise<void>
  /** Removes whatever temp files are left (always call it, also after apply). */
  discard(): Promise<void>
}

/**
 * Writes the new contents to temp files and checks them with `haproxy -c`, changing nothing in
 * place: callers prepare before they change the running HAProxy, so a file HAProxy would refuse
 * (e.g. a haproxy.cfg edited by hand) stops the change before any request sees it. When the check
 * fails and the file on disk fails it too, the error says so (it is not gwdeploy's change).
 */
export async function prepareFiles(
  files: InstanceFiles,
  next: { config?: string; map?: string },
): Promise<PreparedFiles> {
  const tmpConfig = `${files.configFile}.gwdeploy.tmp`
  const tmpMap = `${files.mapFile}.gwdeploy.tmp`
  const checkFile = `${files.configFile}.gwdeploy-check.tmp`
  const written: string[] = []
  const discard = () =>
    Promise.all(written.map((file) => rm(file, { force: true }).catch(() => {}))).then(() => {})
  const write = async (file: string, text: string, mode: number) => {
    written.push(file)
    await writeFile(file, text, { mode })
  }
  try {
    const config = next.config ?? (await readText(files.configFile))
    if (next.map !== undefined) await write(tmpMap, next.map, 0o644)
    if (next.config !== undefined) await write(tmpConfig, next.config, 0o644)
    const checked =
      next.map !== undefined ? config.split(`map(${files.mapReference}`).join(`map(${tmpMap}`) : config
    await write(checkFile, checked, 0o600)
    const problem = await checkConfig(checkFile)
    if (problem) {
      const onDisk = await checkConfig(files.configFile)
      throw new ConfigCheckError(
        onDisk
          ? `haproxy -c rejects ${files.configFile} as it is on disk (changed outside gwdeploy?): ${onDisk}`
          : `haproxy -c rejects the new ${files.configFile}: ${problem.split(checkFile).join(files.configFile)}`,
      )
    }
  } catch (error) {
    await discard()
    throw error
  }
  return {
    async apply() {
      if (next.map !== undefined) await rename(tmpMap, files.mapFile)
      if (next.config !== undefined) await rename(tmpConfig, files.configFile)
    },
    discard,
  }
}
