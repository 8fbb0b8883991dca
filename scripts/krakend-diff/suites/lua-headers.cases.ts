// Header names and values a Lua script sets on the answer (post) and on the backend request (pre):
// what Go's server and client write, leave out or refuse. KrakenD writes a raw control character in
// an HTTP/1.1 answer header (a head clients refuse) where this runtime leaves the value out; no
// such case is here.
import type { Case } from '../run.ts'

export const cases: Case[] = [
  '/post/name-space',
  '/post/name-tab',
  '/post/name-paren',
  '/post/name-colon',
  '/post/name-utf8',
  '/post/name-empty',
  '/post/name-odd-token',
  '/post/value-newlines',
  '/post/value-spaces',
  '/post/value-utf8',
  '/post/value-latin1',
  '/pre/name-space',
  '/pre/value-newline',
  '/pre/value-control',
  '/pre/value-utf8',
  '/pre/name-empty',
  '/pre/value-spaces',
].map((path) => ({ path }))
