// Requests for reqmut.config.ts, each a request one guard blocks or changes, mutated one way at a
// time: header name case, repeats, spaces and tabs, empty and comma-joined values, path spellings
// (`/PATH`, `//path`, `/./path`, `%2F`, `%2e`), query repeats and encodings, method case, HTTP/1.0
// and absolute-form targets, Content-Length / Transfer-Encoding pairs and a second request smuggled
// behind the first. `raw` cases are written byte for byte (HTTP/1 only; left out under --h2c);
// the others also go over h2c, where `authority` sets `:authority` beside a `host` field. Then
// seeded ones (SEED=, N=): a guarded base request with one to three mutations drawn at random.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { sign } from '../backend.ts'
import type { Case } from '../run.ts'

type Fields = Array<[string, string]>
const hs = (claims: object, kid = 'h1') => sign(claims, { alg: 'HS256', kid })
const GOOD = hs({ sub: 'u1' })
const NOSUB = hs({ name: 'n' })
const BAD = hs({ sub: 'u1' }, 'r1')
const ADMIN = hs({ sub: 'a1', roles: ['admin'] })
const USER = hs({ sub: 'u2', roles: ['user'] })

/** A request written as given: `Host: localhost` first and `Connection: close` last unless told. */
function raw(method: string, target: string, fields: string[], body = '', version = 'HTTP/1.1'): string {
  return `${method} ${target} ${version}\r\n${fields.map((f) => `${f}\r\n`).join('')}\r\n${body}`
}
const h1 = (target: string, fields: string[] = [], method = 'GET', body = ''): Case => ({
  path: target,
  raw: raw(method, target, ['Host: localhost', ...fields, 'Connection: close'], body),
})
const sized = (target: string, body: string, fields: string[] = []): Case =>
  h1(target, [...fields, `Content-Length: ${Buffer.byteLength(body, 'latin1')}`], 'POST', body)
const get = (path: string, headers: Fields = [], extra: Partial<Case> = {}): Case => ({
  path,
  headers,
  ...extra,
})
const auth = (value: string): Fields => [['Authorization', value]]

const jwtCases: Case[] = [
  get('/jwt'),
  get('/jwt', auth(`Bearer ${GOOD}`)),
  get('/jwt', auth(`bearer ${GOOD}`)),
  get('/jwt', auth(`BEARER ${GOOD}`)),
  get('/jwt', auth(`Bearer  ${GOOD}`)),
  get('/jwt', auth(`Bearer\t${GOOD}`)),
  get('/jwt', auth(`Bearer ${GOOD} `)),
  get('/jwt', auth(`Bearer ${GOOD} x`)),
  get('/jwt', auth('Bearer')),
  get('/jwt', auth('Bearer ')),
  get('/jwt', auth(`Token ${GOOD}`)),
  get('/jwt', auth(GOOD)),
  get('/jwt', auth(`Bearer ${BAD}`)),
  get('/jwt', [...auth(`Bearer ${GOOD}`), ...auth(`Bearer ${BAD}`)]),
  get('/jwt', [...auth(`Bearer ${BAD}`), ...auth(`Bearer ${GOOD}`)]),
  get('/jwt', [...auth(''), ...auth(`Bearer ${GOOD}`)]),
  get('/jwt', auth(`Bearer ${BAD}, Bearer ${GOOD}`)),
  get('/jwt', auth(`Bearer ${GOOD}, Bearer ${BAD}`)),
  get('/jwt', [['authorization', `Bearer ${GOOD}`]]),
  get('/jwt', [['AUTHORIZATION', `Bearer ${GOOD}`]]),
  get('/jwt', [['Cookie', `access_token=${GOOD}`]]),
  get('/jwt', [['X-User', 'admin']]),
  get('/jwt', [...auth(`Bearer ${GOOD}`), ['X-User', 'admin']]),
  get('/jwt', [...auth(`Bearer ${NOSUB}`), ['X-User', 'admin']]),
  get('/jwt', [...auth(`Bearer ${NOSUB}`), ['x-user', 'admin']]),
  get('/jwt', [...auth(`Bearer ${GOOD}`), ['x-user', 'admin'], ['X-USER', 'root']]),
  get('/jwt/'),
  get('/JWT'),
  get('/Jwt', auth(`Bearer ${BAD}`)),
  get('//jwt'),
  get('/./jwt'),
  get('/jwt/.'),
  get('/%6Awt'),
  get('/jwt%2F'),
  get('/jwt;x'),
  get('/jwt?x=1'),
  get('/open/../jwt'),
  h1('/jwt', [`Authorization: Bearer ${GOOD}`, ' x']),
  h1('/jwt', [`Authorization:Bearer ${GOOD}`]),
  h1('/jwt', [`Authorization: \tBearer ${GOOD}\t`]),
  h1('/jwt', [`Authorization : Bearer ${GOOD}`]),
  h1('/jwt', ['Authorization: Bearer', ` ${GOOD}`]),
  h1('http://localhost/jwt', []),
  h1('http://localhost/jwt', [`Authorization: Bearer ${GOOD}`]),
  h1('*', [`Authorization: Bearer ${GOOD}`], 'OPTIONS'),
  { path: '/jwt', raw: raw('GET', '/jwt', [`Authorization: Bearer ${GOOD}`], '', 'HTTP/1.0') },
  { path: '/jwt', raw: raw('GET', '/jwt', [], '', 'HTTP/1.0') },
]

const cookie = (value: string): Fields => [['Cookie', value]]
const cookieCases: Case[] = [
  get('/jwt-cookie'),
  get('/jwt-cookie', cookie(`tok=${GOOD}`)),
  get('/jwt-cookie', cookie(`tok=${BAD}`)),
  get('/jwt-cookie', [...cookie(`tok=${BAD}`), ...auth(`Bearer ${GOOD}`)]),
  get('/jwt-cookie', [...cookie(`tok=${GOOD}`), ...auth(`Bearer ${BAD}`)]),
  get('/jwt-cookie', auth(`Bearer ${GOOD}`)),
  get('/jwt-cookie', cookie(`a=1; tok=${GOOD}`)),
  get('/jwt-cookie', [...cookie('a=1'), ...cookie(`tok=${GOOD}`)]),
  get('/jwt-cookie', [...cookie(`tok=${BAD}`), ...cookie(`tok=${GOOD}`)]),
  get('/jwt-cookie', cookie(`tok=${BAD}; tok=${GOOD}`)),
  get('/jwt-cookie', cookie(`tok=${GOOD}; tok=${BAD}`)),
  get('/jwt-cookie', cookie(`TOK=${GOOD}`)),
  get('/jwt-cookie', cookie(`tok="${GOOD}"`)),
  get('/jwt-cookie', cookie(`tok = ${GOOD}`)),
  get('/jwt-cookie', cookie(` tok=${GOOD} `)),
  get('/jwt-cookie', cookie(`a=1,tok=${GOOD}`)),
  get('/jwt-cookie', cookie(`a=1;tok=${GOOD}`)),
  get('/jwt-cookie', cookie(`bad cookie; tok=${GOOD}`)),
  get('/jwt-cookie', cookie('tok=')),
  get('/jwt-cookie', [...cookie('tok='), ...auth(`Bearer ${GOOD}`)]),
  get('/jwt-cookie', cookie(`access_token=${GOOD}`)),
  get('/jwt-cookie', [['cookie', `tok=${GOOD}`]]),
  get('/jwt-cookie', cookie(`tok=Bearer ${GOOD}`)),
  get('/jwt-cookie', cookie(`tok=${GOOD}`), { authority: 'localhost' }),
]

const roleCases: Case[] = [
  get('/jwt-roles/x', auth(`Bearer ${ADMIN}`)),
  get('/jwt-roles/x', auth(`Bearer ${USER}`)),
  get('/jwt-roles/x/', auth(`Bearer ${USER}`)),
  get('/jwt-roles/x'),
  get('/jwt-roles/x/'),
  get('/JWT-ROLES/x'),
  get('//jwt-roles/x'),
  get('/jwt-roles//x'),
  get('/jwt-roles/./x'),
  get('/jwt-roles/%2e'),
  get('/jwt-roles/x%2Fy'),
  get('/jwt-roles/x%2fy', auth(`Bearer ${ADMIN}`)),
  get('/jwt-roles/%2e%2e', auth(`Bearer ${ADMIN}`)),
  get('/jwt-roles/', auth(`Bearer ${ADMIN}`)),
  get('/jwt-roles/x/y', auth(`Bearer ${ADMIN}`)),
  get('/jwt-roles/x', [...auth(`Bearer ${ADMIN}`), ['X-User', 'spoof']]),
]

const ua = (value: string): Fields => [['User-Agent', value]]
const botCases: Case[] = [
  h1('/bot', []),
  get('/bot', ua('')),
  get('/bot', ua('evil')),
  get('/bot', ua('Evil')),
  get('/bot', ua('evil ')),
  get('/bot', ua(' evil')),
  get('/bot', ua('evil\t')),
  get('/bot', ua('botgood')),
  get('/bot', ua('xbot')),
  get('/bot', ua('Bot')),
  get('/bot', ua('curl/8.0')),
  get('/bot', ua('CURL/8.0')),
  get('/bot', ua('Mozilla/5.0')),
  get('/bot', [...ua('Mozilla/5.0'), ...ua('evil')]),
  get('/bot', [...ua('evil'), ...ua('Mozilla/5.0')]),
  get('/bot', [...ua(''), ...ua('Mozilla/5.0')]),
  get('/bot', [...ua('Mozilla/5.0'), ...ua('')]),
  get('/bot', ua('Mozilla/5.0, evil')),
  get('/bot', [['user-agent', 'evil']]),
  get('/bot', [['USER-AGENT', 'Mozilla/5.0']]),
  get('/bot', ua('e\tvil')),
  get('/bot/', ua('evil')),
  get('/BOT', ua('evil')),
  h1('/bot', ['User-Agent: Mozilla/5.0', ' evil']),
  h1('/bot', ['User-Agent:evil']),
  h1('/bot', ['User-Agent:   evil   ']),
  h1('/bot', ['User_Agent: Mozilla/5.0']),
  h1('/bot', ['User-Agent: Mozilla/5.0'], 'get'),
]

const rlCases: Case[] = [
  get('/rl-h', [['X-Client', 'a']]),
  get('/rl-h', [['x-client', 'a']]),
  get('/rl-h', [['X-Client', 'A']]),
  get('/rl-h', [['X-Client', ' a ']]),
  get('/rl-h', [['X-Client', 'a\t']]),
  get('/rl-h', [['X-Client', 'a, b']]),
  get('/rl-h', [['X-Client', 'a,b']]),
  get('/rl-h', [
    ['X-Client', 'c'],
    ['X-Client', 'd'],
  ]),
  get('/rl-h', [['X-Client', 'c']]),
  get('/rl-h', [['X-Client', 'd']]),
  get('/rl-h', [
    ['X-Client', ''],
    ['X-Client', 'e'],
  ]),
  get('/rl-h'),
  get('/rl-h', [['X-Client', '']]),
  get('/rl-h/', [['X-Client', 'f']]),
  get('/RL-H', [['X-Client', 'a']]),
  get('/rl-ip', [['X-Forwarded-For', '1.2.3.4']]),
  get('/rl-ip', [['X-Forwarded-For', ' 1.2.3.4 ']]),
  get('/rl-ip', [['X-Forwarded-For', '1.2.3.4, 9.9.9.9']]),
  get('/rl-ip', [['X-Real-IP', '1.2.3.4']]),
  get('/rl-ip', [['X-Forwarded-For', '::ffff:1.2.3.4']]),
  get('/rl-ip', [['X-Forwarded-For', '01.2.3.4']]),
  get('/rl-ip', [['x-forwarded-for', '5.5.5.5']]),
  get('/rl-ip', [
    ['X-Forwarded-For', ''],
    ['X-Forwarded-For', '5.5.5.5'],
  ]),
  get('/rl-ip'),
  get('/rl-ip'),
  get('/rl-p/a'),
  get('/rl-p/a'),
  get('/rl-p/A'),
  get('/rl-p/%61'),
  get('/rl-p/a?x=1'),
  get('/rl-p/a/'),
  get('/rl-p/a%20'),
  get('/rl-p/%20a'),
  get('/rl-p/b;x'),
  get('/rl-p/b'),
]

const celCases: Case[] = [
  get('/cel-h', [['X-Pass', 'yes']]),
  get('/cel-h', [['x-pass', 'yes']]),
  get('/cel-h', [['X-Pass', 'Yes']]),
  get('/cel-h', [['X-Pass', ' yes ']]),
  get('/cel-h', [['X-Pass', 'yes, no']]),
  get('/cel-h', [
    ['X-Pass', 'no'],
    ['X-Pass', 'yes'],
  ]),
  get('/cel-h', [
    ['X-Pass', 'yes'],
    ['X-Pass', 'no'],
  ]),
  get('/cel-h', [
    ['X-Pass', ''],
    ['X-Pass', 'yes'],
  ]),
  get('/cel-h', [
    ['X-Pass', 'yes'],
    ['X-Deny', '1'],
  ]),
  get('/cel-h', [
    ['X-Pass', 'yes'],
    ['x-deny', '1'],
  ]),
  get('/cel-h', [
    ['X-Pass', 'yes'],
    ['X-DENY', ''],
  ]),
  get('/cel-h', [
    ['X-Pass', 'yes'],
    ['X_Deny', '1'],
  ]),
  h1('/cel-h', ['X-Pass: yes', 'X-Deny:']),
  h1('/cel-h', ['X-Pass: yes', 'X-Deny: ']),
  h1('/cel-h', ['X-Pass: no', ' yes']),
  h1('/cel-h', ['X-Pass: yes', 'X-Deny : 1']),
  h1('/cel-h', ['X-Pass:\tyes\t']),
  h1('/cel-h', ['X-Pass: yes', 'X-Deny\t: 1']),
  get('/cel-h/', [['X-Pass', 'yes']]),
  get('/cel-q?q=evil'),
  get('/cel-q?q=good'),
  get('/cel-q?q=good&q=evil'),
  get('/cel-q?q=evil&q=good'),
  get('/cel-q?Q=evil'),
  get('/cel-q?q=%65vil'),
  get('/cel-q?q=ev%69l'),
  get('/cel-q?%71=evil'),
  get('/cel-q?q=evil;'),
  get('/cel-q?q=good;q=evil'),
  get('/cel-q?q=evil;x=1'),
  get('/cel-q?x=1;q=evil'),
  get('/cel-q?q=ev+il'),
  get('/cel-q?q=evil%00'),
  get('/cel-q?q=evil#frag'),
  get('/cel-q?q=evil%'),
  get('/cel-q?q=evil&x=%zz'),
  get('/cel-q?x=%zz&q=evil'),
  get('/cel-q?r'),
  get('/cel-q?r='),
  get('/cel-q?r=1'),
  get('/cel-q?%72=1'),
  get('/cel-q?R=1'),
  get('/cel-q?r=1;'),
  get('/cel-q?a;r=1'),
  get('/cel-q?r[]=1'),
  get('/cel-q?&&r=1'),
  get('/cel-q/?r=1'),
  get('/cel-q??r=1'),
  get('/cel-q?q=good&r=1%zz'),
  get('/cel-p/admin'),
  get('/cel-p/Admin'),
  get('/cel-p/%61dmin'),
  get('/cel-p/admin%20'),
  get('/cel-p/admin/'),
  get('/cel-p/admin%2F'),
  get('/cel-p/admin;x'),
  get('/cel-p/admin?x'),
  get('/CEL-P/admin'),
  get('/cel-p//admin'),
  get('/cel-p/./admin'),
  get('/cel-p/x/../admin'),
]

const schemaCases: Case[] = [
  sized('/schema', '{"n":1}', ['Content-Type: application/json']),
  sized('/schema', '{"n":11}', ['Content-Type: application/json']),
  sized('/schema', '{}'),
  sized('/schema', ''),
  sized('/schema', '{"n":1,"n":11}'),
  sized('/schema', '{"n":11,"n":1}'),
  sized('/schema', '{"\\u006e":11}'),
  sized('/schema', '{"N":11}'),
  sized('/schema', '{"n":1}x'),
  sized('/schema', '{"n":1} {"n":11}'),
  sized('/schema', '\ufeff{"n":11}'),
  sized('/schema', '{"n":1e1}'),
  sized('/schema', '{"n":10.0000000000000001}'),
  sized('/schema', '{"n":1e400}'),
  sized('/schema', '{"n":-0}'),
  sized('/schema', ' {"n":11} '),
  sized('/schema', 'null'),
  sized('/schema', '[]'),
  sized('/schema', '{"n":"1"}'),
  sized('/schema', '{"n":11}', ['Content-Type: text/plain']),
  sized('/schema', '{"n":11}', ['Content-Encoding: gzip']),
  h1('/schema', ['Transfer-Encoding: chunked'], 'POST', '8\r\n{"n":11}\r\n0\r\n\r\n'),
  h1('/schema', ['Transfer-Encoding: chunked'], 'POST', '7\r\n{"n":1}\r\n0\r\n\r\n'),
  h1('/schema', ['Transfer-Encoding: chunked'], 'POST', '0\r\n\r\n'),
  h1('/schema', ['Transfer-Encoding: Chunked'], 'POST', '8\r\n{"n":11}\r\n0\r\n\r\n'),
  h1('/schema', ['Transfer-Encoding: chunked'], 'POST', '4;x=y\r\n{"n"\r\n4\r\n:11}\r\n0\r\n\r\n'),
  h1('/schema', ['Transfer-Encoding: chunked'], 'POST', '08\r\n{"n":11}\r\n0\r\n\r\n'),
  h1('/schema', ['Transfer-Encoding: chunked'], 'POST', '8\r\n{"n":11}\r\n0\r\nX-T: 1\r\n\r\n'),
  h1('/schema', ['Transfer-Encoding: identity'], 'POST', '{"n":11}'),
  h1('/schema', ['Transfer-Encoding: gzip, chunked'], 'POST', '8\r\n{"n":11}\r\n0\r\n\r\n'),
  h1(
    '/schema',
    ['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'],
    'POST',
    '8\r\n{"n":11}\r\n0\r\n\r\n',
  ),
  h1('/schema', ['Transfer-Encoding: chunked', 'Content-Length: 7'], 'POST', '{"n":1}'),
  h1('/schema', ['Content-Length: 7', 'Content-Length: 8'], 'POST', '{"n":11}'),
  h1('/schema', ['Content-Length: 7, 7'], 'POST', '{"n":1}'),
  h1('/schema', ['Content-Length: +7'], 'POST', '{"n":1}'),
  h1('/schema', ['Content-Length: 07'], 'POST', '{"n":1}'),
  h1('/schema', ['Content-Length:  7 '], 'POST', '{"n":1}'),
  h1('/schema', ['Content-Length: 0'], 'POST', ''),
  h1('/schema', [], 'POST', ''),
  h1('/schema', ['Expect: 100-continue', 'Content-Length: 8'], 'POST', '{"n":11}'),
  h1('/schema', ['Content-Length: 8'], 'post', '{"n":11}'),
  h1('/schema', ['Content-Length: 8'], 'PoSt', '{"n":11}'),
  h1('/schema', ['Content-Length: 8'], 'PUT', '{"n":11}'),
  { path: '/schema', method: 'POST', body: '{"n":11}' },
  { path: '/schema', method: 'POST', body: '{"n":1}' },
  { path: '/schema', method: 'POST' },
  { path: '/schema/', method: 'POST', body: '{"n":11}' },
  { path: '/SCHEMA', method: 'POST', body: '{"n":11}' },
]

// A second request hidden behind the first must meet its own guard.
const GUARDED = 'GET /jwt HTTP/1.1\r\nHost: localhost\r\n\r\n'
const smuggleCases: Case[] = [
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
const unreadCases: Case[] = (
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

const methodCases: Case[] = [
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
  { method, path: '/rl-h', headers: [['X-Client', 'a']] as Fields },
])

const luaCases: Case[] = [
  get('/lua-r/x'),
  get('/lua-r/x', [['X-Deny', '1']]),
  get('/lua-r/x', [['x-deny', '1']]),
  get('/lua-r/x', [['X-Deny', '']]),
  get('/lua-r/x', [
    ['X-Deny', ''],
    ['X-Deny', '1'],
  ]),
  get('/lua-r/x?q=evil'),
  get('/lua-r/x?q=good&q=evil'),
  get('/lua-r/x?q=%65vil'),
  get('/lua-r/x?Q=evil'),
  get('/lua-r/x?q=evil;'),
  get('/lua-r/admin'),
  get('/lua-r/%61dmin'),
  get('/lua-r/Admin'),
  get('/lua-r/x?admin'),
  get('/lua-r/x?%61dmin'),
  get('/lua-r/x', [['Host', 'LOCALHOST']]),
  get('/lua-r/x', [['Host', 'localhost:80']]),
  get('/lua-r/x', [['X-Forwarded-Host', 'localhost']]),
  get('/lua-r/x', [], { authority: 'localhost' }),
  h1('http://localhost/lua-r/x', []),
  h1('http://localhost/lua-r/x?admin', []),
  h1('/lua-r/x', ['X-Deny:']),
  get('/lua-p/x'),
  get('/lua-p/x', [['X-Deny', '1']]),
  get('/lua-p/x', [['x-deny', '1']]),
  get('/lua-p/x', [
    ['X-Deny', ''],
    ['X-Deny', '1'],
  ]),
  get('/lua-p/x?q=evil'),
  get('/lua-p/x?q=%65vil'),
  get('/lua-p/x?q=good&q=evil'),
  get('/lua-p/x?q=evil;'),
  get('/lua-p/x?Q=evil'),
  get('/lua-p/admin'),
  get('/lua-p/%61dmin'),
  get('/lua-p/adm%69n'),
  get('/lua-p/ADMIN'),
  get('/lua-p/admin%2F'),
  get('/lua-p/admin%20'),
]

const martianCases: Case[] = [
  get('/martian', [['X-Secret', 's']]),
  get('/martian', [['x-secret', 's']]),
  get('/martian', [['X-SECRET', 's']]),
  get('/martian', [
    ['X-Secret', 's'],
    ['X-Secret', 't'],
  ]),
  get('/martian', [
    ['X-Secret', 's'],
    ['X-Keep', 'k'],
  ]),
  h1('/martian', ['X-Secret : s']),
  h1('/martian', ['X-Secret\t: s']),
  h1('/martian', ['X_Secret: s']),
  get('/martian', [['X-Trigger', 'on']]),
  get('/martian', [['x-trigger', 'on']]),
  get('/martian', [['X-Trigger', 'ON']]),
  get('/martian', [['X-Trigger', ' on ']]),
  get('/martian', [['X-Trigger', 'on, off']]),
  get('/martian', [
    ['X-Trigger', 'off'],
    ['X-Trigger', 'on'],
  ]),
  get('/martian', [
    ['X-Trigger', 'on'],
    ['X-Trigger', 'off'],
  ]),
  get('/martian', [['X-Trigger', '']]),
  get('/martian?secret=s&keep=k'),
  get('/martian?secret=s&trig=on'),
  get('/martian?trig=on&secret=s'),
  get('/martian?secret=s&trig=ON'),
  get('/martian?secret=s&TRIG=on'),
  get('/martian?secret=s&trig=on&trig=off'),
  get('/martian?secret=s&trig=off&trig=on'),
  get('/martian?secret=s&%74rig=on'),
  get('/martian?secret=s&trig=o%6E'),
  get('/martian?secret=s;trig=on'),
  get('/martian?secret=s&trig=on;'),
  get('/martian?secret=s&trig'),
]

const allowCases: Case[] = [
  {
    path: '/allow?a=1&b=2&c=3',
    method: 'POST',
    body: '{}',
    headers: [
      ['X-Allowed', '1'],
      ['X-Other', '2'],
    ],
  },
  { path: '/allow', method: 'POST', body: '{}', headers: [['x-allowed', '1']] },
  {
    path: '/allow',
    method: 'POST',
    body: '{}',
    headers: [
      ['X-ALLOWED', '1'],
      ['x-allowed', '2'],
    ],
  },
  { path: '/allow', method: 'POST', body: '{}', headers: [['X-Allowed', '']] },
  { path: '/allow', method: 'POST', body: '{}', headers: [['X-Allowed', ' a , b ']] },
  { path: '/allow', method: 'POST', body: '{}', headers: [['Content-Type', 'text/x; a=1']] },
  {
    path: '/allow',
    method: 'POST',
    body: '{}',
    headers: [
      ['Content-Type', 'a/b'],
      ['Content-Type', 'c/d'],
    ],
  },
  { path: '/allow', method: 'POST', body: '{}', headers: [['Connection', 'X-Allowed']] },
  {
    path: '/allow',
    method: 'POST',
    body: '{}',
    headers: [
      ['X-Allowed', '1'],
      ['Connection', 'X-Allowed'],
    ],
  },
  h1('/allow', ['X_Allowed: 1', 'Content-Length: 2'], 'POST', '{}'),
  h1('/allow', ['X-Allowed : 1', 'Content-Length: 2'], 'POST', '{}'),
  h1('/allow', ['X-Allowed: 1', ' 2', 'Content-Length: 2'], 'POST', '{}'),
  h1('/allow', ['Content-Length: 2', 'Trailer: X-Allowed'], 'POST', '{}'),
  h1(
    '/allow',
    ['Transfer-Encoding: chunked', 'Trailer: X-Allowed'],
    'POST',
    '2\r\n{}\r\n0\r\nX-Allowed: t\r\nX-Other: o\r\n\r\n',
  ),
  h1('/allow', ['Transfer-Encoding: chunked'], 'POST', '2\r\n{}\r\n0\r\nContent-Type: evil/x\r\n\r\n'),
  { path: '/allow?A=1&a=2&b=3', method: 'POST', body: '{}' },
  { path: '/allow?%61=1&c=2', method: 'POST', body: '{}' },
  { path: '/allow?a=1;c=2', method: 'POST', body: '{}' },
  { path: '/allow?c=2;a=1', method: 'POST', body: '{}' },
  { path: '/allow?a=1&a=2&a', method: 'POST', body: '{}' },
  { path: '/allow?a[]=1&b.c=2', method: 'POST', body: '{}' },
  { path: '/allow?a=%zz&b=1', method: 'POST', body: '{}' },
  { path: '/allow?a=1%26c=2', method: 'POST', body: '{}' },
  { path: '/allow?a=1+2&b=%2B', method: 'POST', body: '{}' },
  { path: '/allow?a=%C3%A9&b=%FF', method: 'POST', body: '{}' },
  { path: '/allow?&=x&a=', method: 'POST', body: '{}' },
  get('/allow-get?a=1&b=2', [
    ['X-Allowed', '1'],
    ['X-Other', '2'],
  ]),
  get('/allow-get?a=1', [['X-Forwarded-For', '6.6.6.6']]),
  get('/allow-get?a=1', [['X-Forwarded-Host', 'good.example']]),
  get('/allow-get?a=1', [['Cookie', 'a=1']]),
  get('/allow-get', [['Authorization', 'Bearer x']]),
  get('/allow-get', [['Content-Type', 'application/json']]),
  get('/allow-get', [['Content-Length', '0']]),
  get('/allow-get', [['Accept-Encoding', 'br']]),
  get('/allow-get', [['X-Allowed', 'v']], { authority: 'good.example' }),
  {
    path: '/allow-get',
    raw: raw('GET', '/allow-get', ['Host: localhost', 'X-Allowed: 1', 'Connection: close, X-Allowed']),
  },
  { path: '/allow-get', raw: raw('GET', '/allow-get?a=1', ['X-Allowed: 1'], '', 'HTTP/1.0') },
  { path: '/open', raw: raw('GET', 'http://localhost/open?a=1', ['Host: localhost', 'Connection: close']) },
]

const host = (value: string): Fields => [['Host', value]]
const hostCases: Case[] = [
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

const origin = (value: string): Fields => [['Origin', value]]
const preflight = (o: string, m = 'GET', extra: Fields = []): Case => ({
  method: 'OPTIONS',
  path: '/open',
  headers: [...origin(o), ['Access-Control-Request-Method', m], ...extra],
})
const corsCases: Case[] = [
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
const byteCases: Case[] = BYTES.flatMap((code) => {
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

// Seeded: a guarded base request, one to three mutations drawn from the ones above.
const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 15485863 + 11)
const BASES: Array<() => Case> = [
  () => get('/jwt', auth(`Bearer ${pick([GOOD, BAD, NOSUB])}`)),
  () => get('/jwt-cookie', cookie(`tok=${pick([GOOD, BAD])}`)),
  () => get('/jwt-roles/x', auth(`Bearer ${pick([ADMIN, USER])}`)),
  () => get('/bot', ua(pick(['evil', 'xbot', 'curl/1', 'Mozilla/5.0', 'botgood', '']))),
  () =>
    get('/cel-h', [['X-Pass', pick(['yes', 'no'])], ...(rnd() < 0.5 ? ([['X-Deny', '1']] as Fields) : [])]),
  () => get(`/cel-q?${pick(['q=evil', 'q=good', 'r=1', 'q=good&r=', 'q=evil&q=good'])}`),
  () => get(`/cel-p/${pick(['admin', 'user'])}`),
  () =>
    get('/martian?secret=s&trig=on', [
      ['X-Secret', 's'],
      ['X-Trigger', 'on'],
    ]),
  () => ({
    path: '/allow?a=1&c=3',
    method: 'POST',
    body: '{}',
    headers: [
      ['X-Allowed', '1'],
      ['X-Other', '2'],
    ],
  }),
  () => ({ path: '/schema', method: 'POST', body: pick(['{"n":1}', '{"n":11}', '{}', '']) }),
  () => get('/open', [...host(pick(['localhost', 'evil.example', 'good.example']))]),
  () => preflight(pick(['https://a.example', 'https://evil.example', 'http://x.b.example'])),
]
const MUTATIONS: Array<(c: Case) => Case> = [
  (c) => ({
    ...c,
    headers: (c.headers ?? []).map(([n, v]) => [pick([n.toLowerCase(), n.toUpperCase(), n]), v]),
  }),
  (c) => ({ ...c, headers: (c.headers ?? []).flatMap((f) => (rnd() < 0.5 ? [f, f] : [f])) }),
  (c) => ({
    ...c,
    headers: (c.headers ?? []).map(([n, v]) => [n, pick([` ${v}`, `${v} `, `${v}\t`, `\t${v}`])]),
  }),
  (c) => ({
    ...c,
    headers: (c.headers ?? []).map(([n, v]) => [n, pick(['', `${v}, x`, `x, ${v}`, `${v},${v}`])]),
  }),
  (c) => ({
    ...c,
    headers: [...(c.headers ?? []), ...(c.headers ?? []).map(([n]) => [n, 'other'] as [string, string])],
  }),
  (c) => ({
    ...c,
    headers: [...(c.headers ?? []).map(([n]) => [n, 'other'] as [string, string]), ...(c.headers ?? [])],
  }),
  (c) => ({
    ...c,
    path: c.path.replace(/^\/[^/?]+/, (p) => pick([p.toUpperCase(), `/${p}`, `/.${p}`, `${p}/`, `${p}%2F`])),
  }),
  (c) => ({ ...c, path: c.path.replace(/[a-z]/, (ch) => `%${ch.charCodeAt(0).toString(16)}`) }),
  (c) => ({
    ...c,
    path: c.path.includes('?')
      ? c.path.replace('?', pick(['?&', '?x;', '?%61=1&']))
      : `${c.path}?${pick(['a', ';', '#'])}`,
  }),
  (c) => ({ ...c, method: (c.method ?? 'GET').toLowerCase() }),
  (c) => ({
    ...c,
    headers: [...(c.headers ?? []), ['Host', pick(['localhost', 'LOCALHOST', 'evil.example'])]],
  }),
  (c) => ({
    ...c,
    headers: [...(c.headers ?? []), ['X-Forwarded-Host', pick(['localhost', 'evil.example', ''])]],
  }),
]
const seeded: Case[] = Array.from({ length: Number(process.env.N ?? 60) }, () => {
  let c = pick(BASES)()
  for (let i = 0, n = 1 + Math.floor(rnd() * 3); i < n; i++) c = pick(MUTATIONS)(c)
  return c
})

export const cases: Case[] = [
  ...jwtCases,
  ...cookieCases,
  ...roleCases,
  ...botCases,
  ...rlCases,
  ...celCases,
  ...schemaCases,
  ...smuggleCases,
  ...unreadCases,
  ...methodCases,
  ...luaCases,
  ...martianCases,
  ...allowCases,
  ...hostCases,
  ...corsCases,
  ...byteCases,
  ...seeded,
]
