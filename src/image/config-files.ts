/**
 * Files a gateway config makes the runtime read when it starts: the `sources` of the Lua modifiers.
 * KrakenD reads them relative to its working directory, which in its image is the config's own
 * directory; a release reads them relative to the config's directory and ships them beside the
 * stamped config (the image's working directory, the local node's release directory).
 */
import { readFileSync } from 'node:fs'
import { isAbsolute, posix, resolve } from 'node:path'
import { forEachNamespace, NAMESPACE_ALIASES } from '../config/gateway-namespaces.ts'
import type { KeyPath } from '../core/source-text.ts'
import { callsHttp } from '../gateway/components/lua.ts'

export interface ConfigFile {
  /** Relative to the config's directory, normalised, with `/` separators. */
  path: string
  content: string
}

export interface ConfigFileProblem {
  path: KeyPath
  message: string
  hint: string
}

const LUA_NAMESPACES = new Set(['modifier/lua-endpoint', 'modifier/lua-proxy', 'modifier/lua-backend'])
/** The names the stamped config itself takes beside its files. */
const CONFIG_NAMES = new Set(['gateway.json', 'krakend.json'])

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Reads every Lua source the config names (each once, sorted by path) or says why it cannot ship. */
export function readConfigFiles(
  config: unknown,
  baseDir: string,
): { files: ConfigFile[]; problems: ConfigFileProblem[] } {
  const files = new Map<string, string>()
  const problems: ConfigFileProblem[] = []
  forEachNamespace(config, (namespace, _level, path) => {
    const alias = Object.hasOwn(NAMESPACE_ALIASES, namespace) ? NAMESPACE_ALIASES[namespace] : undefined
    if (!LUA_NAMESPACES.has(alias ?? namespace)) return
    const options = valueAt(config, path)
    const sources = isObject(options) && Array.isArray(options.sources) ? options.sources : []
    for (const [i, source] of sources.entries()) {
      if (typeof source !== 'string') continue
      const at = [...path, 'sources', i]
      const normal = posix.normalize(source.replaceAll('\\', '/'))
      if (isAbsolute(source) || normal === '..' || normal.startsWith('../') || CONFIG_NAMES.has(normal)) {
        problems.push({
          path: at,
          message: `the Lua source "${source}" cannot ship with the release: it must be a file inside the gateway config's directory, other than the config itself`,
          hint: "write the path relative to the config's directory (KrakenD's working directory in its image)",
        })
        continue
      }
      if (files.has(normal)) continue
      let content: string
      try {
        content = readFileSync(resolve(baseDir, normal), 'utf8')
      } catch (error) {
        problems.push({
          path: at,
          message: `cannot read the Lua source "${source}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          hint: "sources are read relative to the gateway config's directory",
        })
        continue
      }
      // The runtime refuses it when the node starts: say so before anything is built.
      if (callsHttp(content))
        problems.push({
          path: at,
          message: `the Lua source "${source}" uses http_response: HTTP calls from Lua are not implemented`,
          hint: 'call the service as a backend of the endpoint instead',
        })
      files.set(normal, content)
    }
  })
  const sorted = [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return { files: sorted.map(([path, content]) => ({ path, content })), problems }
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let value = root
  for (const key of path) value = (value as Record<string | number, unknown> | undefined)?.[key]
  return value
}
