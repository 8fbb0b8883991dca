/**
 * A backend host as lura writes it into the URL (case, an explicit default port, a base path with
 * disable_host_sanitize) and what Go's transport sends from it: the Host header and a proxy's
 * absolute URI carry the authority as written, where undici would send the WHATWG-normalised one.
 */

import { punycodeHostPort } from './backend-redirects.ts'

/** `HTTP://Svc:80/base` -> origin `http://Svc:80` (Go lower-cases only the scheme) and base path `/base`. */
export function splitBackendHost(host: string): { origin: string; base: string } {
  const at = host.indexOf('://')
  const rest = host.slice(at + 3)
  const slash = rest.indexOf('/')
  const authority = slash === -1 ? rest : rest.slice(0, slash)
  return {
    origin: `${host.slice(0, at).toLowerCase()}://${authority}`,
    base: slash === -1 ? '' : rest.slice(slash),
  }
}

const differing = new Map<string, string | undefined>()

/**
 * The Host header Go sends to `origin` when undici would write another one (its URL parser
 * lower-cases the name and drops a default port), else undefined.
 */
export function hostHeaderFor(origin: string): string | undefined {
  if (differing.has(origin)) return differing.get(origin)
  const authority = origin.slice(origin.indexOf('://') + 3)
  // Go writes a non-ASCII label in punycode (httpguts.PunycodeHostPort), which reads wire bytes.
  const written = /[\u0080-\uffff]/.test(authority)
    ? punycodeHostPort(Buffer.from(authority, 'utf8').toString('latin1'))
    : authority
  let normalised: string | undefined
  try {
    normalised = new URL(origin).host
  } catch {
    normalised = undefined
  }
  const header = normalised === undefined || normalised === written ? undefined : written
  if (differing.size < 1024) differing.set(origin, header)
  return header
}
