// The YAML output (lura's `yaml` render, gin's c.YAML with goccy/go-yaml): map keys sorted, lists
// not indented under their key, no line folding. lura decodes backend JSON with UseNumber, and goccy
// writes a json.Number as the string it is: quoted where YAML would read it as a number (`"42"`).
// Plain strings are quoted by YAML 1.1's rules, as goccy quotes `y`, `n`, `yes`, `on`.
import { GoNumber } from './go-json.ts'
import { yamlLibrary } from './libraries.ts'
import { setOwnKey } from './own-keys.ts'

/** Backend numbers as their text (json.Number); a `__proto__` key stays a key. */
function plain(value: unknown): unknown {
  if (typeof value === 'number') return String(value)
  if (typeof value !== 'object' || value === null) return value
  if (value instanceof GoNumber) return value.literal
  if (Array.isArray(value)) return value.map(plain)
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) setOwnKey(out, key, plain((value as Record<string, unknown>)[key]))
  return out
}

export function writeYaml(data: Record<string, unknown>): string {
  return yamlLibrary().stringify(plain(data), {
    sortMapEntries: true,
    indentSeq: false,
    lineWidth: 0,
    version: '1.1',
  })
}
