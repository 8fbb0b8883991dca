// Requests for reqmut.config.ts mutated on the wire: smuggled and pipelined requests, bodies a
// guard never reads, methods, Host / X-Forwarded-Host / :authority, CORS preflights and single
// control or high bytes.
import type { Case } from '../run.ts'
import { GOOD, GUARDED, get, h1, host, origin, preflight, raw } from './reqmut-requests.ts'

export const smuggleCases: Case[] = [
  {
    path: '/open pipelined /jwt',
    raw: `${raw('GET', '/open', ['Host: localhost'])}${GUARDED.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n')}`,
  },
  {
    path: '/open-post CL body then /jwt',
    raw: `${raw('POST', '/open-post', ['Host: localhost', 'Content-Length: 2'], '{}')}${GUARDED.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n')}`,
  },
  {
    path: '/open-post TE with /jwt after the last chunk',
    raw: `${raw('POST', '/open-post', ['Host: localhost', 'Transfer-Encoding: chunked'], '2\r\n{}\r\n0\r\n\r\n')}${GUARDED.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n')}`,
  },
  {
    path: '/open-post CL+TE',
    raw: raw(
      'POST',
      '/open-post',
      ['Host: localhost', 'Content-Length: 4', 'Transfer-Encoding: chunked'],
      `0\r\n\r\n${GUARDED}`,
    ),
  },
  {
    path: '/open-post TE+CL',
    raw: raw(
      'POST',
      '/open-post',
      ['Host: localhost', 'Transfer-Encoding: chunked', 'Content-Length: 40'],
      `0\r\n\r\n${GUARDED}`,
    ),
  },
  {
    path: '/open-post TE xchunked',
    raw: raw(
      'POST',
      '/open-post',
      ['Host: localhost', 'Transfer-Encoding: xchunked', 'Content-Length: 5'],
      `0\r\n\r\n${GUARDED}`,
    ),
  },
  {
    path: '/open-post TE space-colon',
    raw: raw(
      'POST',
      '/open-post',
      ['Host: localhost', 'Transfer-Encoding : chunked', 'Content-Length: 5'],
      `0\r\n\r\n${GUARDED}`,
    ),
  },
  {
    path: '/open-post TE tab',
    raw: raw('POST', '/open-post', ['Host: localhost', 'Transfer-Encoding:\tchunked'], `0\r\n\r\n${GUARDED}`),
  },
  {
    path: '/open GET with CL body holding /jwt',
    raw: raw(
      'GET',
      '/open',
      ['Host: localhost', `Content-Length: ${GUARDED.length}`, 'Connection: close'],
      GUARDED,
    ),
  },
  {
    path: '/open GET CL shorter than what follows',
    raw: raw(
      'GET',
      '/open',
      ['Host: localhost', 'Content-Length: 2'],
      `xx${GUARDED.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n')}`,
    ),
  },
  {
    path: '/open-post chunk size overflow',
    raw: raw(
      'POST',
      '/open-post',
      ['Host: localhost', 'Transfer-Encoding: chunked'],
      `10000000000000002\r\n{}\r\n0\r\n\r\n${GUARDED}`,
    ),
  },
  {
    path: '/open-post chunk bare LF',
    raw: raw(
      'POST',
      '/open-post',
      ['Host: localhost', 'Transfer-Encoding: chunked'],
      `2\n{}\n0\n\n${GUARDED}`,
    ),
  },
  {
    path: '/open HTTP/1.0 TE chunked then /jwt',
    raw: `${raw('GET', '/open', ['Host: localhost', 'Connection: keep-alive', 'Transfer-Encoding: chunked'], '', 'HTTP/1.0')}${GUARDED}`,
  },
  {
    path: '/cel-h pipelined after a passing one',
    raw: `${raw('GET', '/cel-h', ['Host: localhost', 'X-Pass: yes'])}${raw('GET', '/cel-h', ['Host: localhost', 'X-Pass: no', 'Connection: close'])}`,
  },
]

// A body a guard never reads, holding a request, then one more on the connection.
const OPEN = 'GET /open HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'
export const unreadCases: Case[] = (
  [
    ['/jwt', ['Host: localhost']],
    ['/bot', ['Host: localhost', 'User-Agent: evil']],
    ['/cel-h', ['Host: localhost', 'X-Pass: no']],
    ['/rl-h', ['Host: localhost']],
    ['/open', ['Host: evil.example']],
    ['/open', ['Host: localhost', 'Host: evil.example']],
    ['/lua-r/admin', ['Host: localhost']],
    ['/nowhere', ['Host: localhost']],
  ] as Array<[string, string[]]>
).flatMap(([target, fields]) => [
  {
    path: `${target} CL body`,
    raw: `${raw('GET', target, [...fields, `Content-Length: ${GUARDED.length}`], GUARDED)}${OPEN}`,
  },
  {
    path: `${target} chunked body`,
    raw: `${raw('GET', target, [...fields, 'Transfer-Encoding: chunked'], `${GUARDED.length.toString(16)}\r\n${GUARDED}\r\n0\r\n\r\n`)}${OPEN}`,
  },
  {
    path: `${target} CL body, Expect`,
    raw: `${raw('GET', target, [...fields, 'Expect: 100-continue', `Content-Length: ${GUARDED.length}`], GUARDED)}${OPEN}`,
  },
])

// node:http's client hands a CONNECT's answer to a 'connect' listener and never ends the request: raw only.
export const methodCases: Case[] = [
  'HEAD',
  'OPTIONS',
  'TRACE',
  'PURGE',
  'CONNECT',
  'PUT',
  'DELETE',
  'PATCH',
  'POST',
].flatMap((method) => [
  h1('/jwt', [], method),
  h1('/bot', ['User-Agent: evil'], method),
  h1('/cel-h', [], method),
  h1('/schema', ['Content-Length: 2'], method, '{}'),
  ...(method === 'CONNECT' ? [] : [{ method, path: '/rl-h', headers: [['X-Client', 'a']] as Fields }]),
])

export const hostCases: Case[] = [
  get('/open', host('localhost')),
  get('/open', host('LOCALHOST')),
  get('/open', host('localhost:80')),
  get('/open', host('localhost.')),
  get('/open', host('good.example')),
  get('/open', host('Good.Example')),
  get('/open', host('evil.example')),
  get('/open', host('127.0.0.1:8080')),
  get('/open', host('127.0.0.1')),
  get('/open', host('localhost@evil.example')),
  get('/open', host('evil.example#localhost')),
  get('/open', [...host('localhost'), ['X-Forwarded-Host', 'evil.example']]),
  get('/open', [...host('evil.example'), ['X-Forwarded-Host', 'localhost']]),
  get('/open', [...host('evil.example'), ['x-forwarded-host', 'good.example']]),
  get('/open', [...host('localhost'), ['X-Forwarded-Host', '']]),
  get('/open', [...host('evil.example'), ['X-Forwarded-Host', '']]),
  get('/open', [...host('localhost'), ['X-Forwarded-Host', 'localhost, evil.example']]),
  get('/open', [
    ...host('evil.example'),
    ['X-Forwarded-Host', 'localhost'],
    ['X-Forwarded-Host', 'evil.example'],
  ]),
  get('/open', [
    ...host('localhost'),
    ['X-Forwarded-Host', 'evil.example'],
    ['X-Forwarded-Host', 'localhost'],
  ]),
  get('/open', [...host('localhost'), ['X-Forwarded-Host', ' localhost ']]),
  get('/open', host('localhost'), { authority: 'evil.example' }),
  get('/open', host('evil.example'), { authority: 'localhost' }),
  h1('/open', ['Host: evil.example']),
  {
    path: '/open two Host',
    raw: raw('GET', '/open', ['Host: localhost', 'Host: evil.example', 'Connection: close']),
  },
  { path: '/open no Host', raw: raw('GET', '/open', ['Connection: close']) },
  { path: '/open empty Host', raw: raw('GET', '/open', ['Host:', 'Connection: close']) },
  { path: '/open HTTP/1.0 no Host', raw: raw('GET', '/open', [], '', 'HTTP/1.0') },
  { path: '/open HTTP/1.0 evil', raw: raw('GET', '/open', ['Host: evil.example'], '', 'HTTP/1.0') },
  { path: 'abs evil', raw: raw('GET', 'http://evil.example/open', ['Host: localhost', 'Connection: close']) },
  { path: 'abs good', raw: raw('GET', 'http://localhost/open', ['Host: evil.example', 'Connection: close']) },
  { path: 'abs https', raw: raw('GET', 'https://localhost/open', ['Host: localhost', 'Connection: close']) },
  { path: 'abs no Host', raw: raw('GET', 'http://localhost/open', ['Connection: close']) },
  {
    path: 'abs userinfo',
    raw: raw('GET', 'http://evil.example@localhost/open', ['Host: localhost', 'Connection: close']),
  },
  { path: 'abs HTTP/1.0', raw: raw('GET', 'http://evil.example/open', [], '', 'HTTP/1.0') },
  { path: 'Host spaces', raw: raw('GET', '/open', ['Host:  localhost  ', 'Connection: close']) },
  { path: 'Host tab', raw: raw('GET', '/open', ['Host:\tevil.example', 'Connection: close']) },
  {
    path: 'Host obs-fold',
    raw: raw('GET', '/open', ['Host: evil.example', ' localhost', 'Connection: close']),
  },
  { path: 'Host space-colon', raw: raw('GET', '/open', ['Host : evil.example', 'Connection: close']) },
  { path: 'host lower', raw: raw('GET', '/open', ['host: evil.example', 'Connection: close']) },
  {
    path: 'XFH in Connection',
    raw: raw('GET', '/open', [
      'Host: localhost',
      'X-Forwarded-Host: evil.example',
      'Connection: close, X-Forwarded-Host',
    ]),
  },
]

export const corsCases: Case[] = [
  preflight('https://a.example'),
  preflight('https://A.EXAMPLE'),
  preflight('https://a.example/'),
  preflight('https://a.example:443'),
  preflight('https://a.example.evil.com'),
  preflight('http://a.example'),
  preflight('null'),
  preflight(''),
  preflight('http://x.b.example'),
  preflight('http://b.example'),
  preflight('http://x.y.b.example'),
  preflight('http://evil.com/.b.example'),
  preflight('http://evilb.example'),
  preflight('https://a.example, https://evil.example'),
  preflight('https://a.example', 'get'),
  preflight('https://a.example', 'PUT'),
  preflight('https://a.example', 'GET', [['Access-Control-Request-Headers', 'x-custom']]),
  preflight('https://a.example', 'GET', [['Access-Control-Request-Headers', 'X-Custom, X-Other']]),
  preflight('https://a.example', 'GET', [['Access-Control-Request-Headers', 'X-Custom,Authorization']]),
  preflight('https://a.example', 'GET', [['Access-Control-Request-Headers', ' X-Custom ']]),
  preflight('https://a.example', 'GET', [
    ['Access-Control-Request-Headers', 'X-Custom'],
    ['Access-Control-Request-Headers', 'X-Other'],
  ]),
  preflight('https://a.example', 'GET', [['Origin', 'https://evil.example']]),
  {
    method: 'OPTIONS',
    path: '/open',
    headers: [
      ['Origin', 'https://evil.example'],
      ['Origin', 'https://a.example'],
      ['Access-Control-Request-Method', 'GET'],
    ],
  },
  { method: 'OPTIONS', path: '/open', headers: origin('https://a.example') },
  {
    method: 'OPTIONS',
    path: '/jwt',
    headers: [...origin('https://a.example'), ['Access-Control-Request-Method', 'GET']],
  },
  {
    method: 'OPTIONS',
    path: '/nowhere',
    headers: [...origin('https://a.example'), ['Access-Control-Request-Method', 'GET']],
  },
  {
    method: 'options',
    path: '/open',
    headers: [...origin('https://a.example'), ['Access-Control-Request-Method', 'GET']],
  },
  get('/open', origin('https://a.example')),
  get('/open', origin('https://evil.example')),
  get('/open', origin('HTTPS://A.EXAMPLE')),
  get('/jwt', origin('https://a.example')),
  get('/open', [['origin', 'https://a.example']]),
  h1('/open', ['Origin: https://a.example', ' https://evil.example'], 'OPTIONS'),
  h1('/open', ['Origin:https://a.example', 'Access-Control-Request-Method:GET'], 'OPTIONS'),
  h1('/open', ['Origin: https://a.example', 'Access-Control-Request-Method: GET'], 'options'),
]

// Single bytes Go's and llhttp's parsers may read differently, in a header value, a header name,
// the path and the query of guarded requests.
const BYTES = [0x00, 0x01, 0x08, 0x0b, 0x0c, 0x0d, 0x0a, 0x1f, 0x7f, 0x80, 0xa0, 0xff]
export const byteCases: Case[] = BYTES.flatMap((code) => {
  const b = String.fromCharCode(code)
  return [
    h1('/bot', [`User-Agent: ev${b}il`]),
    h1('/bot', [`User-Agent: evil${b}`]),
    h1('/bot', [`User-Agent: ${b}evil`]),
    h1('/cel-h', ['X-Pass: yes', `X-Deny: ${b}`]),
    h1('/cel-h', ['X-Pass: yes', `X-De${b}ny: 1`]),
    h1('/cel-h', ['X-Pass: yes', `X-Deny${b}: 1`]),
    h1('/cel-h', [`X-Pass: yes${b}`]),
    h1('/martian', [`X-Secret: s${b}`]),
    h1(`/jwt${b}`, []),
    h1(`/cel-q?q=evil${b}`, []),
    h1(`/cel-p/admin${b}`, []),
    h1('/open', [`Host: evil${b}.example`]),
    h1('/open', [`Host: localhost${b}`]),
    h1('/jwt-cookie', [`Cookie: tok=${GOOD}${b}`]),
    h1('/jwt-cookie', [`Cookie: a=${b}; tok=${GOOD}`]),
  ]
})
