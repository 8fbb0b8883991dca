// Go's HTTP/2 server (x/net/http2 processTrailerHeaders) resets with PROTOCOL_ERROR the stream of a
// request that declared a Trailer header (a name other than Transfer-Encoding, Trailer and
// Content-Length, an empty one included) when its trailers hold a field httpguts.ValidTrailerHeader
// refuses there: framing, authentication, routing and content headers (`content-length`,
// `authorization`, `host`...), and any `If-*`. The backend gets no complete request. nghttp2 lets
// them through: the gateway served such a request (crash4, session 54).
import { FRAMING_TRAILER } from './go-request-checks.ts'
import type { H2Request } from './h2-exchange.ts'

/** httpguts' badTrailer, lower case (node:http2's field names). */
const NOT_IN_TRAILERS = new Set([
  'authorization',
  'cache-control',
  'connection',
  'content-encoding',
  'content-length',
  'content-range',
  'content-type',
  'expect',
  'host',
  'keep-alive',
  'max-forwards',
  'pragma',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'range',
  'realm',
  'te',
  'trailer',
  'transfer-encoding',
  'www-authenticate',
])

/** Resets `req`'s stream, before its body ends, when its trailers hold a field Go refuses there. */
export function refuseBadTrailers(req: H2Request): void {
  if (!declaresTrailer(req.headers.trailer)) return
  req.stream.once('trailers', (trailers: Record<string, unknown>) => {
    for (const name of Object.keys(trailers))
      if (name.startsWith('if-') || NOT_IN_TRAILERS.has(name)) {
        req.stream.close(NGHTTP2_PROTOCOL_ERROR)
        return
      }
  })
}

function declaresTrailer(value: string | string[] | undefined): boolean {
  if (value === undefined) return false
  // Go skips the framing names as bogus (as over HTTP/1.1); any other, an empty one too, declares.
  for (const line of Array.isArray(value) ? value : [value])
    for (const name of line.split(',')) if (!FRAMING_TRAILER.test(name)) return true
  return false
}

const NGHTTP2_PROTOCOL_ERROR = 1
