// Seeded `modifier/martian` trees for martiangen.config.ts: every modifier, filter and group
// krakend-martian registers on KrakenD CE 2.13.8 (google/martian at 25dcb96d, plus its own
// static.Modifier and header.Id), nested fifo/priority groups, filters with and without `else`, any
// scope (left out, null, one side, both, empty, misspelt, not a list), values drawn from the pools
// the requests (martiangen.cases.ts) draw from too, so filters hit and nearly miss: letter case,
// empty values, spaces, UTF-8, invalid regexps; and odd shapes: missing keys, wrong types, field
// names in another case, unknown fields, two keys in one modifier.

export const HEADER_NAMES = [
  'X-Tenant',
  'x-tenant',
  'X-TENANT',
  'X-Mode',
  'X-Empty',
  'Accept',
  'Authorization',
  'User-Agent',
  'Cookie',
  'Content-Type',
  'Referer',
  'Range',
  'Accept-Encoding',
  'Host',
  'X-Ünï',
  'X Bad',
  '',
]
export const HEADER_VALUES = ['acme', 'ACME', 'Acme', '', ' acme', 'acme ', 'a,b', 'beta', 'ünï', '1', 'on']
export const QUERY_NAMES = ['q', 'Q', 'mode', 'tenant', 'a b', 'ü', '', 'x']
export const QUERY_VALUES = ['acme', 'ACME', '', '1', 'a b', 'a+b', 'ü', '%zz', 'on']
export const COOKIE_NAMES = ['sid', 'SID', 'tok', 'a b', '', 'ü']
export const COOKIE_VALUES = ['1', 'abc', '', '"q"', 'a b', 'x;y']
export const REGEXPS = [
  '^acme$',
  'acme',
  '(?i)^acme$',
  'ac.e',
  '^$',
  '.*',
  '^a',
  '\\d+',
  'ü',
  '[a-c]{4}',
  '(?P<n>beta)',
  '^(acme|beta)$',
  '\\bon\\b',
  '[',
  'a**',
  '(?<n>x)',
  '\\C',
  'x{1001}',
  '',
]
export const URL_REGEXPS = [
  '/echo',
  '^http://127\\.0\\.0\\.1:BACKEND_PORT/',
  'q=acme',
  '(?i)TENANT',
  '/scripted/2',
  '\\?$',
  'ü',
  '%C3%BC',
  '[',
  '',
]
export const PATHS = ['/echo', '/echo/', '/ECHO', '/echo/x', '/e cho', '/echo/ü', '', 'echo']
export const RAW_QUERIES = ['q=acme', 'q=ACME', 'mode=1', '', 'a=1&b=2', 'q=%C3%BC', 'x y']
const SCOPES: unknown[] = [
  undefined,
  undefined,
  undefined,
  ['request'],
  ['request'],
  ['response'],
  ['response'],
  ['request', 'response'],
  ['response', 'request'],
  null,
  [],
  ['REQUEST'],
  'request',
  ['request', 'request'],
  ['both'],
]
const ODD_VALUES: unknown[] = [null, 5, true, [], {}, ['acme']]

export interface Draw {
  rnd: () => number
  pick: <T>(list: readonly T[]) => T
}

type Tree = Record<string, unknown>

/** Values of the pools both gateways refuse, drawn only into odd trees. */
const REFUSED_VALUES = new Set(['X-Ünï', 'X Bad', '', 'Host', '[', 'a**', '(?<n>x)', '\\C', 'x{1001}'])
const CLEAN_SCOPES = SCOPES.slice(0, 9)
const REQUEST_ONLY = new Set(['querystring.Modifier', 'url.Modifier', 'port.Modifier'])
const CLEAN_HEADER_NAMES = HEADER_NAMES.filter((n) => !REFUSED_VALUES.has(n))

export function trees({ rnd, pick }: Draw) {
  const maybe = (p: number) => rnd() < p
  /** Odd shapes and values are drawn only while this is set (martiangen.config.ts: some trees). */
  let odd = false
  const sometimes = (p: number) => odd && maybe(p)
  /** A pool value (without the ones both refuse, unless odd); now and then (odd) another JSON type or none. */
  const field = <T>(pool: readonly T[]): unknown => {
    if (sometimes(0.05)) return pick(ODD_VALUES)
    if (sometimes(0.03)) return undefined
    return pick(odd ? pool : pool.filter((v) => !REFUSED_VALUES.has(v as string)))
  }
  /** `clean`, or when odd now and then one of `more`. */
  const choose = <T>(clean: readonly T[], more: readonly T[]): T =>
    sometimes(0.3) ? pick(more) : pick(clean)

  /** The scope; a clean tree gives a modifier only sides it has. */
  function withScope(body: Tree, type = ''): Tree {
    const sides = odd
      ? SCOPES
      : REQUEST_ONLY.has(type)
        ? [undefined, ['request']]
        : type === 'status.Modifier'
          ? [undefined, ['response']]
          : type === 'stash.Modifier'
            ? [undefined, ['request'], ['request', 'response']]
            : CLEAN_SCOPES
    const scope = pick(sides)
    if (scope !== undefined) body.scope = scope
    return body
  }

  /** Field names in another case, an unknown field. */
  function bend(body: Tree): Tree {
    if (sometimes(0.04)) {
      const keys = Object.keys(body)
      const key = keys[Math.floor(rnd() * keys.length)]
      if (key !== undefined) {
        const value = body[key]
        delete body[key]
        body[pick([key.toUpperCase(), key[0]?.toUpperCase() + key.slice(1)])] = value
      }
    }
    if (sometimes(0.03)) body[pick(['vaule', 'nmae', 'comment', 'modifer', 'Scope'])] = pick(HEADER_VALUES)
    return body
  }

  const leaf = (type: string, body: Tree): Tree => ({ [type]: bend(withScope(body, type)) })

  function plain(): Tree {
    switch (Math.floor(rnd() * 14)) {
      case 0:
      case 1:
        return leaf('header.Modifier', { name: field(HEADER_NAMES), value: field(HEADER_VALUES) })
      case 2:
        return leaf('header.Append', { name: field(HEADER_NAMES), value: field(HEADER_VALUES) })
      case 3:
        return leaf('header.Copy', { from: field(HEADER_NAMES), to: field(HEADER_NAMES) })
      case 4:
        return leaf('header.Blacklist', {
          names: sometimes(0.05)
            ? pick(ODD_VALUES)
            : Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => field(HEADER_NAMES)),
        })
      case 5:
        return leaf('querystring.Modifier', { name: field(QUERY_NAMES), value: field(QUERY_VALUES) })
      case 6: {
        const body: Tree = { name: field(COOKIE_NAMES), value: field(COOKIE_VALUES) }
        if (maybe(0.3)) body.path = pick(['/', '/echo', ''])
        if (maybe(0.2)) body.domain = pick(['example.com', '.example.com', ''])
        if (maybe(0.2)) body.maxAge = choose([0, 60, -1], [1.5])
        if (maybe(0.2)) body.httpOnly = choose([true, false], ['yes'])
        if (maybe(0.2)) body.secure = pick([true, false])
        if (maybe(0.15)) body.expires = choose(['2030-01-02T15:04:05Z'], ['2030-01-02', ''])
        return leaf('cookie.Modifier', body)
      }
      case 7: {
        const text = pick(['{"from":"martian"}', 'plain text', '', '[1,2]', 'ü'])
        const encoded = Buffer.from(text).toString('base64')
        return leaf('body.Modifier', {
          body: sometimes(0.2) ? pick(['aGk', 'aG\nk=', 'aGk=\n', '!!', null, 7]) : encoded,
          contentType: field(['application/json', 'text/plain', '', 'application/json; charset=utf-8']),
        })
      }
      case 8: {
        const body: Tree = {}
        if (maybe(0.5)) body.path = choose(PATHS.slice(0, 4), PATHS)
        if (maybe(0.4)) body.query = choose(RAW_QUERIES.slice(0, 6), RAW_QUERIES)
        if (maybe(0.1)) body.scheme = choose(['http', ''], ['HTTP', 'ftp'])
        if (maybe(0.08))
          body.host = choose(
            ['127.0.0.1:BACKEND_PORT', ''],
            ['localhost:BACKEND_PORT', '127.0.0.1:1', '[::1]:1'],
          )
        return leaf('url.Modifier', body)
      }
      case 9:
        return leaf('status.Modifier', {
          statusCode: choose([200, 201, 204, 404, 500, 418], [200.5, '200', 99, 600]),
        })
      case 10:
        return leaf('stash.Modifier', {
          headerName: choose(['X-Stash', 'x-stash', 'X-Tenant'], ['Host', 'Referer']),
        })
      case 11: {
        const body: Tree = choose<Tree>(
          [{ port: 'BACKEND_PORT' }, { defaultForScheme: true }, { remove: true }],
          [{ port: 0 }, { port: 'BACKEND_PORT', remove: true }, { port: 70000 }],
        )
        return leaf('port.Modifier', { ...body })
      }
      case 12:
        if (odd)
          return {
            [pick([
              'header.Verifier',
              'static.Modifier',
              'header.Id',
              'skip.RoundTrip',
              'port.Filter',
              'nope.Modifier',
              'querystring.Verifier',
            ])]: withScope({ name: 'X-Tenant', value: 'acme' }),
          }
        return leaf('header.Blacklist', { names: [pick(CLEAN_HEADER_NAMES)] })
      default:
        return leaf('header.Modifier', {
          name: pick(['X-Set', 'X-Tenant', 'X-Mode']),
          value: pick(HEADER_VALUES),
        })
    }
  }

  function filter(depth: number): Tree {
    const type = pick([
      'header.Filter',
      'header.Filter',
      'querystring.Filter',
      'querystring.Filter',
      'header.RegexFilter',
      'header.RegexFilter',
      'cookie.Filter',
      'url.Filter',
      'url.RegexFilter',
    ])
    const body: Tree = {}
    switch (type) {
      case 'header.Filter':
        body.name = field(HEADER_NAMES)
        if (maybe(0.85)) body.value = field(HEADER_VALUES)
        break
      case 'querystring.Filter':
        body.name = field(QUERY_NAMES)
        if (maybe(0.6)) body.value = field(QUERY_VALUES)
        break
      case 'header.RegexFilter':
        body.header = field(HEADER_NAMES)
        body.regex = field(REGEXPS)
        break
      case 'cookie.Filter':
        body.name = field(COOKIE_NAMES)
        if (maybe(0.6)) body.value = field(COOKIE_VALUES)
        break
      case 'url.Filter':
        if (maybe(0.6)) body.path = pick(PATHS)
        if (maybe(0.5)) body.query = pick(RAW_QUERIES)
        if (maybe(0.2)) body.scheme = pick(['http', 'https', 'HTTP'])
        if (maybe(0.2))
          body.host = pick([
            '127.0.0.1:BACKEND_PORT',
            '127.0.0.1',
            '*.0.0.1:BACKEND_PORT',
            'localhost:BACKEND_PORT',
          ])
        break
      default:
        body.regex = field(URL_REGEXPS)
    }
    if (!sometimes(0.04)) body.modifier = node(depth + 1)
    if (maybe(0.5)) {
      // header.RegexFilter has no else (refused here): drawn and dropped outside ODD= so seeds stay the same.
      const otherwise = node(depth + 1)
      if (type !== 'header.RegexFilter' || odd) body.else = otherwise
    }
    return leaf(type, body)
  }

  function group(depth: number): Tree {
    const count = Math.floor(rnd() * 4)
    if (maybe(0.5)) {
      const body: Tree = { modifiers: Array.from({ length: count }, () => node(depth + 1)) }
      if (maybe(0.15)) body.aggregateErrors = choose([true, false], ['yes', null])
      return leaf('fifo.Group', body)
    }
    const entries = Array.from({ length: count }, () => {
      const entry: Tree = { modifier: node(depth + 1) }
      if (!maybe(0.1)) entry.priority = choose([0, 1, 2, 5, -1, 1], [2.5, '3', null])
      return entry
    })
    return leaf('priority.Group', { modifiers: entries })
  }

  /** A modifier: deeper down, fewer groups and filters. */
  function node(depth = 0): Tree {
    if (depth >= 3) return plain()
    const r = rnd()
    if (r < 0.3) return group(depth)
    if (r < 0.65) return filter(depth)
    if (r < 0.67 && odd) return maybe(0.5) ? {} : { ...plain(), ...plain() }
    return plain()
  }

  /** A tree; with `oddShapes` it may hold odd shapes and values. */
  const tree = (oddShapes: boolean): Tree => {
    odd = oddShapes
    return node()
  }
  return { tree }
}
