// Regenerates schema/gwdeploy.schema.json from the zod schema (a test checks it is current).
import { writeFileSync } from 'node:fs'
import { gwConfigJsonSchema } from '../src/config/json-schema.ts'

writeFileSync(
  new URL('../schema/gwdeploy.schema.json', import.meta.url),
  `${JSON.stringify(gwConfigJsonSchema(), null, 2)}\n`,
)
