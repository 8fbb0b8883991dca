// Service-level modifier/lua-endpoint reading and setting the request body (krakend-lua's
// ctx:body(): io.ReadAll, then a new reader of what it read or was given), before gin routes:
// what the backends get (body, its framing, a forwarded Content-Length that no longer matches), an
// endpoint-level script reading it after, a script error, and the body sent on by a script's own
// HTTP call. Also a script that returns before touching it, and one that sets it without reading.
import type { Case } from '../run.ts'

const post = (path: string, body: string, headers: Array<[string, string]> = []): Case => ({
  method: 'POST',
  path,
  body,
  headers: [['Content-Type', 'text/plain'], ...headers],
})

export const cases: Case[] = [
  post('/s/plain', 'hello'),
  post('/s/replace', 'hello'),
  post('/s/side', 'hello'),
  post('/s/untouched', 'hello'),
  post('/s/set-only', 'hello'),
  post('/s/deny', 'hello'),
  post('/s/empty', ''),
  { path: '/g/get' },
  { path: '/g/replace' },
  post('/cl/plain', 'hello'),
  post('/cl/replace', 'hello'),
  post('/cl/set-only', 'hello'),
  post('/ep/plain', 'hello'),
  post('/ep/replace', 'hello'),
  post('/nothing', 'hello'),
]
