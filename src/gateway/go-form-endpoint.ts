// Which endpoints may keep a backend body already in Go's encoding as its text (go-json-text.ts):
// those where nothing reads an answer's data between the backend's JSON decoder and the JSON renderer.
import type { CompiledEndpoint } from './compiled-endpoint.ts'
import type { EndpointConfig } from './config/types.ts'

/**
 * Whether nothing reads an answer's data between the backend's JSON decoder and the endpoint's JSON
 * renderer (lura's merge apart): no formatter, component, sequential step, static data or flatmap.
 * Such an endpoint may keep a body that is already in Go's encoding as its text.
 */
export function keepsGoFormText(ep: CompiledEndpoint): boolean {
  const { cfg } = ep
  return (
    cfg.outputEncoding === 'json' &&
    !cfg.noop &&
    !cfg.sequential &&
    cfg.propagated === undefined &&
    ep.static === undefined &&
    ep.flatmap === undefined &&
    ep.respond === undefined &&
    ep.guard?.after === undefined &&
    ep.guard?.lua === undefined &&
    !runsLuaPost(cfg) &&
    ep.backends.every(
      (b) =>
        b.cfg.encoding === 'json' &&
        !b.cfg.isCollection &&
        b.format === undefined &&
        !b.discards &&
        b.guard?.checkResponse === undefined &&
        b.lua === undefined &&
        b.instead === undefined &&
        b.graphql === undefined,
    )
  )
}

/** A Lua `post` (modifier/lua-proxy or a backend's modifier/lua-backend) may set any number. */
export const runsLuaPost = (cfg: EndpointConfig): boolean =>
  (cfg.components?.luaProxy?.post ?? '') !== '' ||
  cfg.backends.some((b) => (b.components?.luaBackend?.post ?? '') !== '')
