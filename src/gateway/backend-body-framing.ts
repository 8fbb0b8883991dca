// How Go's transport frames a request body of unknown size: which empty bodies go out as none,
// and the one-byte probe that goes out as a chunk of its own. No undici here: lua-calls.ts needs
// the same rule without loading the backend client.

import type { StreamedBody } from './request-stream.ts'

/**
 * Go's transport on a body of unknown size (lura never gives it a length unless Content-Length is
 * forwarded) that turns out empty: methods that usually lack a body (its
 * requestMethodUsuallyLacksBody: GET, HEAD, DELETE, OPTIONS, PROPFIND, SEARCH) probe it, find
 * EOF and send nothing; any other method announces `Transfer-Encoding: chunked` and sends the
 * last chunk alone. CONNECT gets no framing at all.
 */
export function chunksEmptyBody(method: string): boolean {
  switch (method) {
    case 'GET':
    case 'HEAD':
    case 'DELETE':
    case 'OPTIONS':
    case 'PROPFIND':
    case 'SEARCH':
    case 'CONNECT':
      return false
    default:
      return true
  }
}

/**
 * The chunks Go's transport writes for a body of unknown size: for a method that usually lacks a
 * body (see chunksEmptyBody) it first probes the body with a one-byte read, which goes out as a
 * chunk of its own before the rest.
 */
export function chunksOf(body: Buffer, method: string): Buffer[] {
  return body.length > 1 && !chunksEmptyBody(method) && method !== 'CONNECT'
    ? [body.subarray(0, 1), body.subarray(1)]
    : [body]
}

/** chunksOf for a streamed body: its first byte alone first, where Go's transport probes. */
export function probed(body: StreamedBody, method: string): AsyncIterable<Buffer> {
  if (chunksEmptyBody(method) || method === 'CONNECT') return body
  return (async function* () {
    let first = true
    for await (const chunk of body) {
      if (first && chunk.length > 1) {
        first = false
        yield chunk.subarray(0, 1)
        yield chunk.subarray(1)
      } else {
        first = false
        yield chunk
      }
    }
  })()
}
