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
