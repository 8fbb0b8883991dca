// Seeded JSON schemas (every keyword of draft-04 to 2020-12, `$schema` choosing the draft,
// keywords of other drafts mixed in) and request bodies near each schema's edges (numbers in
// several spellings, strings counted in code points, astral characters, combining marks, escapes,
// duplicate keys, a BOM, trailing data), for schemagen.config.ts / schemagen.cases.ts.
// biome-ignore-all lint/suspicious/noThenProperty: `then` is a JSON-schema keyword here
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { Bodies } from './schemagen.bodies.ts'
import { DRAFTS, FORMATS, MULTIPLES, NAMES, NUMBERS, PATTERNS, STRINGS, TYPES } from './schemagen.pools.ts'

export type Schema = boolean | { [key: string]: unknown }
export interface Generated {
  schema: Schema
  bodies: string[]
}

export function generate(seed: number, count: number): Generated[] {
  const { next: rnd, pick } = seededRandom(seed * 7919 + 17)
  for (let i = 0; i < 5; i++) rnd()
  const chance = (p: number) => rnd() < p
  const int = (n: number) => Math.floor(rnd() * n)
  const some = <T>(list: readonly T[], max: number): T[] =>
    Array.from({ length: 1 + int(max) }, () => pick(list))

  const anyValue = (depth: number): unknown => {
    const kind = int(depth > 1 ? 4 : 6)
    if (kind === 0) return pick(NUMBERS)
    if (kind === 1) return pick(STRINGS)
    if (kind === 2) return pick([null, true, false])
    if (kind === 3) return pick([1, 'a', null, 1.0, 0.1])
    if (kind === 4) return Array.from({ length: int(3) }, () => anyValue(depth + 1))
    return Object.fromEntries(Array.from({ length: int(3) }, () => [pick(NAMES), anyValue(depth + 1)]))
  }

  function sub(draft: number, depth: number): Schema {
    if (depth > 1 || chance(0.25)) return chance(0.5) ? pick([true, false, {}]) : { type: pick(TYPES) }
    return node(draft, depth + 1)
  }
  const subs = (draft: number, depth: number) => Array.from({ length: 1 + int(3) }, () => sub(draft, depth))
  const propMap = (draft: number, depth: number) =>
    Object.fromEntries(some(NAMES, 3).map((name) => [name, sub(draft, depth)]))

  function node(draft: number, depth: number): Record<string, unknown> {
    const s: Record<string, unknown> = {}
    const families = 1 + int(depth === 0 ? 3 : 2)
    for (let f = 0; f < families; f++) {
      switch (int(14)) {
        case 0:
          s.type = chance(0.6) ? pick(TYPES) : some(TYPES, 3)
          break
        case 1:
          if (chance(0.5)) s.enum = some([...NUMBERS, ...STRINGS, null, true, [1], { a: 1 }], 4)
          else s.const = anyValue(1)
          break
        case 2:
          s[pick(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'])] = pick(NUMBERS)
          if (chance(0.5)) s[pick(['minimum', 'maximum'])] = pick(NUMBERS)
          if (draft === 4 && chance(0.7)) s[pick(['exclusiveMinimum', 'exclusiveMaximum'])] = chance(0.5)
          if (chance(0.3)) s.type = pick(['integer', 'number'])
          break
        case 3:
          s.multipleOf = pick(MULTIPLES)
          if (chance(0.4)) s.type = 'integer'
          break
        case 4:
          if (chance(0.6)) s[pick(['minLength', 'maxLength'])] = int(4)
          if (chance(0.5)) s.pattern = pick(PATTERNS)
          else s.format = pick(FORMATS)
          break
        case 5:
          if (draft < 2020 || chance(0.2)) s.items = chance(0.5) ? subs(draft, depth) : sub(draft, depth)
          else s.items = sub(draft, depth)
          if (chance(0.4)) s.prefixItems = subs(draft, depth)
          if (chance(0.4)) s.additionalItems = sub(draft, depth)
          break
        case 6:
          s.contains = sub(draft, depth)
          if (chance(0.5)) s.minContains = int(3)
          if (chance(0.4)) s.maxContains = int(3)
          break
        case 7:
          if (chance(0.5)) s[pick(['minItems', 'maxItems'])] = int(4)
          if (chance(0.5)) s.uniqueItems = chance(0.8)
          if (chance(0.4)) s.unevaluatedItems = sub(draft, depth)
          break
        case 8:
          s.properties = propMap(draft, depth)
          if (chance(0.5)) s.required = some(NAMES, 3).filter((n, i, all) => all.indexOf(n) === i)
          if (chance(0.5)) s.additionalProperties = sub(draft, depth)
          break
        case 9:
          if (chance(0.5)) s.patternProperties = { [pick(PATTERNS)]: sub(draft, depth) }
          if (chance(0.5)) s.propertyNames = sub(draft, depth)
          if (chance(0.4)) s.unevaluatedProperties = sub(draft, depth)
          if (chance(0.4)) s[pick(['minProperties', 'maxProperties'])] = int(3)
          break
        case 10: {
          const [a, b] = [pick(NAMES), pick(NAMES)]
          const which = int(3)
          if (which === 0) s.dependencies = { [a]: chance(0.5) ? [b] : sub(draft, depth) }
          else if (which === 1) s.dependentRequired = { [a]: [b] }
          else s.dependentSchemas = { [a]: sub(draft, depth) }
          break
        }
        case 11:
          s[pick(['allOf', 'anyOf', 'oneOf'])] = subs(draft, depth)
          if (chance(0.3)) s.not = sub(draft, depth)
          break
        case 12:
          s.if = sub(draft, depth)
          if (chance(0.8)) s.then = sub(draft, depth)
          if (chance(0.6)) s.else = sub(draft, depth)
          break
        default: {
          const defs = chance(0.5) ? '$defs' : 'definitions'
          s[defs] = { x: sub(draft, depth) }
          s.$ref = pick([`#/${defs}/x`, `#/${defs}/x`, '#', '#/properties/a', `#/${defs}/y`])
          if (s.$ref === '#/properties/a' && s.properties === undefined)
            s.properties = { a: sub(draft, depth) }
        }
      }
    }
    return s
  }

  const out: Generated[] = []
  for (let i = 0; i < count; i++) {
    const url = pick(DRAFTS)
    const draft =
      url === undefined || url.includes('2020') || url.endsWith('/schema')
        ? 2020
        : url.includes('2019')
          ? 2019
          : Number(/draft-0(\d)/.exec(url)?.[1])
    const schema: Schema = chance(0.03) ? chance(0.5) : node(draft, 0)
    if (url !== undefined && typeof schema === 'object') schema.$schema = url
    const bodies = new Bodies(rnd, schema)
    out.push({ schema, bodies: Array.from({ length: 8 }, () => bodies.one()) })
  }
  return out
}
