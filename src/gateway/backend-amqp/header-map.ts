// lura's request header map as krakend-amqp copies it into a message's headers: every key in Go's
// canonical form (lura's config canonicalises input_headers; `*` copies Go's server header map,
// already canonical), each value a list. The `gzip` Go's HTTP transport would ask for is no part
// of it (request-headers.ts marks it as a plain string; a client's own is a list).

import { canonicalHeaderKey } from '../go-url.ts'
import type { HeaderValues } from '../request-headers.ts'

/** The message headers of a request's (lower-cased) header values. */
export function luraHeaderMap(headers: HeaderValues): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'accept-encoding' && value === 'gzip') continue
    out[canonicalHeaderKey(name)] = Array.isArray(value) ? [...value] : [value]
  }
  return out
}
