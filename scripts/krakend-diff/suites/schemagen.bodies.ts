// Request bodies near a schema's edges for schemagen.gen.ts: numbers in several spellings
// (1.0, 1e2, exact multiples, a hair off), strings counted in code points, \u escapes and lone
// surrogates, duplicate keys, a BOM, trailing data, text that is no JSON.
import type { Schema } from './schemagen.gen.ts'
import { FORMAT_VALUES, NAMES, NUMBERS, STRINGS } from './schemagen.pools.ts'

/** A body's JSON text: values near the schema's edges, spelt in several ways. */
export class Bodies {
  readonly #rnd: () => number
  readonly #root: Schema
  constructor(rnd: () => number, root: Schema) {
    this.#rnd = rnd
    this.#root = root
  }
  #chance = (p: number) => this.#rnd() < p
  #pick = <T>(list: readonly T[]): T => list[Math.floor(this.#rnd() * list.length)] as T

  one(): string {
    const r = this.#rnd()
    if (r < 0.03)
      return this.#pick(['', ' ', '{', '[1,]', '{"a":1,}', 'nul', '01', '1.', '+1', '.5', 'NaN', '"\\x"'])
    let text = this.#value(this.#root, 0)
    if (r < 0.06) text = `\ufeff${text}`
    else if (r < 0.09) text += this.#pick([' ', '\n', 'x', '{}', ' 1', '\t\r\n'])
    else if (r < 0.12) text = ` \n${text}\t`
    return text
  }

  #value(s: unknown, depth: number): string {
    if (depth > 4 || typeof s !== 'object' || s === null || this.#chance(0.12)) return this.#any(depth)
    const o = s as Record<string, unknown>
    const options: Array<() => string> = []
    for (const key of ['enum', 'const'])
      if (o[key] !== undefined) {
        const values = key === 'enum' && Array.isArray(o.enum) ? o.enum : [o.const]
        options.push(() => this.#respelled(this.#pick(values)))
      }
    const num = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']
    const bounds = num.map((k) => o[k]).filter((v): v is number => typeof v === 'number')
    if (bounds.length > 0 || o.type === 'integer' || o.type === 'number')
      options.push(() => this.#number(bounds, o.multipleOf))
    if (o.minLength !== undefined || o.maxLength !== undefined || o.pattern !== undefined)
      options.push(() => this.#string(Number(o.minLength ?? o.maxLength ?? 1)))
    if (typeof o.format === 'string') options.push(() => this.#quote(this.#pick(FORMAT_VALUES)))
    const arrayish = [
      'items',
      'prefixItems',
      'contains',
      'minItems',
      'maxItems',
      'uniqueItems',
      'unevaluatedItems',
    ]
    if (arrayish.some((k) => o[k] !== undefined) || o.type === 'array')
      options.push(() => this.#array(o, depth))
    const objectish = [
      'properties',
      'required',
      'patternProperties',
      'additionalProperties',
      'propertyNames',
      'dependencies',
      'dependentRequired',
      'dependentSchemas',
      'unevaluatedProperties',
      'minProperties',
      'maxProperties',
    ]
    if (objectish.some((k) => o[k] !== undefined) || o.type === 'object')
      options.push(() => this.#object(o, depth))
    for (const key of ['allOf', 'anyOf', 'oneOf'])
      if (Array.isArray(o[key])) options.push(() => this.#value(this.#pick(o[key] as unknown[]), depth + 1))
    for (const key of ['if', 'then', 'else', 'not', '$defs', 'definitions'])
      if (o[key] !== undefined) {
        const target =
          key === '$defs' || key === 'definitions' ? (o[key] as Record<string, unknown>).x : o[key]
        options.push(() => this.#value(target, depth + 1))
      }
    if (options.length === 0) return this.#any(depth)
    return this.#pick(options)()
  }

  #any(depth: number): string {
    const kind = Math.floor(this.#rnd() * (depth > 2 ? 4 : 6))
    if (kind === 0) return this.#respelled(this.#pick(NUMBERS))
    if (kind === 1) return this.#string(Math.floor(this.#rnd() * 4))
    if (kind === 2) return this.#pick(['null', 'true', 'false'])
    if (kind === 3)
      return this.#pick(['1.0', '1e2', '-0', '0.1', '9007199254740993', '1e400', '"a"', '[]', '{}'])
    if (kind === 4)
      return `[${Array.from({ length: Math.floor(this.#rnd() * 3) }, () => this.#any(depth + 1)).join(',')}]`
    return this.#members(
      Array.from({ length: Math.floor(this.#rnd() * 3) }, () => [this.#pick(NAMES), this.#any(depth + 1)]),
    )
  }

  #number(bounds: number[], multipleOf: unknown): string {
    const base = bounds.length > 0 ? this.#pick(bounds) : this.#pick(NUMBERS)
    const r = this.#rnd()
    if (typeof multipleOf === 'number' && r < 0.4) {
      const k = this.#pick([1, 2, 3, 7, 10, -3, 1000])
      return this.#chance(0.7) ? scaled(multipleOf, k) : `${scaled(multipleOf, k)}1`
    }
    if (r < 0.55) return this.#respelled(base)
    if (r < 0.75) return this.#respelled(base + this.#pick([1, -1, 0.5, -0.5]))
    if (r < 0.85) return nudged(base)
    return this.#pick([
      '1.0',
      '1e2',
      '100.00',
      '1E+2',
      '-0',
      '0.30',
      '3e-1',
      '1.0000000000000001',
      '9007199254740993',
      '1e400',
      '123456789012345678901234567890',
    ])
  }

  #respelled(value: unknown): string {
    if (typeof value === 'string') return this.#quote(value)
    if (typeof value !== 'number') return JSON.stringify(value)
    const plain = decimal(value)
    const variants = [
      plain,
      plain.includes('.') ? `${plain}0` : `${plain}.0`,
      value.toExponential(),
      `${value.toExponential().replace('e+', 'E')}`,
    ]
    return this.#pick(variants).replace(/e\+?/, this.#pick(['e', 'e+', 'E']))
  }

  #string(length: number): string {
    const pool = [...STRINGS, ...FORMAT_VALUES.slice(0, 8)]
    const base = this.#chance(0.5)
      ? this.#pick(pool)
      : this.#pick(['a', '😀', 'e\u0301', 'é', 'Z', '1']).repeat(Math.max(0, length + this.#pick([-1, 0, 1])))
    return this.#quote(base)
  }

  /** A JSON string, some characters written as \u escapes (lone surrogates too). */
  #quote(s: string): string {
    if (this.#chance(0.1)) return `"${s}\\ud800"`
    if (!this.#chance(0.2)) return JSON.stringify(s)
    let out = '"'
    for (const unit of s.split('')) out += `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`
    return `${out}"`
  }

  #array(o: Record<string, unknown>, depth: number): string {
    const prefix = Array.isArray(o.prefixItems) ? o.prefixItems : Array.isArray(o.items) ? o.items : []
    const rest = Array.isArray(o.items) ? o.additionalItems : (o.items ?? o.contains ?? o.unevaluatedItems)
    const length = Math.max(
      0,
      Number(o.minItems ?? o.maxItems ?? prefix.length) + this.#pick([-1, 0, 0, 1, 2]),
    )
    const items = Array.from({ length }, (_, i) =>
      this.#value(i < prefix.length ? prefix[i] : rest, depth + 1),
    )
    if (o.uniqueItems === true && items.length > 0 && this.#chance(0.5))
      items.push(this.#respellText(items[0] as string))
    return `[${items.join(',')}]`
  }

  #respellText(text: string): string {
    return /^-?\d+$/.test(text) ? `${text}.0` : text
  }

  #object(o: Record<string, unknown>, depth: number): string {
    const props = (o.properties ?? {}) as Record<string, unknown>
    const names = new Set<string>()
    for (const name of Object.keys(props)) if (this.#chance(0.7)) names.add(name)
    for (const name of Array.isArray(o.required) ? o.required : [])
      if (this.#chance(0.8)) names.add(String(name))
    for (const map of [o.dependencies, o.dependentRequired, o.dependentSchemas])
      if (map && typeof map === 'object')
        for (const [name, dep] of Object.entries(map))
          if (this.#chance(0.6)) {
            names.add(name)
            if (Array.isArray(dep) && this.#chance(0.5)) for (const d of dep) names.add(String(d))
          }
    if (this.#chance(0.4)) names.add(this.#pick(NAMES))
    const members: Array<[string, string]> = [...names].map((name) => [
      name,
      this.#value(props[name] ?? o.additionalProperties ?? o.unevaluatedProperties, depth + 1),
    ])
    if (members.length > 0 && this.#chance(0.08))
      members.push([members[0]?.[0] as string, this.#any(depth + 1)])
    return this.#members(members)
  }

  #members(members: Array<[string, string]>): string {
    return `{${members.map(([k, v]) => `${this.#quote(k)}:${v}`).join(this.#chance(0.2) ? ' , ' : ',')}}`
  }
}

/** The shortest decimal of a double, never in exponent form. */
function decimal(value: number): string {
  if (Object.is(value, -0)) return '-0'
  const text = String(value)
  if (!text.includes('e')) return text
  const [mantissa, exp] = text.split('e') as [string, string]
  const negative = mantissa.startsWith('-')
  const digits = mantissa.replace('-', '').replace('.', '')
  const point =
    (mantissa.replace('-', '').indexOf('.') === -1
      ? mantissa.replace('-', '').length
      : mantissa.replace('-', '').indexOf('.')) + Number(exp)
  const body =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`
  return (negative ? '-' : '') + body
}

/** k times m, exactly, as a decimal (m's shortest decimal digits times k). */
function scaled(m: number, k: number): string {
  const text = decimal(m)
  const [whole, fraction = ''] = text.split('.') as [string, string?]
  const product = BigInt(whole + fraction) * BigInt(k)
  const negative = product < 0n
  const digits = (negative ? -product : product).toString().padStart(fraction.length + 1, '0')
  const cut = digits.length - fraction.length
  const out = fraction.length === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`
  return (negative ? '-' : '') + out
}

/** A number a hair away from `value` (more digits than a double holds). */
function nudged(value: number): string {
  const text = decimal(value)
  return text.includes('.') ? `${text}00000000000000000001` : `${text}.00000000000000000001`
}
