// The configgen mutations (configgen.gen.ts: SEED=, N= units, 100 by default, MULTI=1 two per unit) that this runtime's
// check accepts, served together under run.ts: each endpoint/backend unit on its own path
// (/u<id>), and the first accepted service-level unit (security/cors, security/http, the service
// bot detector...) as the service's extra_config. A key written twice reaches both gateways with
// its last copy only (run.ts parses the config); configgen-start.ts runs each unit alone, repeated
// keys and service units included, and tells which configs either side refuses. The refused count
// goes to stderr (CONFIGGEN_REFUSED=1 lists them).
import { checkGatewayConfigText } from '../../../src/gateway/config/load.ts'
import { dupText, generateUnits, type Unit } from './configgen.gen.ts'

const seed = Number(process.env.SEED ?? 1)
const units = generateUnits(seed, Number(process.env.N ?? 100), 'BACKEND', process.env.MULTI === '1')

/** The unit alone, as run.ts would serve it (a repeated key collapsed to its last copy). */
const alone = (unit: Unit) =>
  JSON.parse(
    dupText(
      JSON.stringify({
        version: 3,
        port: 8080,
        extra_config: { router: { disable_access_log: true }, ...unit.service },
        endpoints: [unit.endpoint],
      }),
    ).replaceAll('BACKEND', 'http://127.0.0.1:19000'),
  )
const refused: Unit[] = []
const accepted = units.filter((unit) => {
  const ok = checkGatewayConfigText(JSON.stringify(alone(unit)), 'configgen.json').config !== undefined
  if (!ok) refused.push(unit)
  return ok
})
const serviceUnit = accepted.find((unit) => unit.service !== undefined)
export const served = accepted.filter((unit) => unit.service === undefined || unit === serviceUnit)

export const config = JSON.parse(
  dupText(
    JSON.stringify({
      version: 3,
      name: 'configgen',
      timeout: '3s',
      extra_config: { router: { disable_access_log: true }, ...serviceUnit?.service },
      endpoints: served.map((unit) => unit.endpoint),
    }),
  ),
)
console.error(
  `configgen SEED=${seed}: ${served.length} units served${serviceUnit ? ` (service: #${serviceUnit.id} ${serviceUnit.guard}, ${serviceUnit.mutation})` : ''}, ${refused.length} refused by this runtime's check, ${accepted.length - served.length} service units left out`,
)
if (process.env.CONFIGGEN_REFUSED)
  for (const unit of refused) console.error(`  refused #${unit.id} ${unit.guard}: ${unit.mutation}`)
