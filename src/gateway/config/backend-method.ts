// The method lura's backend call hands Go's client: http.NewRequest(strings.ToTitle(method), ...).
// Go sends any token (OPTIONS, TRACE, PURGE...) and fails each call on anything else.

import type { KeyPath } from '../../core/source-text.ts'
import { goToTitle } from '../go-unicode-case.ts'
import { HTTP_TOKEN } from '../http-token.ts'
import type { ProblemAt } from './field-reader.ts'

/** Whether Go's http.NewRequest takes this (title-cased) method. */
// Go's validMethod: a non-empty token.
export const isGoMethod = (method: string): boolean => HTTP_TOKEN.test(method)

/**
 * The method a backend call goes out with, or undefined after reporting why it cannot: a method Go's
 * client refuses fails every call in KrakenD (500, `net/http: invalid method`); CONNECT's body
 * would go out unframed, which Node's client does not do.
 */
export function backendWireMethod(
  written: string,
  at: KeyPath,
  what: string,
  error: ProblemAt,
): string | undefined {
  const method = goToTitle(written)
  if (!HTTP_TOKEN.test(method)) {
    error(
      at,
      `${what}: method ${JSON.stringify(written)} is not an HTTP token: KrakenD starts but fails every call to this backend with 500 (net/http: invalid method ${JSON.stringify(method)})`,
      'write the method the backend expects (letters, digits and !#$%&\'*+-.^_`|~ only, e.g. "GET" or "PURGE")',
    )
    return undefined
  }
  if (method === 'CONNECT') {
    error(
      at,
      `${what}: method "CONNECT" is not supported: KrakenD sends CONNECT with the request body unframed (no Content-Length, no chunks), which this runtime does not reproduce`,
      'use another method for this backend',
    )
    return undefined
  }
  return method
}
