// Go's Expect handling on HTTP/1.1 (its expectContinueReader and the server's 417): node:http
// answers Expect itself (100 Continue at once, 417 for an empty value, HTTP/1.1 only); the gateway's
// server hands every request over and answers Expect here, with Go's other checks (node-http.ts).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { firstLine } from './components/types.ts'

/**
 * Requests that asked for 100 Continue and have a body: the answer to write it on, and whether
 * the connection is kept once the body is read.
 */
const awaitingContinue = new WeakMap<object, { res: ServerResponse; keepAlive: boolean }>()

/**
 * Go's expectContinueReader: the first read of the body sends `100 Continue`; a body read to the
 * end keeps the connection (an unread one closes it, as Go does).
 */
export function continueBody(req: object): void {
  const awaiting = awaitingContinue.get(req)
  if (awaiting === undefined) return
  awaitingContinue.delete(req)
  const { res, keepAlive } = awaiting
  res.writeContinue()
  ;(req as IncomingMessage).once('end', () => {
    if (res.headersSent || !keepAlive) return
    // The connection is kept, with no Connection header (see node-http.ts, answeredAsGo).
    res.shouldKeepAlive = true
    res.removeHeader('connection')
  })
}

/** Go's hasToken(expect, "100-continue"): case-insensitive, bounded by space, tab or comma. */
export const CONTINUE_TOKEN = /(?:^|[ \t,])100-continue(?:$|[ \t,])/i

/** Whether the request declares a body (Transfer-Encoding, or a Content-Length above 0). */
export const hasBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0')

/**
 * Go's Expect handling, on the first Expect line (Header.get) whatever the version: `100-continue`
 * on an HTTP/1.1 request with a body sends 100 Continue when the body is first read; any other
 * value but an empty one is answered 417 (node:http answers an empty one 417 and reads Expect on
 * HTTP/1.1 only). True when answered.
 */
export function failedExpectation(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.headers.expect === undefined) return false
  const expect = firstLine(req, 'expect') ?? ''
  if (CONTINUE_TOKEN.test(expect)) {
    // Until the body is read, the answer closes the connection (node:http writes `Connection: close` last, as Go).
    if (req.httpVersionMinor >= 1 && hasBody(req)) {
      awaitingContinue.set(req, { res, keepAlive: res.shouldKeepAlive })
      res.shouldKeepAlive = false
    } else {
      // Go expects nothing of a request without a body; node:http would close the connection after
      // an answer sent without 100 Continue.
      ;(res as ServerResponse & { _expect_continue: boolean })._expect_continue = false
    }
    return false
  }
  if (expect === '') return false
  // Go's server writes no Content-Length on an empty answer to HEAD.
  res.writeHead(
    417,
    req.method === 'HEAD' ? { Connection: 'close' } : { Connection: 'close', 'Content-Length': '0' },
  )
  res.end()
  return true
}
