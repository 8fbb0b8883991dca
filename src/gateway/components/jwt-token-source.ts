/** Where krakend-jose finds the token: its header extractor, else its cookie extractor. */
import { requestCookie } from '../go-cookie.ts'
import { stripWhitespace } from './go-jose.ts'
import type { JwtConfig } from './jwt.ts'
import { goHeaderGet, type IncomingLike } from './types.ts'

/** Go's Request.Cookie over the request's Cookie lines (Node joined them with "; "). */
function cookieOf(req: IncomingLike, name: string): string | undefined {
  const cookies = req.headers.cookie
  return cookies ? requestCookie(Array.isArray(cookies) ? cookies.join('; ') : cookies, name) : undefined
}

/** krakend-jose's extractors: the header (optional "Bearer "), else the cookie; go-jose drops whitespace. */
export function extractToken(req: IncomingLike, cfg: JwtConfig): string | undefined {
  let raw = goHeaderGet(req, cfg.headerName) ?? ''
  if (raw.length > 7 && raw.slice(0, 7).toUpperCase() === 'BEARER ') raw = raw.slice(7)
  const found = raw !== '' ? raw : cookieOf(req, cfg.cookieKey)
  return found === undefined ? undefined : stripWhitespace(found)
}
