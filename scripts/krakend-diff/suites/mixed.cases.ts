// Random requests (seeded: SEED=, N= how many) over mixed.config.ts's endpoints.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'
import { config } from './mixed.config.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 11) * 104729 + 3)
const PARAMS = ['1', 'abc', 'a%20b', 'caf%C3%A9', 'x%2Fy']
const QS = ['', '?a=1', '?a=1&b=2&c=3', '?p=q&a=%20', '?b=x&b=y']
const HEADERS: Array<[string, string]> = [
  ['X-A', 'v1'],
  ['Content-Type', 'application/json'],
  ['Accept', 'application/xml'],
  ['Accept', 'text/plain'],
  ['Accept', 'application/x-yaml'],
  ['Accept', 'application/json'],
  ['Accept', '*/*'],
  ['Cookie', 'a=1'],
]
// EXTRA=1 (as in mixed.config.ts): more request shapes, from a stream of their own.
const extraDraws = process.env.EXTRA === '1'
const extra = seededRandom(Number(process.env.SEED ?? 11) * 104729 + 7)
const EXTRA_HEADERS: Array<[string, string]> = [
  ['Accept', 'application/xml;q=0.1, application/json'],
  ['Accept', 'text/*'],
  ['Accept', 'application/*;q=0.5'],
  ['Accept', 'image/png'],
  ['Accept', 'APPLICATION/JSON'],
  ['Accept', 'application/x-yaml, application/xml'],
  ['accept', ''],
  ['x-a', 'V1'],
  ['X-B', 'b'],
  ['If-None-Match', '"x"'],
  ['Accept-Encoding', 'gzip'],
  ['Range', 'bytes=0-3'],
]
const EXTRA_QS = ['?A=1&p=2', '?p=1&p=2', '?a=%zz', '?a=1;b=2', '?%70=x']
// Bodies a client may send, on any method (a GET with a body included): form, UTF-8, past 64 KiB.
const EXTRA_BODIES: Array<[string, string]> = [
  ['application/x-www-form-urlencoded', 'a=1&b=%C3%A9&a=2'],
  ['application/json', '{"é":"ü","n":1.50}'],
  ['application/json', `{"big":"${'x'.repeat(70_000)}"}`],
  ['text/plain', ''],
  ['application/octet-stream', '\u0000\u00ff'],
]
const withExtras = (c: Case): Case => {
  if (!extraDraws) return c
  const headers = [...(c.headers ?? [])]
  if (extra.next() < 0.6) headers.push(extra.pick(EXTRA_HEADERS))
  if (extra.next() < 0.3) headers.push(extra.pick(EXTRA_HEADERS))
  const path = extra.next() < 0.3 ? c.path.replace(/\?.*$/, '') + extra.pick(EXTRA_QS) : c.path
  const method = extra.next() < 0.1 ? extra.pick(['HEAD', 'OPTIONS', 'get']) : c.method
  if (extra.next() < 0.2) {
    const [type, body] = extra.pick(EXTRA_BODIES)
    return { ...c, method, path, headers: [...headers, ['Content-Type', type]], body }
  }
  return { ...c, method, path, headers }
}
const drawn: Case[] = Array.from({ length: Number(process.env.N ?? 120) }, () => {
  const ep = pick(config.endpoints) as { endpoint: string; method?: string }
  const path = ep.endpoint.replace('{p}', () => pick(PARAMS)) + pick(QS)
  const method = rnd() < 0.9 ? (ep.method ?? 'GET') : pick(['GET', 'POST', 'HEAD'])
  const headers: Array<[string, string]> = []
  const n = Math.floor(rnd() * 3)
  for (let i = 0; i < n; i++) headers.push(pick(HEADERS))
  const body =
    method === 'POST' || method === 'PUT' || method === 'PATCH' ? pick(['', '{"a":1}', 'plain']) : undefined
  return { method, path, headers, ...(body !== undefined ? { body } : {}) }
})
export const cases: Case[] = drawn.map(withExtras)
