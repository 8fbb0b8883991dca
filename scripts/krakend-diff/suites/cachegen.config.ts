// Seeded qos/http-cache configs (SEED=, N= endpoints; cachegen.plan.ts): per backend `shared` true,
// false or of another type, LRU bounds, several backends, input_headers none / some / '*',
// input_query_strings, backend methods, json / no-op / string encodings, collections, and a martian
// or Lua modifier setting a header the backend may name in Vary. The recording backend's answers
// change from call to call (cachegen.cases.ts scripts them).
import { type BackendPlan, plan } from './cachegen.plan.ts'

function extra(b: BackendPlan): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {}
  if (b.cache !== undefined) out['qos/http-cache'] = b.cache
  if (b.modifier === 'martian')
    out['modifier/martian'] = { 'header.Modifier': { scope: ['request'], name: 'X-M', value: 'm' } }
  if (b.modifier === 'lua')
    out['modifier/lua-backend'] = { pre: "local r = request.load(); r:headers('X-Lua', 'l')" }
  return Object.keys(out).length > 0 ? out : undefined
}

export const config = {
  version: 3,
  name: 'cachegen',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router: { disable_access_log: true } },
  endpoints: plan.map((e) => {
    const noop = e.backends[0]?.encoding === 'no-op'
    return {
      endpoint: e.path,
      method: e.method,
      ...(noop ? { output_encoding: 'no-op' } : {}),
      ...(e.inputHeaders ? { input_headers: e.inputHeaders } : {}),
      ...(e.inputQuery ? { input_query_strings: e.inputQuery } : {}),
      backend: e.backends.map((b, j) => {
        const extraConfig = extra(b)
        return {
          url_pattern: `/cgb/${b.sid}`,
          method: b.method,
          encoding: b.encoding,
          ...(b.collection ? { is_collection: true } : {}),
          ...(e.backends.length > 1 ? { group: `g${j}` } : {}),
          ...(extraConfig ? { extra_config: extraConfig } : {}),
        }
      }),
    }
  }),
}
