// Seeded requests for secgen.config.ts (SEED=, N=): Host, :authority, absolute-form targets and
// X-Forwarded-Host-like headers drawn from the allowed hosts and their variants (case, ports,
// trailing dots, IPv6, userinfo, raw UTF-8 and bytes Go refuses, repeats, comma lists, empty and
// spaced values), X-Forwarded-Proto-like headers, on endpoints and on the router's own answers
// (404, 405, trailing-slash redirects, health, CORS preflights). A quarter go as raw HTTP/1 bytes
// (no Host, two Hosts, HTTP/1.0, absolute-form, CONNECT, `OPTIONS *`); over --h2c those are skipped
// and `authority` is used. Differences left, all in the README: the /__health body, HEAD /__health
// (KrakenD's 405), a CONNECT authority with a raw byte past 0x7F (llhttp's 400), and over --h2c an
// :authority or empty host field nghttp2 refuses (a stream reset where KrakenD answers).
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'
import { HOSTS, PROXY_HEADERS } from './secgen.config.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 7907 + 3)
const maybe = (p: number) => rnd() < p

const BASE = ['good.example', 'localhost', '127.0.0.1', '[::1]', 'evil.example', 'sub.good.example']
/** Hosts the regular expressions of secgen.config.ts tell apart (UTF-8 bytes written as latin1 characters). */
const NEAR = [
  'evil',
  'xevil',
  'good.examplex',
  'b\xc3\xbccher.example',
  'B\xc3\x9cCHER.example',
  'a.b.good.example',
  'x@good.example',
  'good.exampl',
]
function hostVariant(): string {
  const host = maybe(0.5) ? pick(HOSTS) : maybe(0.6) ? pick(BASE) : pick(NEAR)
  switch (Math.floor(rnd() * 9)) {
    case 0:
      return host.toUpperCase()
    case 1:
      return `${host}:${pick(['80', '443', '8080', '', '18081', '0x50'])}`
    case 2:
      return `${host}.`
    case 3:
      return pick([
        'good.example,evil.example',
        'evil.example, good.example',
        'good.exampl',
        'good.example.evil',
      ])
    default:
      return host
  }
}

/** Hosts of absolute-form targets: Go's url.Parse unescapes %XX past ASCII and %25 there, refuses the rest. */
const TARGET_HOSTS = [
  ...BASE,
  'u:p@good.example',
  'good.example:8080',
  'good.example:',
  'GOOD.example',
  'good%2eexample',
  'b%C3%BCcher.example',
  'B%C3%9CCHER.example',
  'bücher.example',
  'xn--bcher-kva.example',
  '[fe80::1%25en0]',
  '[::1]:80',
  'good.example%3a80',
]

const PATHS: Array<[method: string, path: string]> = [
  ['GET', '/a'],
  ['GET', '/a/x'],
  ['GET', '/a/x?q=1&r=%zz'],
  ['POST', '/b'],
  ['GET', '/b'],
  ['PUT', '/a'],
  ['GET', '/nope'],
  ['GET', '/a/'],
  ['GET', '/c'],
  ['HEAD', '/a'],
  ['GET', '/__health'],
  ['HEAD', '/__health'],
  ['GET', '/healthz'],
  ['OPTIONS', '/a'],
  ['GET', '/%61'],
  ['DELETE', '/nope/'],
  ['OPTIONS', '/b'],
  ['GET', '/A'],
  ['GET', '//a'],
  ['POST', '/b/'],
]
const PROTO_HEADERS = ['X-Forwarded-Proto', 'x-forwarded-proto', 'X-Forwarded-Ssl', 'X-Forwarded-Scheme']
const PROTO_VALUES = ['https', 'HTTPS', 'http', 'on', '', 'https, http', ' https']

function fields(): Array<[string, string]> {
  const out: Array<[string, string]> = []
  const proxies = Math.floor(rnd() * 3)
  for (let i = 0; i < proxies; i += 1) out.push([pick(PROXY_HEADERS), maybe(0.2) ? '' : hostVariant()])
  if (maybe(0.5)) out.push([pick(PROTO_HEADERS), pick(PROTO_VALUES)])
  if (maybe(0.15)) out.push([pick(PROTO_HEADERS), pick(PROTO_VALUES)])
  return out
}

function preflight(method: string): Array<[string, string]> {
  if (method !== 'OPTIONS' || maybe(0.2)) return maybe(0.3) ? [['Origin', 'https://a.example']] : []
  return [
    ['Origin', pick(['https://a.example', 'https://evil.example'])],
    ['Access-Control-Request-Method', pick(['GET', 'POST', 'DELETE'])],
  ]
}

/** Raw HTTP/1 bytes Node's client would not write (no Host, two, absolute-form, bytes Go refuses). */
function rawCase(method: string, path: string, extra: Array<[string, string]>): Case {
  const lines = extra.map(([n, v]) => `${n}: ${v}`)
  let target = path
  let version = 'HTTP/1.1'
  switch (Math.floor(rnd() * 9)) {
    case 0:
      break // no Host
    case 1:
      lines.unshift(`Host: ${hostVariant()}`, `Host: ${hostVariant()}`)
      break
    case 2:
      version = 'HTTP/1.0'
      if (maybe(0.5)) lines.unshift(`Host: ${hostVariant()}`)
      break
    case 3:
      target = `${pick(['http', 'https', 'HTTPS'])}://${pick(TARGET_HOSTS)}${path}`
      lines.unshift(`Host: ${hostVariant()}`)
      break
    case 4:
      lines.unshift(
        `Host: ${pick(['good.example\t', 'good example', 'good.example\x7f', 'gööd.example', 'good.example/', 'good.example?', '[::1', 'a@b'])}`,
      )
      break
    case 7:
      return {
        method: 'CONNECT/OPTIONS',
        path,
        raw: pick([
          `CONNECT ${pick(TARGET_HOSTS)}:443 HTTP/1.1\r\n${lines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`,
          `OPTIONS * HTTP/1.1\r\nHost: ${hostVariant()}\r\n${lines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`,
          `GET * HTTP/1.1\r\nHost: ${hostVariant()}\r\nConnection: close\r\n\r\n`,
        ]),
      }
    case 5:
      lines.unshift(`Host:${pick(['', ' ', '\tgood.example', 'good.example  '])}`)
      break
    default:
      lines.unshift(`Host: ${hostVariant()}`)
  }
  return {
    method,
    path,
    raw: `${method} ${target} ${version}\r\n${lines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`,
  }
}

export const cases: Case[] = Array.from({ length: Number(process.env.N ?? 120) }, () => {
  const [method, path] = pick(PATHS)
  const extra = [...fields(), ...preflight(method)]
  if (maybe(0.25)) return rawCase(method, path, extra)
  const host = hostVariant()
  const c: Case = { method, path, headers: [['Host', host], ...extra] }
  if (maybe(0.3)) c.authority = hostVariant()
  if (maybe(0.15)) c.scheme = pick(['https', 'HTTPS', 'ftp'])
  if (method === 'POST') c.body = '{"x":1}'
  return c
})
