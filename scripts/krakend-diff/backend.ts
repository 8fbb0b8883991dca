// The recording backend of krakend-diff: deterministic answers by path, every request kept (the
// User-Agent value replaced by "UA", a version-4 UUID by "UUID4"). JSON Web Keys for the JWT suites are made at start.
import { createHmac, createSign, generateKeyPairSync } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { gzipSync } from 'node:zlib'

export interface Seen {
  method: string
  url: string
  headers: string[]
  body: string
}
export const seen: Seen[] = []

/**
 * A suite's answers that change from call to call (cachegen.cases.ts): `answer` is asked first, with
 * the gateway being served (`phase`, set by run.ts: "K" or "G") so each keeps its own call count.
 * A `Date` header of "" sends none.
 */
export const hooks: {
  phase: string
  answer?: (req: IncomingMessage, phase: string) => Answer | undefined
} = { phase: '' }

const HMAC_SECRET = 'secret-key-for-diff-tests-0123456789'
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const JWKS = {
  keys: [
    { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'r1', use: 'sig' },
    { ...ec.publicKey.export({ format: 'jwk' }), kid: 'e1' },
    { kty: 'oct', kid: 'h1', k: Buffer.from(HMAC_SECRET).toString('base64url') },
  ],
}

const base64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** A JWT signed with the backend's keys (alg RS*, PS256, ES256 or HS*). */
export function sign(claims: object, header: Record<string, unknown>): string {
  const head = `${base64url(header)}.${base64url(claims)}`
  const alg = String(header.alg)
  if (!/^(RS|PS|ES)/.test(alg)) {
    const bits = /^HS(384|512)$/.exec(alg)?.[1] ?? '256'
    return `${head}.${createHmac(`sha${bits}`, HMAC_SECRET).update(head).digest('base64url')}`
  }
  const signer = createSign(alg.startsWith('ES') ? 'SHA256' : `SHA${alg.slice(2)}`).update(head)
  const key = alg.startsWith('ES')
    ? { key: ec.privateKey, dsaEncoding: 'ieee-p1363' as const }
    : alg.startsWith('PS')
      ? { key: rsa.privateKey, padding: 6, saltLength: 32 }
      : rsa.privateKey
  return `${head}.${signer.sign(key).toString('base64url')}`
}

const OBJ =
  '{"b":1,"a":"x","nested":{"z":true,"y":[1,2,{"k":"v"}],"a":null},"num":1.5e300,"big":12345678901234567890,"f":0.1,"neg":-0,"s":"<&>\\u2028é","__proto__":{"p":1},"e":{},"l":[]}'
const ARR = '[{"k":"a","n":1},{"k":"b","n":2.50},{"k":"c","deep":{"x":[true,false]}}]'
const YAMLISH =
  '{"b":1,"a":"x","nested":{"z":true,"y":[1,2.50,{"k":"v"}],"a":null},"big":12345678901234567890,"neg":-0,"__proto__":{"p":1},"e":{},"l":[],"n":"yes","on":"2001-12-14"}'

export type Answer = [status: number, headers: Record<string, string | string[]>, body?: string | Buffer]
const JSON_TYPE = { 'Content-Type': 'application/json' }

function answer(req: IncomingMessage, body: string, headers: string[]): Answer | 'slow' {
  const path = new URL(req.url ?? '/', 'http://x').pathname
  if (path.startsWith('/status/')) {
    const code = Number(path.split('/')[2])
    const status = code >= 200 && code <= 599 ? code : 500
    const empty = status === 204 || status === 304
    return [
      status,
      { ...JSON_TYPE, 'X-Be': 'status' },
      empty ? undefined : `{"error":"code ${status}","n":${status}}`,
    ]
  }
  if (path.startsWith('/scripted/')) {
    // A suite's own answer, all in the path (suites/scripted.ts): /scripted/STATUS/HEADERS/BODY with
    // HEADERS a base64url JSON object of header lists and BODY base64url bytes.
    const [, , status, head, bytes] = path.split('/')
    const fields = JSON.parse(Buffer.from(head ?? '', 'base64url').toString() || '{}')
    return [Number(status), fields, Buffer.from(bytes ?? '', 'base64url')]
  }
  if (path === '/obj' || path.startsWith('/obj/'))
    return [
      200,
      { 'Content-Type': 'application/json; charset=utf-8', 'X-Be': 'obj', 'Set-Cookie': 'a=1' },
      OBJ,
    ]
  if (path === '/cc') {
    // Caching headers from the query (cc, vary, etag, lm, exp, pragma, status); a matching If-None-Match is 304.
    const q = new URL(req.url ?? '/', 'http://x').searchParams
    const etag = q.get('etag')
    const out: Record<string, string> = { ...JSON_TYPE }
    for (const [param, name] of [
      ['cc', 'Cache-Control'],
      ['vary', 'Vary'],
      ['etag', 'ETag'],
      ['lm', 'Last-Modified'],
      ['exp', 'Expires'],
      ['pragma', 'Pragma'],
    ] as const)
      if (q.has(param)) out[name] = q.get(param) as string
    if (etag !== null && req.headers['if-none-match'] === etag) return [304, out]
    return [Number(q.get('status') ?? 200), out, JSON.stringify({ headers })]
  }
  if (path.startsWith('/echo'))
    return [
      200,
      { ...JSON_TYPE, 'X-Echo': 'yes' },
      JSON.stringify({ method: req.method, url: req.url, headers, body }),
    ]
  switch (path) {
    case '/arr':
      return [200, JSON_TYPE, ARR]
    case '/text':
      return [200, { 'Content-Type': 'text/plain' }, 'hello <world> & "you"\n']
    case '/xml':
      return [
        200,
        { 'Content-Type': 'application/xml' },
        '<?xml version="1.0"?><root a="1"><item>one</item><item>two</item><n>3</n><e/></root>',
      ]
    case '/headers':
      return [
        201,
        {
          'Content-Type': 'text/weird',
          'X-Multi': ['1', '2'],
          'Cache-Control': 'max-age=5',
          'Set-Cookie': ['s=1', 't=2'],
        },
        'raw-bytes\u0000\u00ff',
      ]
    case '/badjson':
      return [200, JSON_TYPE, '{"a":1,']
    case '/empty':
      return [200, JSON_TYPE, '']
    case '/null':
      return [200, JSON_TYPE, 'null']
    case '/str':
      return [200, JSON_TYPE, '"just a string"']
    case '/numbers':
      return [200, JSON_TYPE, '[1,2,3]']
    case '/redirect':
      return [302, { Location: '/obj' }]
    case '/loop':
      return [302, { Location: '/loop' }]
    case '/redirect-out':
      return [301, { Location: 'http://127.0.0.1:19000/obj?from=redirect' }]
    case '/big':
      return [
        200,
        JSON_TYPE,
        JSON.stringify({ data: 'x'.repeat(5000), list: Array.from({ length: 50 }, (_, i) => ({ i })) }),
      ]
    case '/gz':
      return [200, { ...JSON_TYPE, 'Content-Encoding': 'gzip' }, gzipSync('{"zipped":true,"n":1}')]
    case '/setcookie':
      return [
        200,
        {
          ...JSON_TYPE,
          'Set-Cookie': ['a=1; Path=/', 'b=2'],
          'X-Custom': 'c',
          'Cache-Control': 'no-store',
          Vary: 'Accept',
        },
        '{"ok":true}',
      ]
    case '/yamlish':
      return [200, JSON_TYPE, YAMLISH]
    case '/jwks':
      return [200, JSON_TYPE, JSON.stringify(JWKS)]
    case '/slow':
      return 'slow'
    default:
      return [404, { 'Content-Type': 'text/plain' }, 'nope']
  }
}

function reply(res: ServerResponse, [status, headers, body]: Answer) {
  if (headers.Date === '') {
    res.sendDate = false
    delete headers.Date
  }
  res.writeHead(status, headers)
  res.end(body)
}

/** A random version-4 UUID (martian's header.Id): recorded as "UUID4", its shape being the point. */
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

export function startBackend(port: number) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1')
      const headers = req.rawHeaders.map((v, i) =>
        i % 2 === 0
          ? v
          : req.rawHeaders[i - 1]?.toLowerCase() === 'user-agent'
            ? 'UA'
            : UUID4.test(v)
              ? 'UUID4'
              : v,
      )
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers, body })
      const out = hooks.answer?.(req, hooks.phase) ?? answer(req, body, headers)
      if (out === 'slow') setTimeout(() => reply(res, [200, JSON_TYPE, '{"slow":true}']), 1500)
      else reply(res, out)
    })
  })
  return new Promise<typeof server>((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)))
}
