/**
 * A backend's share of an endpoint request, as lura builds it before any backend middleware runs:
 * the url_pattern filled in, what Go's url.Parse refuses in the URL that makes (the call fails
 * there), the backend's own input_headers / input_query_strings, and backend/graphql's rewrite.
 */
import type { CompiledBackend, Context } from './compiled-endpoint.ts'
import { goQuote } from './go-quote.ts'
import { luraPlaceholder } from './url-pattern.ts'

/** lura's GeneratePath: the url_pattern with the parameters filled in (its own query included). */
export function generatedPath(b: CompiledBackend, ctx: Context): string {
  let path = b.plainPath
  if (path === undefined) {
    path = ''
    for (const part of b.parts)
      path += typeof part === 'string' ? part : (ctx.params[part.param] ?? luraPlaceholder(part.param))
  }
  return path
}

/**
 * Whether a parameter filled into the url_pattern may make a URL Go's url.Parse refuses: a control
 * character (ASCII below space, DEL), or a `%` (only router.disable_path_decoding lets one through:
 * `%25` is the parameter `%`). The pattern's own text cannot hold a control character: the config
 * check refuses it.
 */
function paramMayBreakUrl(b: CompiledBackend, ctx: Context): boolean {
  for (const part of b.parts) {
    if (typeof part === 'string') continue
    const value = ctx.params[part.param] ?? ''
    if (value.includes('%') || hasControlCharacter(value)) return true
  }
  return false
}

/**
 * Go's url.Parse error for a URL, in its words, or undefined when it parses. It cuts the fragment
 * off first: a control character or a bad escape in the rest names the URL without it; the
 * fragment is then unescaped (a bad escape there names the whole URL). The query is not unescaped.
 */
function urlParseError(url: string): string | undefined {
  const hash = url.indexOf('#')
  const main = hash === -1 ? url : url.slice(0, hash)
  if (hasControlCharacter(main)) return `parse ${goQuote(main)}: net/url: invalid control character in URL`
  const q = main.indexOf('?')
  const inPath = badEscape(q === -1 ? main : main.slice(0, q))
  if (inPath !== undefined) return `parse ${goQuote(main)}: invalid URL escape ${goQuote(inPath)}`
  const inFragment = hash === -1 ? undefined : badEscape(url.slice(hash + 1))
  if (inFragment !== undefined) return `parse ${goQuote(url)}: invalid URL escape ${goQuote(inFragment)}`
  return undefined
}

/** The first `%` not followed by two hex digits, as Go's EscapeError shows it (up to 3 characters). */
function badEscape(text: string): string | undefined {
  const at = text.search(/%(?![0-9A-Fa-f]{2})/)
  return at === -1 ? undefined : text.slice(at, at + 3)
}

/** ASCII below space, or DEL: what Go's url.Parse refuses anywhere in a URL. */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}

/**
 * This backend's share of the request: its own input_headers / input_query_strings, then
 * backend/graphql's method and body (lura's GraphQL middleware), or that middleware's error.
 */
export function backendContext(b: CompiledBackend, endpointCtx: Context): Context | string {
  // lura's balancer: an `sd: "dns"` backend whose lookup found no instance (sd.ErrNoHosts); an
  // AMQP backend has its broker instead (its URL, with its password, is left out of errors here)
  if (b.pools.length === 0 && !b.cfg.amqp && !b.cfg.pubsub) return 'no hosts available'
  // lura's balancer parses host + path before any backend middleware runs: what url.Parse refuses
  // (a parameter holding a control character, a bad `%` escape in the url_pattern or a parameter
  // put in its path) fails the call there, and no backend sees it.
  const suspect = b.plainPath === undefined && paramMayBreakUrl(b, endpointCtx)
  if (suspect || b.cfg.urlPattern.includes('%')) {
    const refused = urlParseError(
      (b.origins[b.next] ?? '') + (b.bases[b.next] ?? '') + generatedPath(b, endpointCtx),
    )
    if (refused !== undefined) return refused
  }
  const ctx = b.narrow ? b.narrow(endpointCtx) : endpointCtx
  if (!b.graphql) return ctx
  const graphql = b.graphql(ctx.params, ctx.body)
  if (typeof graphql === 'string') return graphql
  return {
    ...ctx,
    headers: { ...ctx.headers, 'content-type': 'application/json' },
    body: graphql.body,
    bodySized: true,
  }
}
