// What the celgen requests vary: path params, headers (multi-valued, absent, non-ASCII), query
// strings, methods, backend JSON bodies of every JSON type, backend headers and JWT claims.
export interface ReqSample {
  method: string
  id: string
  name: string
  headers: Array<[string, string]>
  query: Array<[string, string]>
}

/** Path segments as sent (percent-encoded where needed). */
export const PARAMS = [
  '42',
  '-1',
  '1e3',
  'NaN',
  'abc',
  'GET',
  '%C3%A9',
  '0',
  '18446744073709551615',
  'true',
  '2024-02-29T12:00:00Z',
  '1s',
]
const HEADER_VALUES = ['1', '2', 'a', '', 'é', '日本', ' x ', '42', '-0', 'application/json', '1e3', 'true']
const QUERY_VALUES = ['x', '3', '', '%C3%A9', 'a+b', '1.5', 'NaN', '-9223372036854775808', 'GET']
const METHODS = ['GET', 'POST', 'PUT', 'DELETE']

export function reqSample(rnd: () => number, pick: <T>(list: readonly T[]) => T): ReqSample {
  const headers: Array<[string, string]> = []
  for (const [i, name] of [
    'X-A',
    'X-B',
    'Content-Type',
    'x-a',
    'User-Agent',
    'Cookie',
    'X-Forwarded-For',
  ].entries()) {
    if (i > 2 && rnd() < 0.6) continue
    const count = Math.floor(rnd() * 3.4)
    for (let i = 0; i < count; i += 1) headers.push([name, pick(HEADER_VALUES)])
  }
  const query: Array<[string, string]> = []
  for (const key of ['q', 'n', 'Q', 'other']) {
    const count = Math.floor(rnd() * 2.6)
    for (let i = 0; i < count; i += 1) query.push([key, pick(QUERY_VALUES)])
  }
  return { method: pick(METHODS), id: pick(PARAMS), name: pick(PARAMS), headers, query }
}

/** Backend JSON objects (resp_data): keys a, n, b, l, m, z, f of varied JSON types. */
export const BODIES = [
  '{"a":"x","a-b":"y","n":3,"b":true,"l":[1,"s",true],"m":{"k":"v"},"z":null,"f":1.5}',
  '{"a":"","n":-0,"b":false,"l":[],"m":{},"f":1e400}',
  '{"a":1,"n":"3","l":[2.50,{"k":1}],"m":{"k":[1]},"z":{"a":1}}',
  '{"a":"é","n":12345678901234567890,"b":"true","l":["a","b"],"m":{"k":null},"f":0.1}',
  '{"n":1e3,"l":null,"m":[1],"b":1}',
  '{}',
  '[1,{"a":"x"}]',
  'not json',
  '{"a":"x","b":true,"m":{"k":"v"},"l":[1]} trailing',
  '{"a":"2024-02-29T12:00:00Z","n":9223372036854775807,"l":[[1],[]],"m":{"k":"v","a":1},"f":-1.0}',
]

/** Backend answer headers (resp_metadata_headers), each a JSON object of header lists. */
export const BACKEND_HEADERS = [
  { 'X-Be': ['1'] },
  { 'X-Be': ['a', 'b'], 'Set-Cookie': ['s=1'] },
  {},
  { 'X-Be': ['é'] },
]

/** JWT claims (signed by the recording backend's keys). */
export const CLAIMS = [
  {
    sub: 'alice',
    roles: ['admin', 'user'],
    ids: [1, 2],
    n: 3,
    exp: 4102444800,
    m: { k: 'v' },
    f: 1.5,
    iss: 'me',
  },
  { sub: '', roles: [], ids: [], n: -0, exp: 4102444800, m: {}, f: 1e300 },
  { sub: 'é', roles: 'admin', ids: [1.5, '1'], n: 1.2345678901234567e19, exp: 4102444800, m: { k: null } },
  { sub: 42, exp: 4102444800, n: '3', m: [1], iss: '' },
]
