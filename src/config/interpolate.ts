import type { KeyPath } from '../core/document.ts'

export interface Interpolation {
  value: unknown
  /** Every `${VAR}` that is not set (and has no `:-default`), with where it was used. */
  missing: Array<{ variable: string; path: KeyPath }>
  /** Key paths whose value came (partly) from the environment, with the variable names. */
  fromEnv: Array<{ path: KeyPath; variables: string[] }>
  /** Key paths whose value holds a `${VAR}` reference (set, defaulted or missing), with the names. */
  substituted: Array<{ path: KeyPath; variables: string[] }>
}

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

/** Replaces `${VAR}` and `${VAR:-default}` in every string value; `$$` is a literal `$`. */
export function interpolate(value: unknown, environ: NodeJS.ProcessEnv, path: KeyPath = []): Interpolation {
  const result: Interpolation = { value, missing: [], fromEnv: [], substituted: [] }
  const walk = (node: unknown, at: KeyPath): unknown => {
    if (typeof node === 'string') {
      const used: string[] = []
      const named: string[] = []
      const out = node.replace(REFERENCE, (whole, name: string | undefined, fallback: string | undefined) => {
        if (whole === '$$') return '$'
        const variable = name as string
        named.push(variable)
        const set = environ[variable]
        if (set !== undefined) {
          used.push(variable)
          return set
        }
        if (fallback !== undefined) return fallback
        result.missing.push({ variable, path: at })
        return ''
      })
      if (used.length > 0) result.fromEnv.push({ path: at, variables: used })
      if (named.length > 0) result.substituted.push({ path: at, variables: named })
      return out
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...at, index]))
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...at, key])]))
    }
    return node
  }
  result.value = walk(value, path)
  return result
}
