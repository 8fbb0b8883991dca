// Which values of a YAML gateway config go-yaml decodes as a Go int. KrakenD reads a JSON number as
// float64 and a YAML `10` as int, and a few of its readers assert float64 only (krakend-cors'
// `options_success_status`), so they skip a setting written `10` in YAML and read it from JSON.
// The config is plain JSON-like data here; this registry keeps that one Go type beside it.

/** A scalar go-yaml resolved as an int, until the document is converted to plain data. */
export class GoYamlInt {
  readonly value: number
  constructor(value: number) {
    this.value = value
  }
}

/** The containers (maps, lists) of the converted config and which of their keys hold a YAML int. */
const yamlIntKeys = new WeakMap<object, Set<string | number>>()

/**
 * Replaces, in place, every GoYamlInt of converted data with its number, noting where it was.
 * Returns the data (a GoYamlInt at the top becomes its number).
 */
export function settleGoYamlInts(data: unknown): unknown {
  if (data instanceof GoYamlInt) return data.value
  const seen = new Set<object>()
  const walk = (container: object): void => {
    if (seen.has(container)) return
    seen.add(container)
    const entries: Array<[string | number, unknown]> = Array.isArray(container)
      ? container.map((item, i) => [i, item])
      : Object.entries(container)
    for (const [key, value] of entries) {
      if (value instanceof GoYamlInt) {
        ;(container as Record<string | number, unknown>)[key] = value.value
        const keys = yamlIntKeys.get(container) ?? new Set()
        keys.add(key)
        yamlIntKeys.set(container, keys)
      } else if (typeof value === 'object' && value !== null) walk(value)
    }
  }
  if (typeof data === 'object' && data !== null) walk(data)
  return data
}

/** Whether `holder[key]` was written as an integer in a YAML config (a Go int to KrakenD's reader). */
export const isGoYamlInt = (holder: object, key: string | number): boolean =>
  yamlIntKeys.get(holder)?.has(key) ?? false
