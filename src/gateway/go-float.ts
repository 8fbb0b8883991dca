import { GoNumber, processWide } from './go-json-values.ts'
import { setOwnKey } from './own-keys.ts'

/**
 * strconv.FormatFloat(v, 'g', -1, 64), which is also fmt's %v of a float64: the shortest digits
 * that read back as v, in exponent form (at least two exponent digits) when the exponent is below
 * -4 or at least 6: `1e+06`, `1.5e-05`, `123456`, `0.0001`.
 */
export function goFormatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (n === Number.POSITIVE_INFINITY) return '+Inf'
  if (n === Number.NEGATIVE_INFINITY) return '-Inf'
  if (n === 0) return Object.is(n, -0) ? '-0' : '0'
  const [mantissa, exponentText] = n.toExponential().split('e') as [string, string]
  const exponent = Number(exponentText)
  if (exponent >= -4 && exponent < 6) return String(n)
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`
}

/**
 * A number KrakenD holds as a Go float64 where a backend's numbers are json.Number texts: the
 * config's (static data) and a Lambda function's answer (krakend-lambda's json.Unmarshal). A
 * GoNumber whose literal is encoding/json's text of the float (JavaScript's, `-0` kept), so JSON
 * writers and Lua read it as any number; String() is fmt's %v (what mxj and lura's %v print).
 * Where Go prints a float64 otherwise than a json.Number (YAML, CEL, sequential params), the
 * writer looks for this class first.
 */
class Float64 extends GoNumber {
  readonly value: number
  constructor(value: number) {
    super(Object.is(value, -0) ? '-0' : String(value))
    this.value = value
  }
  override toString(): string {
    return goFormatFloat(this.value)
  }
}

// lazy/lambda.cjs decodes a function's answer into GoFloat64s with its own copy of this file
export const GoFloat64: typeof Float64 = processWide('GoFloat64', Float64)
export type GoFloat64 = Float64

/**
 * `data` with the values it still holds from `configValues` (the static data merged in: a key whose
 * value is the config's own) copied, their numbers as GoFloat64.
 */
export function markConfigNumbers(
  data: Record<string, unknown>,
  configValues: Record<string, unknown>,
): Record<string, unknown> {
  const marked: Record<string, unknown> = { ...data }
  for (const key of Object.keys(configValues))
    if (Object.hasOwn(data, key) && data[key] === configValues[key])
      setOwnKey(marked, key, asGoFloats(data[key]))
  return marked
}

function asGoFloats(value: unknown): unknown {
  if (typeof value === 'number') return new GoFloat64(value)
  if (Array.isArray(value)) return value.map(asGoFloats)
  if (typeof value !== 'object' || value === null) return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value))
    setOwnKey(out, key, asGoFloats((value as Record<string, unknown>)[key]))
  return out
}
