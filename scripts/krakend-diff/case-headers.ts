import type { ClientRequest } from 'node:http'
import type { Case } from './run.ts'

/** The case's headers on an HTTP/1 request, as written (repeats kept); `Host: localhost` unless it has one. */
export function writeCaseHeaders(req: ClientRequest, c: Case): void {
  let host = false
  for (const [name, value] of c.headers ?? []) {
    if (name.toLowerCase() === 'host') host = true
    req.appendHeader(name, value)
  }
  if (!host) req.setHeader('Host', 'localhost')
}
