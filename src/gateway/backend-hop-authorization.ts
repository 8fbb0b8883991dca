// auth/client-credentials on the backend client's path: x/oauth2's Transport, which sits below Go's
// client and qos/http-cache, asks for a token on every hop of a call.
import { BackendCallError } from './backend-call-error.ts'
import type { Send } from './backend-client.ts'

/** The Authorization header value for a hop, or why no token could be had (x/oauth2's words). */
export type HopAuthorization = { authorization: string } | { failed: string }

/**
 * x/oauth2's Transport round trip: a token asked for (fetched when needed) and set on the request,
 * or the call fails naming the URL (`named`: Go's url.Error prefix). Deviation: a redirect hop that
 * left the first host (Go's client stripped Authorization) gets no token; KrakenD's does.
 */
export function authorizing<T>(
  authorize: () => Promise<HopAuthorization>,
  next: Send<T>,
  named: () => string,
): Send<T> {
  let first = true
  return async (hop, req) => {
    const token = await authorize()
    if ('failed' in token) throw new BackendCallError(`${named()}: ${token.failed}`)
    const { authorization } = token
    if (first) {
      // Copies: the header maps may be the endpoint request's. Redirect hops copy req.headers.
      hop.headers = { ...hop.headers, authorization }
      req.headers = { ...req.headers, authorization }
      first = false
    } else if (hop.headers.authorization !== undefined) hop.headers.authorization = authorization
    return next(hop, req)
  }
}
