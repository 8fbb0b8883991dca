// Seeded requests for seqgen.config.ts (SEED=, N= as the config's, PER= requests per endpoint, 5
// by default): route params with encoded `/ ? # %`, spaces, `+`, UTF-8, bytes that are not UTF-8;
// queries with repeated keys, empty values, keys without `=`, encoded bytes and `+`, names in
// another case; headers listed or not, in any case, repeated lines, hop-by-hop ones (Connection
// naming another header, TE, Keep-Alive); bodies on every method; mostly the endpoint's method.
// One in six goes as raw HTTP/1 bytes (raw UTF-8 and spaces-free odd bytes in the target, which
// node's client will not write). Backends behind `disable_host_sanitize` hosts with a `/base`
// path get their scripted answer all the same. Expected noise: where two parallel backends fail
// (the recording backend answers 400 to a space or raw byte Go writes in a query), lura lists their
// errors in the order they arrive.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { hooks } from '../backend.ts'
import type { Case } from '../run.ts'
import { plan } from './seqgen.config.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 6007 + 31)
const chance = (p: number) => rnd() < p
const deviations = process.env.DEVIATIONS === '1'
const per = Number(process.env.PER ?? 5)

// A backend behind a host with a base path: strip it so the scripted answer is found.
hooks.answer = (req) => {
  if (req.url?.startsWith('/base/')) req.url = req.url.slice(5)
  return undefined
}

const PARAMS = [
  'plain',
  '42',
  'a%2Fb',
  'q%3Fx',
  'h%23f',
  'p%25',
  'sp%20ace',
  '%C3%A9',
  'a+b',
  '~tilde',
  '%FF',
  'a;b',
  'a:b',
  '@',
  "it's",
  '(x)',
  'a%26b%3Dc',
  '%7Bbrace%7D',
]
const RAW_PARAMS = ['é', '日本', 'a"b', 'a\\b', 'a{b}', 'a|b', 'a^b', 'a`b']
const QUERY_KEYS = ['a', 'b', 'c', 'A', 'x%20y', 'x+y', 'k%5B%5D', 'k[]', '%C3%A9', 'empty', 'own', 'p', 'zz']
const QUERY_VALUES = ['', 'v', '1', 'a+b', '%2B', '%26', 'x%20y', '%FF', '%C3%A9', 'a=b', '%', 'é']
const HEADER_NAMES = [
  'X-A',
  'x-a',
  'X-B',
  'x-c',
  'X-C',
  'Authorization',
  'Content-Type',
  'User-Agent',
  'Cookie',
  'X-Forwarded-For',
  'Accept-Encoding',
  'TE',
  'Keep-Alive',
  'X-Other',
  'Accept',
]
const HEADER_VALUES = [
  '1',
  'two words',
  '',
  'a, b',
  'Bearer t',
  'application/json',
  'text/plain; charset=utf-8',
  'gzip',
  'é',
  '10.1.2.3',
  'trailers',
]

function query(): string {
  if (chance(0.35)) return ''
  const pairs: string[] = []
  const count = 1 + Math.floor(rnd() * 4)
  for (let i = 0; i < count; i += 1) {
    const key = pick(QUERY_KEYS)
    pairs.push(chance(0.1) ? key : `${key}=${pick(QUERY_VALUES)}`)
    if (chance(0.2)) pairs.push(`${key}=${pick(QUERY_VALUES)}`)
  }
  if (chance(0.05)) pairs.push('')
  return `?${pairs.join('&')}`
}

function headers(body: boolean): Array<[string, string]> {
  const out: Array<[string, string]> = []
  const count = Math.floor(rnd() * 5)
  for (let i = 0; i < count; i += 1) {
    const name = pick(HEADER_NAMES)
    out.push([name, pick(HEADER_VALUES)])
    if (chance(0.2)) out.push([name.toUpperCase(), pick(HEADER_VALUES)])
  }
  if (chance(0.1)) out.push(['Connection', pick(['X-A', 'close', 'keep-alive, X-B', 'TE'])])
  if (body && !out.some(([n]) => n.toLowerCase() === 'content-type'))
    out.push(['Content-Type', pick(['application/json', 'text/plain'])])
  return out
}

function rawRequest(method: string, target: string, head: Array<[string, string]>, body?: string): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: localhost', ...head.map(([n, v]) => `${n}: ${v}`)]
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`)
  lines.push('Connection: close')
  return `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`
}

const latin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1')

export const cases: Case[] = []
for (const endpoint of plan) {
  for (let n = 0; n < per; n += 1) {
    const raw = chance(1 / 6)
    const values = [
      ...PARAMS,
      ...(raw ? RAW_PARAMS.map(latin1) : []),
      ...(deviations ? ['..', '.', '%2E%2E', '%2e'] : []),
    ]
    let path = endpoint.path
    for (const p of endpoint.params) path = path.replace(`{${p}}`, pick(values))
    const target = `${path}${query()}`
    const method = chance(0.9) ? endpoint.method : pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'])
    const withBody = method !== 'GET' && chance(0.7)
    const body = withBody ? pick(['{"b":1}', '{"k0":"client"}', 'plain body', '']) : undefined
    const head = headers(withBody)
    if (raw) cases.push({ method, path: target, raw: rawRequest(method, target, head, body) })
    else cases.push({ method, path: target, headers: head, ...(body === undefined ? {} : { body }) })
  }
}
