// An agent's compiled backends (its own compiled endpoint's) as lura runs them for an agent's
// message, where they differ from an endpoint's: no placeholder of their url_patterns is filled,
// and lura's header map has no User-Agent: Go's client adds its own on the HTTP wire only, so what
// reads the map (a backend's Lua script, martian modifiers and CEL checks, an AMQP producer's
// message headers, a Lambda or pub/sub backend), the main backends' and the shadows' alike, does
// not see the one this runtime carries in the headers it sends.

import type { BackendCalls } from '../backend-calls.ts'
import type { CompiledBackend, CompiledEndpoint } from '../compiled-endpoint.ts'
import { GO_USER_AGENT } from '../go-http.ts'
import type { HeaderValues } from '../request-headers.ts'

/** Adapts `ep`'s backends to an agent (in place); the names of their placeholders, sent as written. */
export function agentBackends(ep: CompiledEndpoint): Set<string> {
  const placeholders = new Set<string>()
  for (const b of [...ep.backends, ...(ep.shadows ?? [])]) {
    // {respN_...} too: lura's sequential proxy fills only the placeholders it rewrote for an endpoint
    b.parts = b.parts.map((part) => (typeof part === 'string' ? part : { param: part.param }))
    b.keepsEncodedSlash = false
    for (const part of b.parts) if (typeof part !== 'string') placeholders.add(part.param)
    // validation/cel's req_ checks (before any Lua script) read the map
    const guard = b.guard
    if (guard) b.guard = { ...guard, before: (ctx, ...rest) => guard.before(withoutGoAgent(ctx), ...rest) }
  }
  return placeholders
}

/**
 * `callBackend` for an agent: a backend that is not HTTP, or whose Lua script or martian modifiers
 * read the map first (the call adds Go's User-Agent after them, as Go's client does), gets no
 * User-Agent the pipe added.
 */
export function agentCallBackend(callBackend: BackendCalls['callBackend']): BackendCalls['callBackend'] {
  return (ep, b, ctx) => callBackend(ep, b, readsHeaderMap(b) ? withoutGoAgent(ctx) : ctx)
}

/**
 * `callShadows` for an agent's `ep`: lura's shadow proxy calls each shadow with the backend factory's
 * proxy, so a shadow that is not HTTP or has a Lua script reads lura's header map, as agentCallBackend
 * gives the main backends; HTTP shadows keep Go's User-Agent on the wire.
 */
export function agentCallShadows(
  ep: CompiledEndpoint,
  callShadows: BackendCalls['callShadows'],
): BackendCalls['callShadows'] {
  const shadows = ep.shadows ?? []
  const mapReaders = shadows.filter(readsHeaderMap)
  if (mapReaders.length === 0) return callShadows
  const others = shadows.filter((b) => !readsHeaderMap(b))
  const onTheWire = others.length > 0 ? { ...ep, shadows: others } : undefined
  const onTheMap = { ...ep, shadows: mapReaders }
  return (_ep, ctx) => {
    if (onTheWire) callShadows(onTheWire, ctx)
    callShadows(onTheMap, withoutGoAgent(ctx))
  }
}

/**
 * A backend whose components see lura's header map before Go's client adds its User-Agent: not HTTP,
 * or with a Lua script or martian modifiers (on Go's request, before the transport writes it).
 */
const readsHeaderMap = (b: CompiledBackend) =>
  b.instead !== undefined || b.lua !== undefined || b.guard?.modify !== undefined

/**
 * The context without the User-Agent the pipe added (Go's own value: one a script set to it is taken
 * for the client's).
 */
function withoutGoAgent<T extends { headers: HeaderValues }>(ctx: T): T {
  if (ctx.headers['user-agent'] !== GO_USER_AGENT) return ctx
  const { 'user-agent': _, ...headers } = ctx.headers
  return { ...ctx, headers }
}
