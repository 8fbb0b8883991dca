// Seeded `modifier/martian` configs (SEED=, N= endpoints, 12 by default): each endpoint's backend
// carries a random martian tree (martiangen.trees.ts; ODD= the share of trees with odd shapes, 0.3
// by default) inside a fifo.Group whose first modifier sets
// `X-Probe: 1` on the request, so a tree KrakenD drops (krakend-martian logs the parse error and
// calls the backend without any modifier) shows at the backend as a request without X-Probe.
// Endpoints: GET/POST/PUT/DELETE, json, no-op or string, `input_headers` / `input_query_strings`
// all or some, the recording backend's /echo or a scripted answer (X-Tenant, X-Mode, Set-Cookie,
// Content-Type, 200/201/404/500), now and then beside a CEL check or a Lua header on the same
// backend, `return_error_code` / `return_error_details`, or an HTTP cache (GET).
//
// A tree this runtime refuses (its `gateway check` error) would stop the whole config, so this
// module reads each one with the runtime's own martian parser: the accepted ones make `config`,
// the refused ones are `refused` (with the first error), which martiangen-refused.ts runs on
// KrakenD alone to list the refusals where KrakenD runs the tree (X-Probe arrives) and so
// changes traffic. Requests: martiangen.cases.ts.
import { parseMartian } from '../../../src/gateway/components/martian.ts'
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { ports } from '../side-by-side.ts'
import { trees } from './martiangen.trees.ts'
import { scripted } from './scripted.ts'

export const SEED = Number(process.env.SEED ?? 1)
const { next: rnd, pick } = seededRandom(SEED * 69313 + 17)
for (let i = 0; i < 5; i += 1) rnd()
const maybe = (p: number) => rnd() < p
const { tree: drawTree } = trees({ rnd, pick })
/** The trees' BACKEND_PORT: the recording backend's port (run.ts's, PORT_BASE moves it). */
const port = String(ports().backend)
const placed = (tree: unknown): unknown =>
  JSON.parse(JSON.stringify(tree).replaceAll('"BACKEND_PORT"', port).replaceAll('BACKEND_PORT', port))

export const PROBE = { 'header.Modifier': { scope: ['request'], name: 'X-Probe', value: '1' } }

function answerHeaders(): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {
    'Content-Type': pick(['application/json', 'application/json; charset=utf-8', 'text/plain']),
  }
  if (maybe(0.6)) out['X-Tenant'] = pick<string | string[]>(['acme', 'ACME', 'beta', '', ['beta', 'acme']])
  if (maybe(0.4)) out['X-Mode'] = pick(['1', 'on', 'a,b'])
  if (maybe(0.5))
    out['Set-Cookie'] = maybe(0.3)
      ? ['sid=1', 'tok=abc; Path=/']
      : pick(['sid=1', 'SID=abc', 'tok=', 'sid="q"'])
  return out
}

export interface Endpoint {
  endpoint: string
  method: string
  [key: string]: unknown
}

function endpoint(i: number): { endpoint: Endpoint; tree: unknown } {
  const method = pick(['GET', 'GET', 'POST', 'PUT', 'DELETE'])
  const encoding = pick(['json', 'json', 'no-op', 'string'])
  const tree = placed(drawTree(maybe(Number(process.env.ODD ?? 0.3))))
  const answer = () =>
    scripted(
      pick([200, 200, 200, 201, 404, 500]),
      answerHeaders(),
      pick(['{"k":1}', '{"from":"backend"}', '']),
    )
  // A redirect: the answer side's filters read the last hop's URL and headers (Go's res.Request).
  const redirect = () =>
    scripted(pick([301, 302, 307]), {
      Location: pick([
        `${answer()}?q=acme`,
        '/echo?mode=1',
        `http://localhost:${port}${answer()}`,
        '/echo/x#f',
      ]),
    })
  const r = rnd()
  const url_pattern = r < 0.45 ? '/echo' : r < 0.85 ? answer() : redirect()
  const extra: Record<string, unknown> = {
    'modifier/martian': { 'fifo.Group': { modifiers: [PROBE, tree] } },
  }
  // This runtime runs Lua neither on a no-op backend nor beside CEL on one backend.
  const beside = rnd()
  if (beside < 0.1 && encoding !== 'no-op')
    extra['modifier/lua-backend'] = {
      pre: "local r = request.load(); r:headers('X-Lua', 'set')",
      allow_open_libs: false,
    }
  else if (beside < 0.2) extra['validation/cel'] = [{ check_expr: "!('X-Block' in req_headers)" }]
  // How lura reports a status status.Modifier set; an HTTP cache below martian.
  if (maybe(0.2)) extra['backend/http'] = pick([{ return_error_code: true }, { return_error_details: 'be' }])
  if (method === 'GET' && maybe(0.1)) extra['qos/http-cache'] = { shared: maybe(0.5) }
  const backend: Record<string, unknown> = { url_pattern, encoding, extra_config: extra }
  if (maybe(0.15)) backend.method = pick(['GET', 'POST'])
  const out: Endpoint = {
    endpoint: `/e${i}`,
    method,
    output_encoding: encoding === 'json' ? pick(['json', 'json', 'string']) : encoding,
    input_headers: maybe(0.8) ? ['*'] : ['X-Tenant', 'Cookie', 'Range'],
    input_query_strings: maybe(0.8) ? ['*'] : ['q', 'mode'],
    backend: [backend],
  }
  if (maybe(0.2)) out.extra_config = { router: {} }
  return { endpoint: out, tree }
}

const drawn = Array.from({ length: Number(process.env.N ?? 12) }, (_, i) => endpoint(i))

/** This runtime's first error on a tree, or undefined when it runs it. */
export function refusal(tree: unknown): string | undefined {
  let first: string | undefined
  const report = {
    error: (at: Array<string | number>, message: string) => {
      first ??= `${at.join('.')}: ${message}`
    },
    warn: () => {},
  }
  parseMartian({ 'fifo.Group': { modifiers: [PROBE, tree] } }, ['modifier/martian'], report)
  return first
}

export const accepted = drawn.filter((d) => refusal(d.tree) === undefined).map((d) => d.endpoint)
export const refused = drawn
  .map((d) => ({ ...d, error: refusal(d.tree) }))
  .filter((d): d is typeof d & { error: string } => d.error !== undefined)

export const config = {
  version: 3,
  name: 'martiangen',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router: { return_error_msg: true } },
  endpoints: accepted,
}
