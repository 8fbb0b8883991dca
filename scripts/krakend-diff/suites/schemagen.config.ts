// Seeded JSON schemas (SEED=, N= schemas; schemagen.gen.ts), one POST endpoint each under
// validation/json-schema with return_error_msg, for schemagen.cases.ts. A schema this runtime
// refuses to start with is left out and named on stderr: KrakenD logs such a schema and skips the
// validation, a deliberate deviation (see the README's json-schema section).
import { parseJsonSchema } from '../../../src/gateway/components/json-schema.ts'
import { generate } from './schemagen.gen.ts'

const seed = Number(process.env.SEED ?? 1)
const generated = generate(seed, Number(process.env.N ?? 30))

export const served: number[] = []
for (const [i, { schema }] of generated.entries()) {
  const refused: string[] = []
  parseJsonSchema(schema, [], { error: (_path, message) => refused.push(message), warn: () => {} })
  if (refused.length === 0) served.push(i)
  else console.error(`schemagen: /s${i} left out, this runtime refuses its schema: ${refused.join('; ')}`)
}

export const config = {
  version: 3,
  name: 'schemagen',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router: { disable_access_log: true, return_error_msg: true } },
  endpoints: served.map((i) => ({
    endpoint: `/s${i}`,
    method: 'POST',
    extra_config: { 'validation/json-schema': generated[i]?.schema },
    backend: [{ url_pattern: '/obj', allow: ['a'] }],
  })),
}
