/** lura's request params as CEL, Lua and GraphQL read them. */

/** lura's params: the first letter upper-cased ("id" -> "Id"); `JWT.claim` params included. */
export function luraParams(params: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(params))
    if (v !== undefined) out[(k[0] ?? '').toUpperCase() + k.slice(1)] = v
  return out
}
