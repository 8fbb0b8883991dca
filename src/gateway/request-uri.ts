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

/** Targets gin routes on other than req.url: Go's URL.Path (and query) where node-http.ts keeps another form. */
const routedTargets = new WeakMap<object, string>()

/**
 * `target`: the path and query Go's URL holds, escaped as sent. An absolute-form target without a
 * path (`GET http://host?q`, which node-http.ts gives a `/`) and a CONNECT authority (`x:443`, Go's
 * URL.Path empty; `x/a`, its path `/a`) are routed so, never as `/` or as the authority.
 */
export function rememberRoutedTarget(req: object, target: string): void {
  routedTargets.set(req, target)
}

/** The target gin routes on: Go's URL.Path and query, escaped. */
export function routedTarget(req: { url?: string }): string {
  return routedTargets.get(req) ?? req.url ?? '/'
}

const RAW_BYTE = /[\u0080-\uffff]/

/** The userinfo of an absolute-form target, up to the authority's last `@`. */
const TARGET_USERINFO = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?]*)@/

/** The userinfo an absolute-form target (`http://u:p@host/...`) carries, as written; undefined for none. */
export function targetUserinfo(target: string): string | undefined {
  return TARGET_USERINFO.exec(target)?.[1]
}

/** Go's validUserinfo refuses a raw byte past ASCII in an absolute-form target's userinfo (its %XX form passes). */
export const rawByteUserinfo = (target: string): boolean => RAW_BYTE.test(targetUserinfo(target) ?? '')

/**
 * A request target's raw bytes above 0x7F (`/é`, taken by Go's server as they are) written as
 * `%XX` escapes, which Go's URL.Path and url.ParseQuery read as the same bytes: the form the
 * gateway reads targets in. One character per byte (Node's latin1 reading); a character beyond
 * Latin-1 as its UTF-8 bytes. The query's are lower-case: a redirect carries the query on, and
 * Go's http.Redirect writes its raw bytes so (hexEscapeNonASCII).
 */
export function escapeRawBytes(target: string): string {
  if (!RAW_BYTE.test(target)) return target
  const q = target.indexOf('?')
  return q === -1
    ? escapeBytes(target, true)
    : escapeBytes(target.slice(0, q), true) + escapeBytes(target.slice(q), false)
}

function escapeBytes(text: string, upper: boolean): string {
  let out = ''
  for (const c of text) {
    const code = c.charCodeAt(0)
    if (code < 0x80) out += c
    else for (const byte of code <= 0xff ? [code] : Buffer.from(c, 'utf8')) out += `%${hex(byte, upper)}`
  }
  return out
}

const hex = (byte: number, upper: boolean) => (upper ? byte.toString(16).toUpperCase() : byte.toString(16))
