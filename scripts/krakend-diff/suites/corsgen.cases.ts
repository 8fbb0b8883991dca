// Seeded requests for corsgen.config.ts (SEED=, N= cases, 150 by default): Origin drawn from the
// configured origins and their variants (case, trailing slash, ports, wildcard hits and near misses,
// `null`, empty, raw UTF-8, several Origin lines); preflights with Access-Control-Request-Method
// (case, unknown, empty, repeated, comma lists) and -Headers (case, commas, spaces, tabs, repeated
// lines, unsorted, duplicates, unknown, empty) and -Private-Network; plain requests with Origin on
// every method; on endpoints, guarded endpoints (JWT, rate limit), no-op endpoints whose backend
// sends its own CORS headers (not over --h2c, where KrakenD resets those streams), and the router's
// own answers (404, 405, redirects); invalid UTF-8 in Origin, a bot's User-Agent, a Host that
// security/http refuses. 15% go as raw HTTP/1 bytes: `OPTIONS *`, absolute-form targets, HTTP/1.0,
// upper-case names, an empty Origin or -Request-Method line first (skipped over --h2c).
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { sign } from '../backend.ts'
import type { Case } from '../run.ts'
import { HEADERS, METHODS, ORIGINS } from './corsgen.config.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 7919 + 5)
const maybe = (p: number) => rnd() < p

const NEAR_ORIGINS = [
  'https://a.example.com',
  'https://a.b.example.com',
  'https://.example.com',
  'https://example.com',
  'http://app.example.com',
  'https://app.example.com.evil.com',
  'https://evil.com',
  'https://x-api.example.net',
  'https://-api.example.net',
  'https://app.example.com:8443',
  'https://app.example.com:443',
  'https://b\xc3\xbccher.example',
  'https://B\xc3\x9cCHER.example',
  'http://localhost:3000',
  'http://localhost:3001',
  'http://',
  'file://',
  'null',
  '',
  ' ',
  'https://\xff.example',
  'https://\xe2\x82.example',
  'https://\xef\xbf\xbd.example',
  'https://app.example.com\t',
  'https://app.example.com ,https://evil.com',
]

/** A configured string's UTF-8 bytes, one latin1 character each (as a client sends them). */
const latin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1')

function origin(): string {
  const base = maybe(0.5) ? latin1(pick(ORIGINS).replace('*', pick(['x', 'a.b', '']))) : pick(NEAR_ORIGINS)
  switch (Math.floor(rnd() * 8)) {
    case 0:
      // ASCII letters only: a latin1 byte such as \xff has no one-byte upper case.
      return base.replace(/[a-z]+/g, (m) => m.toUpperCase())
    case 1:
      return `${base}/`
    case 2:
      return `${base}:${pick(['80', '443', '3000', '8443'])}`
    default:
      return base
  }
}

const PATHS = ['/r', '/r', '/r', '/p', '/jwt', '/limited', '/noop', '/noop-cors', '/nowhere', '/r/']
const REQUEST_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'get', 'PURGE']

function requestMethod(): string {
  return maybe(0.75)
    ? pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'])
    : pick([...METHODS, 'get', 'post', 'GET, POST', ' GET', 'CONNECT', 'TRACE'])
}

function requestHeaders(): string {
  const names = Array.from({ length: Math.floor(rnd() * 4) }, () =>
    latin1(
      maybe(0.7) ? pick(HEADERS).toLowerCase() : pick([...HEADERS, 'x-other', 'accept', 'content-type']),
    ),
  )
  if (maybe(0.6)) names.sort()
  const sep = pick([',', ', ', ' ,', ',  ', ',\t', ' , '])
  const text = names.join(sep)
  return maybe(0.15) ? pick([`${text},`, `,${text}`, `${text},,`, ` ${text}`]) : text
}

function headers(preflight: boolean): Array<[string, string]> {
  const out: Array<[string, string]> = []
  if (maybe(0.9)) out.push(['Origin', origin()])
  if (maybe(0.08)) out.push([pick(['Origin', 'origin']), origin()])
  if (preflight) {
    out.push(['Access-Control-Request-Method', requestMethod()])
    if (maybe(0.06)) out.push(['Access-Control-Request-Method', requestMethod()])
    if (maybe(0.7)) out.push(['Access-Control-Request-Headers', requestHeaders()])
    if (maybe(0.12)) out.push(['Access-Control-Request-Headers', requestHeaders()])
    if (maybe(0.3))
      out.push(['Access-Control-Request-Private-Network', pick(['true', 'TRUE', 'false', '', 'true '])])
  } else if (maybe(0.1)) out.push(['Access-Control-Request-Headers', requestHeaders()])
  if (maybe(0.15)) out.push(['Authorization', `Bearer ${sign({ sub: 'u' }, { alg: 'HS256', kid: 'h1' })}`])
  if (maybe(0.08)) out.push(['Host', pick(['evil.example', 'localhost', '127.0.0.1:18081'])])
  if (maybe(0.1)) out.push(['Vary', 'X-Client'])
  if (maybe(0.1)) out.push(['User-Agent', 'BadBot'])
  return out
}

// Over --h2c KrakenD resets the stream of a no-op answer (a known deviation): those go to /r.
const H2C = process.argv.includes('--h2c')

function oneCase(): Case {
  const drawn = pick(PATHS)
  const path = H2C && drawn.startsWith('/noop') ? '/r' : drawn
  const preflight = maybe(0.5)
  const method = preflight ? pick(['OPTIONS', 'OPTIONS', 'OPTIONS', 'options']) : pick(REQUEST_METHODS)
  const hs = headers(preflight && method === 'OPTIONS')
  if (preflight && method !== 'OPTIONS') hs.push(['Access-Control-Request-Method', 'GET'])
  const body = ['POST', 'PUT', 'PATCH'].includes(method) && maybe(0.8) ? '{"a":1}' : undefined
  return { method, path: maybe(0.1) ? `${path}?q=1` : path, headers: hs, ...(body ? { body } : {}) }
}

/** The case as raw HTTP/1 bytes, its request line or header block bent one way. */
function raw(c: Case): Case {
  const lines = (c.headers ?? []).map(([name, value]) => `${name}: ${value}`)
  let target = c.path
  let version = 'HTTP/1.1'
  switch (Math.floor(rnd() * 7)) {
    case 0:
      target = '*'
      break
    case 1:
      target = `http://localhost${c.path}`
      break
    case 2:
      version = 'HTTP/1.0'
      break
    case 3: {
      const i = lines.findIndex((l) => /^access-control-request-headers/i.test(l))
      // An empty line before it (obs-fold is a known parser deviation, not drawn).
      if (i >= 0)
        lines.splice(i, 0, pick(['Access-Control-Request-Headers:', 'Access-Control-Request-Headers: \t']))
      break
    }
    case 4:
      for (const [i, l] of lines.entries()) lines[i] = l.replace(/^[^:]+/, (n) => n.toUpperCase())
      break
    case 5:
      lines.unshift(pick(['Origin:', 'Access-Control-Request-Method:', 'Origin: \t']))
      break
    default:
      lines.unshift(pick(['Access-Control-Request-Method: GET', 'Origin: https://app.example.com']))
  }
  if (!lines.some((l) => /^host:/i.test(l)) && (version === 'HTTP/1.0' || maybe(0.9)))
    lines.push('Host: localhost')
  const body = c.body ?? ''
  if (body) lines.push(`Content-Length: ${body.length}`)
  const text = `${c.method} ${target} ${version}\r\n${lines.join('\r\n')}\r\nConnection: close\r\n\r\n${body}`
  return { ...c, raw: text }
}

export const cases: Case[] = Array.from({ length: Number(process.env.N ?? 150) }, () => {
  const c = oneCase()
  return maybe(0.15) ? raw(c) : c
})
