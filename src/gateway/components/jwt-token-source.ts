/** Where krakend-jose finds the token: its header extractor, else its cookie extractor. */
import { requestCookie } from '../go-cookie.ts'
import { stripWhitespace } from './go-jose.ts'
import type { JwtConfig } from './jwt.ts'
import { firstLine, type IncomingLike } from './types.ts'

/** Go's Request.Cookie over the request's Cookie lines (Node joined them with "; "). */
function cookieOf(req: IncomingLike, name: string): string | undefined {
  const cookies = req.headers.cookie
  return cookies ? requestCookie(Array.isArray(cookies) ? cookies.join('; ') : cookies, name) : undefined
}

/** krakend-jose's extractors: the header (optional "Bearer "), else the cookie; go-jose drops whitespace. */
export function extractToken(req: IncomingLike, cfg: JwtConfig): string | undefined {
  let raw =
    (OUT_OF_HEADER_MAP.has(cfg.headerName)
      ? goServerHeader(req, cfg.headerName)
      : firstLine(req, cfg.headerName)) ?? ''
  if (raw.length > 7 && raw.slice(0, 7).toUpperCase() === 'BEARER ') raw = raw.slice(7)
  const found = raw !== '' ? raw : cookieOf(req, cfg.cookieKey)
  return found === undefined ? undefined : stripWhitespace(found)
}

/** Lines Go's HTTP/1 server keeps out of Request.Header (Host becomes Request.Host). */
const OUT_OF_HEADER_MAP = new Set(['host', 'transfer-encoding'])

/** Header.Get of those: never over HTTP/1; over h2c a `host` field the client sent stays. */
const goServerHeader = (req: IncomingLike, name: string) =>
  name === 'host' && req.httpVersionMajor === 2 ? firstLine(req, name) : undefined
