/**
 * KrakenD CE's long namespace names (`github.com/devopsfaith/krakend-martian`,
 * `github_com/luraproject/lura/router/gin`, ...) are the components' own: krakend-ce's main.go
 * registers the short names as aliases and lura's ExtraConfig.Normalize moves a short name onto the
 * long one, so a config written with long names (KrakenD 1.x/2.0 era files moved to version 3) runs
 * every component (an async agent's and its backends' too). This renames them to the short names
 * this runtime reads, in place of the original key, and maps problem paths back to the key written
 * in the file.
 */
import { ceLongNamespace } from '../../config/gateway-namespaces.ts'
import type { KeyPath } from '../../core/source-text.ts'
import { isObject, type Report } from '../components/types.ts'

export interface AliasedConfig {
  /** The config with long names renamed; the input itself when it has none. */
  value: Record<string, unknown>
  /** The path as written in the file (a renamed namespace under its long name). */
  written(path: KeyPath): KeyPath
}

const prefixKey = (path: KeyPath) => JSON.stringify(path)

export function readNamespaceAliases(value: Record<string, unknown>, report: Report): AliasedConfig {
  // Per extra_config path (JSON of its key path): short name -> long name written in the file.
  const renamed = new Map<string, Map<string, string>>()
  const normalise = (owner: unknown, path: KeyPath): unknown => {
    if (!isObject(owner) || !isObject(owner.extra_config)) return owner
    const extra = owner.extra_config
    const keys = Object.keys(extra)
    if (!keys.some((key) => ceLongNamespace(key) !== undefined)) return owner
    const at: KeyPath = [...path, 'extra_config']
    const names = new Map<string, string>()
    const out: Record<string, unknown> = {}
    for (const key of keys) {
      const short = ceLongNamespace(key)
      if (short === undefined) {
        out[key] = extra[key]
        continue
      }
      // lura copies the short name's value over the long one: the short name wins.
      if (Object.hasOwn(extra, short)) {
        report.warn(
          [...at, key],
          `"${key}" is ignored: "${short}" beside it is its alias and KrakenD reads that one instead`,
          `remove one of the two`,
        )
        continue
      }
      out[short] = extra[key]
      names.set(short, key)
    }
    renamed.set(prefixKey(at), names)
    return { ...owner, extra_config: out }
  }

  let changed = false
  const copy = (owner: unknown, path: KeyPath) => {
    const result = normalise(owner, path)
    if (result !== owner) changed = true
    return result
  }
  const root = copy(value, []) as Record<string, unknown>
  // endpoints and async agents (lura's ServiceConfig.Normalize), each with its backends
  const owners = (key: 'endpoints' | 'async_agent') => {
    const list = value[key]
    if (!Array.isArray(list)) return list
    return list.map((owner, i) => {
      const o = copy(owner, [key, i])
      if (!isObject(o) || !Array.isArray(o.backend)) return o
      const backends = o.backend.map((backend, j) => copy(backend, [key, i, 'backend', j]))
      return backends.some((b, j) => b !== (o.backend as unknown[])[j]) ? { ...o, backend: backends } : o
    })
  }
  const endpoints = owners('endpoints')
  const agents = owners('async_agent')
  if (!changed) return { value, written: (path) => path }
  return {
    value: { ...root, endpoints, ...(agents !== undefined ? { async_agent: agents } : {}) },
    written(path) {
      for (let i = 0; i + 1 < path.length; i += 1) {
        if (path[i] !== 'extra_config') continue
        const long = renamed.get(prefixKey(path.slice(0, i + 1)))?.get(String(path[i + 1]))
        if (long !== undefined) return [...path.slice(0, i + 1), long, ...path.slice(i + 2)]
      }
      return path
    },
  }
}
