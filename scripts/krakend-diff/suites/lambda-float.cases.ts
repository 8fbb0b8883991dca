// The hand-made cases, then with SEED= (N= answers, default 10) seeded answers of random JSON number
// texts (any sign, digits, fraction and exponent, float32's and float64's edges) through JSON, XML,
// YAML and a sequential backend's resp0_ params.
import type { Case } from '../run.ts'
import { CEL_CHECKS } from './lambda-float.config.ts'

/** The function answers with `raw`, verbatim. */
const answer = (path: string, raw: string, headers: Array<[string, string]> = []): Case => ({
  method: 'POST',
  path,
  headers: [['Content-Type', 'application/json'], ...headers],
  body: JSON.stringify({ raw }),
})

const NUMBERS =
  '{"one":1.0,"hundred":1e2,"negzero":-0,"negzero2":-0.0,"big":12345678901234567890,"huge":1e21,' +
  '"bigger":123456789012345678901234567,"tiny":1e-7,"small":0.000001,"tenth":0.1,"third":0.3333333333333333,' +
  '"f32":16777217,"million":1e6,"n":1.5,"neg":-2.75,"int":42,"list":[1.5,2,1e21,"x",true,null,{"a":1e6}],' +
  '"obj":{"x":1e6,"y":[1.0],"z":{"w":-0}},"s":"1.5","t":true,"content":"text 1.5"}'

export const cases: Case[] = [
  answer('/json', NUMBERS),
  answer('/json', '{"a":1,"b":1e400}'),
  answer('/json', '{"a":[1,{"b":-1E999}],"c":1e400}'),
  answer('/json', '{"a":"1e400","b":1e-400,"c":-1e-400}'),
  answer('/json', 'null'),
  answer('/merge-yaml', 'null'),
  answer('/xml', NUMBERS),
  answer('/xml', '{"root":{"-attr":1e6,"#text":2.5,"x":[1e21,0.1]}}'),
  answer('/yaml', NUMBERS),
  answer('/yaml', '{"a":1e-400,"b":-1e-400,"c":[0,1,100000000000000000000]}'),
  answer('/negotiate', NUMBERS, [['Accept', 'application/xml']]),
  answer('/negotiate', NUMBERS, [['Accept', 'text/plain']]),
  answer('/negotiate', NUMBERS, [['Accept', 'application/json']]),
  answer('/string', NUMBERS),
  answer('/target-xml', NUMBERS),
  answer('/target-yaml', NUMBERS),
  answer('/flatmap-yaml', NUMBERS),
  answer('/noop-encoding', NUMBERS),
  answer('/lua', NUMBERS),
  answer('/lua-yaml', NUMBERS),
  answer('/lua-seq', NUMBERS),
  answer('/seq', NUMBERS),
  answer(
    '/seq',
    '{"n":0.1,"big":123456789,"tenth":370379.125,"negzero":1e-46,"f32":3.4028236e38,"huge":-1e39,"tiny":1e-45,"int":-0.0,"neg":2.5,"obj":{"x":16777216.5},"s":1,"t":1e100,"list":[],"json":1}',
  ),
  answer('/merge-xml', NUMBERS),
  answer('/merge-yaml', NUMBERS),
  answer('/merge-cel', NUMBERS),
  answer('/cel-endpoint', NUMBERS),
  ...CEL_CHECKS.map((_, i) => answer(`/cel/${i}`, NUMBERS)),
]

/** mulberry32: the same numbers for the same SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A JSON number text: digits, a fraction and an exponent of any length, or an edge value's text. */
function numberText(next: () => number): string {
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)] as T
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(next() * 10))).join('')
  if (next() < 0.2)
    return pick([
      '-0',
      '0.0',
      '1e308',
      '1.7976931348623157e308',
      '5e-324',
      '4.9e-324',
      '2e-324',
      '3.4028234663852886e38',
      '3.4028235677973366e38',
      '1.401298464324817e-45',
      '7.006492321624085e-46',
      '16777217',
      '9007199254740993',
      '0.1',
      '1e21',
      '1e-7',
      '123456789012345678901234567890',
      '1E+2',
      '-1.5e-5',
      '100000',
    ])
  const sign = next() < 0.3 ? '-' : ''
  const whole = next() < 0.3 ? '0' : String(1 + Math.floor(next() * 9)) + digits(Math.floor(next() * 20))
  const fraction = next() < 0.5 ? `.${digits(1 + Math.floor(next() * 18))}` : ''
  const exponent =
    next() < 0.5
      ? `${pick(['e', 'E'])}${pick(['', '+', '-'])}${Math.floor(next() * (next() < 0.9 ? 40 : 330))}`
      : ''
  return `${sign}${whole}${fraction}${exponent}`
}

const SEQ_KEYS = ['n', 'big', 'tenth', 'negzero', 'f32', 'huge', 'tiny', 'int', 'neg', 's', 't']

if (process.env.SEED !== undefined) {
  const next = random(Number(process.env.SEED))
  const n = Number(process.env.N ?? 10)
  for (let i = 0; i < n; i += 1) {
    const fields = SEQ_KEYS.map((key) => `"${key}":${numberText(next)}`)
    const raw = `{${fields.join(',')},"list":[${numberText(next)},${numberText(next)}],"obj":{"x":${numberText(next)},"y":[${numberText(next)}]}}`
    cases.push(answer(['/json', '/xml', '/yaml', '/seq'][i % 4] as string, raw))
  }
}
