// The YAML output (lura's `yaml` render, gin's c.YAML with goccy/go-yaml): map keys sorted, lists
// not indented under their key, no line folding.
import { GoNumber } from './go-json.ts'
import { yamlLibrary } from './libraries.ts'

/** Backend numbers kept as text (GoNumber) become YAML numbers again. */
function plain(value: unknown): unknown {
  if (value instanceof GoNumber) return Number(value.literal)
  if (Array.isArray(value)) return value.map(plain)
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = plain(v)
    return out
  }
  return value
}

export function writeYaml(data: Record<string, unknown>): string {
  return yamlLibrary().stringify(plain(data), { sortMapEntries: true, indentSeq: false, lineWidth: 0 })
}
