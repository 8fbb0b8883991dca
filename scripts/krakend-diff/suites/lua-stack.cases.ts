// Lua around the other proxy and backend components, in KrakenD's stack order: modifier/lua-proxy
// wraps validation/cel and validation/json-schema (its skip_next runs neither); modifier/lua-backend
// wraps the backend's validation/cel (its req_ checks read the request pre left, its resp_ checks
// the answer before post). Left differing over --h2c: /be/method, a pre that makes a bodiless GET a
// POST (KrakenD sends an empty chunked body, this runtime Content-Length: 0; the same without CEL).
import type { Case } from '../run.ts'

export const cases: Case[] = [
  { path: '/skip/cel' },
  { path: '/skip/cel', method: 'POST' },
  { path: '/skip/schema', method: 'POST', body: '{}' },
  { path: '/skip/schema', method: 'POST', body: '{"name":"x"}' },
  { path: '/skip/both', method: 'POST', body: '[1]' },
  { path: '/noskip/cel' },
  { path: '/noskip/schema', method: 'POST', body: '{}' },
  { path: '/noskip/schema', method: 'POST', body: '{"name":"x"}' },
  { path: '/be/headers' },
  { path: '/be/method' },
  { path: '/be/params/7' },
  { path: '/be/query?z=1' },
  { path: '/be/path' },
  { path: '/be/refused' },
  { path: '/be/post-order' },
  { path: '/be/post-sees-backend' },
  { path: '/be/pre-error' },
  { path: '/be/noop' },
]
