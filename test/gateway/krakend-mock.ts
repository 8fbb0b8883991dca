// A Node backend that answers like the Go mock backend of KrakenD CE's integration suite
// (krakend-ce tests/integration.go), written from its description, so our own conformance cases
// and scripts/krakend-specs.ts compare against the same answers KrakenD's harness sees:
//   /param_forwarding/...  echo {foo: 42, headers, path, query[, body with ?dump_body=1]} as Go JSON
//                          (json.Encoder: sorted keys, HTML escapes, trailing newline), two Set-Cookie
//   /collection/...        ten {"i": n, "path": <path>} items
//   /delayed/...           the echo after `delayMs` (200 ms)
//   /redirect/...          http.Redirect to /param_forwarding/ (same query) with ?status=CODE (301)
//   /xml                   a small XML document
// Every route but /xml first checks that X-Forwarded-For is one loopback address (400 otherwise).
// Like Go's ServeMux, `/param_forwarding` without its slash is a 301 to `/param_forwarding/`, and
// anything else is `404 page not found\n`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { isIP } from 'node:net'
import { goJson } from '../../src/gateway/go-json.ts'
import { goHeaders, parseGoQuery, queryObject } from '../../src/gateway/go-url.ts'
import { listenTestBackend, type SeenRequest, type TestBackend } from './helpers.ts'

const SUBTREES = ['/param_forwarding/', '/collection/', '/delayed/', '/redirect/']
const XML = `<?xml version="1.0" encoding="UTF-8"?>
<user type="admin">
  <name>Elliot</name>
  <social>
    <facebook>https://facebook.com</facebook>
    <twitter>https://twitter.com</twitter>
    <youtube>https://youtube.com</youtube>
  </social>
</user>`

export interface KrakendMockOptions {
  delayMs?: number
  port?: number
  /** Fixed JSON answers by exact path (e.g. a JWK set a caller read from elsewhere at run time). */
  jsonRoutes?: Record<string, string>
  /** Fixed answers of any type by exact path (e.g. RSS feeds standing in for a public site). */
  routes?: Record<string, { contentType: string; body: string }>
}

export async function startKrakendMock(
  name = 'mock',
  options: KrakendMockOptions = {},
): Promise<TestBackend> {
  const seen: SeenRequest[] = []
  const delayMs = options.delayMs ?? 200
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      const fixed = options.jsonRoutes?.[req.url ?? '']
      const other = options.routes?.[req.url ?? '']
      if (fixed !== undefined) send(res, 200, { 'content-type': 'application/json' }, fixed)
      else if (other !== undefined) send(res, 200, { 'content-type': other.contentType }, other.body)
      else route(req, res, body, delayMs)
    })
  })
  return listenTestBackend(server, name, seen, options.port)
}

function route(req: IncomingMessage, res: ServerResponse, body: string, delayMs: number) {
  const url = req.url ?? '/'
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  const rawQuery = q === -1 ? '' : url.slice(q + 1)
  if (path === '/xml') return send(res, 200, { 'content-type': 'application/xml; charset=utf-8' }, XML)
  const subtree = SUBTREES.find((s) => path.startsWith(s))
  if (!subtree) {
    if (SUBTREES.includes(`${path}/`))
      return redirect(req, res, `${path}/${q === -1 ? '' : `?${rawQuery}`}`, 301)
    return goError(res, 404, '404 page not found')
  }
  const forwarded = req.headersDistinct['x-forwarded-for']?.[0] ?? ''
  if (!isLoopback(forwarded)) return goError(res, 400, 'invalid X-Forwarded-For')
  const query = parseGoQuery(rawQuery)
  switch (subtree) {
    case '/collection/': {
      const items = Array.from({ length: 10 }, (_, i) => ({ i, path }))
      return send(res, 200, { 'content-type': 'application/json' }, `${goJson(items)}\n`)
    }
    case '/delayed/':
      setTimeout(() => echo(req, res, path, query, body), delayMs)
      return
    case '/redirect/': {
      const status = query.get('status')?.[0] ?? '301'
      const code = Number.parseInt(status, 10)
      if (!/^[+-]?\d+$/.test(status))
        return goError(res, 400, `strconv.Atoi: parsing "${status}": invalid syntax`)
      return redirect(req, res, `/param_forwarding/${q === -1 ? '' : `?${rawQuery}`}`, code)
    }
    default:
      return echo(req, res, path, query, body)
  }
}

function echo(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: Map<string, string[]>,
  body: string,
) {
  const headers = goHeaders(req.rawHeaders)
  delete headers['X-Forwarded-For']
  const answer: Record<string, unknown> = { foo: 42, headers, path, query: queryObject(query) }
  if (query.get('dump_body')?.[0] === '1') answer.body = body
  res.setHeader('content-type', 'application/json')
  res.setHeader('set-cookie', ['test1=test1', 'test2=test2'])
  send(res, 200, {}, `${goJson(answer)}\n`)
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, text: string): void {
  const bytes = Buffer.from(text)
  res.writeHead(status, { ...headers, 'content-length': String(bytes.length) }).end(bytes)
}

/** Go's http.Error. */
function goError(res: ServerResponse, status: number, message: string): void {
  send(
    res,
    status,
    { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
    `${message}\n`,
  )
}

/** Go's http.Redirect (an HTML body for GET). */
function redirect(req: IncomingMessage, res: ServerResponse, location: string, status: number) {
  if (req.method === 'GET' || req.method === 'HEAD') {
    const text =
      status === 301
        ? 'Moved Permanently'
        : status === 302
          ? 'Found'
          : status === 303
            ? 'See Other'
            : status === 307
              ? 'Temporary Redirect'
              : 'Permanent Redirect'
    const body = req.method === 'GET' ? `<a href="${location}">${text}</a>.\n\n` : ''
    return send(res, status, { location, 'content-type': 'text/html; charset=utf-8' }, body)
  }
  send(res, status, { location }, '')
}

function isLoopback(value: string): boolean {
  const ip = value.trim()
  if (isIP(ip) === 4) return ip.startsWith('127.')
  return ip === '::1'
}
