/**
 * The request target as the client sent it (Go's RequestURI), kept when node-http.ts rewrites an
 * absolute-form target to its path. Its own module: components read it, and a cluster primary
 * loading their config parsers must not load the request path with it.
 */
const requestUris = new WeakMap<object, string>()

export function rememberRequestUri(req: object, uri: string): void {
  requestUris.set(req, uri)
}

export function requestUri(req: { url?: string }): string {
  return requestUris.get(req) ?? req.url ?? '/'
}

const RAW_BYTE = /[\u0080-\uffff]/

/**
 * A request target's raw bytes above 0x7F (`/é`, taken by Go's server as they are) written as
 * `%XX` escapes, which Go's URL.Path and url.ParseQuery read as the same bytes: the form the
 * gateway reads targets in. One character per byte (Node's latin1 reading); a character beyond
 * Latin-1 as its UTF-8 bytes.
 */
export function escapeRawBytes(target: string): string {
  if (!RAW_BYTE.test(target)) return target
  let out = ''
  for (const c of target) {
    const code = c.charCodeAt(0)
    if (code < 0x80) out += c
    else if (code <= 0xff) out += `%${code.toString(16).toUpperCase()}`
    else for (const byte of Buffer.from(c, 'utf8')) out += `%${byte.toString(16).toUpperCase()}`
  }
  return out
}
