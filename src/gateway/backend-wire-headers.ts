// The header lines of a backend hop as Go's Request.write puts them on the wire.

import type { BackendRequest, HopRequest } from './backend-client.ts'
import { goRequestHeaders } from './go-http.ts'
import { firstValue, type HeaderValues } from './request-headers.ts'

/** The header lines of a hop in Go's order, with the transport's `Accept-Encoding: gzip` where it adds one. */
export function wireHeaders(hop: HopRequest, req: BackendRequest): Array<string | string[]> {
  const lines = goRequestHeaders(
    oneUserAgent(hop.method === 'HEAD' ? noTransportGzip(hop.headers) : hop.headers),
  )
  if (req.transportGzip && transportAsksGzip(hop)) lines.push('Accept-Encoding', 'gzip')
  return lines
}

/**
 * A forwarded Accept-Encoding whose first value is empty: Go's transport still asks for gzip
 * (Header.Get finds none) and writes its line after the request's own, unless a Range is set
 * or the method is HEAD. (Without any Accept-Encoding, request-headers.ts has added it already.)
 */
function transportAsksGzip(hop: HopRequest): boolean {
  const encoding = hop.headers['accept-encoding']
  if (encoding === undefined || encoding === 'gzip' || hop.method === 'HEAD') return false
  return firstValue(encoding) === '' && firstValue(hop.headers.range) === ''
}

/**
 * Go's Request.write sends one User-Agent line, the first value (Header.Get), and none at all when
 * that is empty: a client's forwarded `User-Agent:` (empty) or repeated lines.
 */
function oneUserAgent(headers: HeaderValues): HeaderValues {
  const agent = headers['user-agent']
  if (agent === undefined || (typeof agent === 'string' && agent !== '')) return headers
  const first = Array.isArray(agent) ? agent[0] : agent
  const out = { ...headers }
  if (first === undefined || first === '') delete out['user-agent']
  else out['user-agent'] = first
  return out
}

/** Go's transport asks for gzip on no HEAD request: the transport's own line (a plain `gzip`) goes. */
function noTransportGzip(headers: HeaderValues): HeaderValues {
  if (headers['accept-encoding'] !== 'gzip') return headers
  const out = { ...headers }
  delete out['accept-encoding']
  return out
}
