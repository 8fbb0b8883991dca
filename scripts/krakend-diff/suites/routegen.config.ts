// Seeded endpoint sets for gin's routing (routegen.gen.ts; SEED=, N= endpoints, 12 by default):
// shared prefixes, trailing slashes, case, a {param} against a static segment, dots, unicode,
// long paths, several methods per path, gin's router options. Each endpoint's backend is
// /echo/e<id>/<its params>, so a request routed elsewhere shows in the backend calls and the
// body. An endpoint this runtime refuses (a conflict gin panics on, a path it does not take) is
// left out, counted on stderr (ROUTEGEN_REFUSED=1 lists them); routegen-starts.ts compares those
// refusals with KrakenD's. Requests: routegen.cases.ts.
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { configOf, type GenEndpoint, generate } from './routegen.gen.ts'

const seed = Number(process.env.SEED ?? 1)
const set = generate(seed, Number(process.env.N ?? 12), { odd: Number(process.env.ODD ?? 0.06) })
const accepted = (endpoints: GenEndpoint[]) => {
  const text = JSON.stringify(configOf({ ...set, endpoints }, 'check'))
  return (
    validateGatewayConfig(JSON.parse(text.replaceAll('BACKEND', 'http://127.0.0.1:19000'))).config !==
    undefined
  )
}
const kept: GenEndpoint[] = []
const refused: GenEndpoint[] = []
for (const e of set.endpoints) (accepted([...kept, e]) ? kept : refused).push(e)
if (refused.length > 0) console.error(`routegen: ${refused.length} endpoint(s) refused here, left out`)
if (process.env.ROUTEGEN_REFUSED) for (const e of refused) console.error(`  ${e.method} ${e.endpoint}`)

export const plan = { router: set.router, endpoints: kept }
export const config = configOf(plan, `routegen ${seed}`)
