// Random requests over core.json's endpoints (seeded: SEED=, N= how many).
import { readFileSync } from 'node:fs'
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 7))
const cfg = JSON.parse(readFileSync(new URL('core.json', import.meta.url), 'utf8'))
const endpoints: Array<{ endpoint: string; method?: string }> = cfg.endpoints
const PARAMS = [
  '1',
  'abc',
  'a%20b',
  'x%2Fy',
  '%40',
  'caf%C3%A9',
  '..',
  'A',
  'a.b',
  'a;b',
  'a,b',
  '%25',
  'Z%5A',
  '-',
  '_',
  '~x',
  "a'b",
  'a(b)',
  'a*b',
  'a!b',
  'a$b',
  'a&b',
  'a=b',
  'a+b',
]
const QS = [
  '',
  '?a=1',
  '?a=1&a=2',
  '?b=',
  '?q=x&arr[]=1&arr[]=2',
  '?a%20b=c',
  '?a=%zz',
  '?=x',
  '?a',
  '?a=1;b=2',
  '?z=%2B&a=+',
  '?x=%E2%82%AC',
  '?&&a=1&&',
]
const HEADERS: Array<[string, string]> = [
  ['X-A', 'v1'],
  ['Content-Type', 'application/json'],
  ['Accept', 'application/xml'],
  ['Accept', 'text/plain'],
  ['Accept', '*/*'],
  ['Cookie', 'a=1'],
  ['Authorization', 'Bearer t'],
  ['X-Forwarded-For', '10.0.0.1, 10.0.0.2'],
  ['X-Real-Ip', '10.1.1.1'],
  ['User-Agent', 'curl/8'],
  ['Accept-Encoding', 'gzip'],
  ['X-A', 'v2'],
  ['Range', 'bytes=0-10'],
  ['If-None-Match', '"x"'],
]
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']
export const cases: Case[] = Array.from({ length: Number(process.env.N ?? 200) }, () => {
  const ep = pick(endpoints)
  let path = ep.endpoint.replace(/\{[^}]+\}/g, () => pick(PARAMS))
  if (rnd() < 0.1) path = path.toUpperCase()
  if (rnd() < 0.1) path += '/'
  path += pick(QS)
  const method = rnd() < 0.7 ? (ep.method ?? 'GET') : pick(METHODS)
  const headers: Array<[string, string]> = []
  const n = Math.floor(rnd() * 4)
  for (let i = 0; i < n; i++) headers.push(pick(HEADERS))
  const body =
    method === 'POST' || method === 'PUT' || method === 'PATCH'
      ? pick(['', '{"a":1}', 'plain', '[1,2]'])
      : undefined
  return { method, path, headers, ...(body !== undefined ? { body } : {}) }
})
