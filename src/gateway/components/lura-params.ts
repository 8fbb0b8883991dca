/** lura's request params as CEL, Lua and GraphQL read them. */
import { type GuardContext, presentParams } from './types.ts'

/** lura's params: the first letter upper-cased ("id" -> "Id"); `JWT.claim` params included. */
export function luraParams(params: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(params))
    if (v !== undefined) out[(k[0] ?? '').toUpperCase() + k.slice(1)] = v
  return out
}

/**
 * The params lura's request holds: the route's and claims' (without placeholders of absent claims),
 * title-cased, and those a Lua script set under other names.
 */
export function requestParams(
  ctx: Pick<GuardContext, 'params' | 'absentParams' | 'scriptParams'>,
): Record<string, string> {
  const params = luraParams(presentParams(ctx))
  return ctx.scriptParams ? { ...params, ...ctx.scriptParams } : params
}
