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
