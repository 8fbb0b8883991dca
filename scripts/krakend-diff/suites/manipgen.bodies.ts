// JSON texts for manipgen.config.ts, written by hand so that number texts (float64 edges, huge
// integers, exponents, -0), duplicate keys, escapes and whitespace reach the gateways as drawn.
// Keys come from the caller's pool, so the manipulation settings name them.

export interface BodyDraw {
  rnd: () => number
  pick: <T>(list: readonly T[]) => T
  /** The keys the objects are made of (a backend's own, so merges do not race on one key). */
  keys: readonly string[]
}

export const NUMBERS = [
  '0',
  '-0',
  '1',
  '-1',
  '1.0',
  '1.5',
  '0.1',
  '1e2',
  '1E+2',
  '-2.5e-3',
  '1e308',
  '1.7976931348623157e308',
  '5e-324',
  '1e-400',
  '9007199254740993',
  '18446744073709551616',
  '123456789012345678901234567890',
  '0.30000000000000004',
  '100000000000000000000000',
  '1e21',
  '1e20',
  '4.9406564584124654e-324',
  '2.2250738585072014e-308',
]

export const STRINGS = [
  '""',
  '"x"',
  '"é"',
  '"\\u00e9"',
  '"\\ud83d\\ude00"',
  '"😀"',
  '"<a&b>"',
  '"\\u2028\\u2029"',
  '"line\\nbreak\\t"',
  '"quote\\"s\\\\"',
  '"\\ud800"',
  '"\\u0000"',
  '"a.b"',
  '"*"',
]

const LITERALS = ['null', 'true', 'false']

function scalar(d: BodyDraw): string {
  const r = d.rnd()
  if (r < 0.4) return d.pick(NUMBERS)
  if (r < 0.8) return d.pick(STRINGS)
  return d.pick(LITERALS)
}

const quote = (key: string) => JSON.stringify(key)

export function object(d: BodyDraw, depth: number): string {
  const n = Math.floor(d.rnd() * (depth > 2 ? 3 : 5))
  const members: string[] = []
  const used = new Set<string>()
  for (let i = 0; i < n; i += 1) {
    const key = d.pick(d.keys)
    // A key again now and then: Go's map keeps the last one.
    if (used.has(key) && d.rnd() < 0.7) continue
    used.add(key)
    members.push(`${quote(key)}:${value(d, depth + 1)}`)
  }
  return `{${members.join(d.rnd() < 0.1 ? ' , ' : ',')}}`
}

export function array(d: BodyDraw, depth: number): string {
  const n = Math.floor(d.rnd() * 4)
  const objects = d.rnd() < 0.6
  return `[${Array.from({ length: n }, () => (objects ? object(d, depth + 1) : value(d, depth + 1))).join(',')}]`
}

export function value(d: BodyDraw, depth: number): string {
  const r = d.rnd()
  if (depth >= 5 || r < 0.35) return scalar(d)
  if (r < 0.75) return object(d, depth)
  return array(d, depth)
}

/** A backend's body: mostly an object, sometimes an array, a scalar, an empty value or trailing text. */
export function body(d: BodyDraw, collection: boolean): string {
  const r = d.rnd()
  let text: string
  if (collection ? r < 0.75 : r < 0.1) text = array(d, 0)
  else if (r < 0.9) text = object(d, 0)
  else text = d.pick(['null', '{}', '[]', '1', '"s"', 'true', '[null]', '[[1],[2]]', '{"a":{}}'])
  if (d.rnd() < 0.05) text = `${text} {"trailing":1}`
  if (d.rnd() < 0.05) text = ` \n${text}\n`
  return text
}
