// The YAML output (lura's `yaml` render, gin's c.YAML with goccy/go-yaml): map keys sorted, lists
// not indented under their key, no line folding. lura decodes backend JSON with UseNumber, and goccy
// writes a json.Number as the string it is: quoted where YAML would read it as a number (`"42"`).
// Plain strings are quoted by YAML 1.1's rules, as goccy quotes `y`, `n`, `yes`, `on`. Numbers of
// the config's static data are Go float64s (GoFloat64), which goccy writes as floats (`5.0`, `1e+06`).
import { GoFloat64, goFormatFloat } from './go-float.ts'
import { GoNumber } from './go-json.ts'
import { yamlLibrary } from './libraries.ts'
import { setOwnKey } from './own-keys.ts'

/** A float64 as goccy writes it: %g's shortest text, `.0` added to a whole number. */
function goccyFloat(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '.inf'
  if (v === Number.NEGATIVE_INFINITY) return '-.inf'
  const text = goFormatFloat(v)
  return text.includes('.') || text.includes('e') ? text : `${text}.0`
}

const GO_FLOAT_TAG = {
  identify: (value: unknown) => value instanceof GoFloat64,
  tag: 'tag:gwdeploy,2026:go-float64',
  // the default representation of such values: no explicit tag is written
  default: true,
  resolve: (text: string) => text,
  stringify: (item: { value: unknown }) => goccyFloat((item.value as GoFloat64).value),
}

/** Backend numbers as their text (json.Number); config numbers stay GoFloat64; a `__proto__` key stays a key. */
function plain(value: unknown): unknown {
  if (typeof value === 'number') return String(value)
  if (typeof value !== 'object' || value === null || value instanceof GoFloat64) return value
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
    customTags: [GO_FLOAT_TAG],
  })
}
