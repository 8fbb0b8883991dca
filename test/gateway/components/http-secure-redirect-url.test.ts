import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { rawRequest, sendRaw } from '../helpers.ts'

// unrolled/secure redirects to url.String() of the request URL with scheme https and the host
// (Host, or a host_proxy_headers value): Go escapes the host (escape(host, encodeHost)), so a `/`,
// `?`, `#` or `@` a client put in X-Forwarded-Host stays inside the host instead of starting a path,
// query or another authority, and writes the path as EscapedPath.
const gateway = gatewayWith((backend) => ({
  version: 3,
  extra_config: { 'security/http': { ssl_redirect: true, host_proxy_headers: ['X-Forwarded-Host'] } },
  endpoints: [{ endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
}))

const location = async (target: string, ...lines: string[]) => {
  const res = await sendRaw(gateway.url, rawRequest([`GET ${target} HTTP/1.1`, 'Host: gw.example', ...lines]))
  assert.equal(res.status, 301)
  return /\r\nLocation: ([^\r]*)/.exec(res.head)?.[1]
}

describe('security/http: the ssl_redirect Location as Go writes the URL', () => {
  test('URL syntax in a forwarded host is escaped inside the host', async () => {
    assert.equal(
      await location('/a?q=1', 'X-Forwarded-Host: evil.example/x'),
      'https://evil.example%2Fx/a?q=1',
    )
    assert.equal(
      await location('/a?q=1', 'X-Forwarded-Host: user@evil.example'),
      'https://user%40evil.example/a?q=1',
    )
    assert.equal(await location('/a', 'X-Forwarded-Host: evil.example?x'), 'https://evil.example%3Fx/a')
    assert.equal(await location('/a', 'X-Forwarded-Host: evil.example\\x'), 'https://evil.example%5Cx/a')
    assert.equal(await location('/a', 'X-Forwarded-Host: a b.example'), 'https://a%20b.example/a')
    assert.equal(await location('/a', 'X-Forwarded-Host: gw.example:8443'), 'https://gw.example:8443/a')
  })

  test('a path with bytes a URL path escapes is written escaped; a validly encoded one as it came', async () => {
    assert.equal(await location('/a"b'), 'https://gw.example/a%22b')
    assert.equal(await location('/a#frag'), 'https://gw.example/a%23frag')
    assert.equal(await location('/a{b}|c'), 'https://gw.example/a%7Bb%7D%7Cc')
    assert.equal(await location("/a!'()*;b%2Fc?x=<y>"), "https://gw.example/a!'()*;b%2Fc?x=<y>")
  })

  test("a target with no path or one without '/' keeps Go's r.URL: `*` gets a '/', CONNECT's host:port and a pathless absolute URL none", async () => {
    const answer = async (line: string, ...lines: string[]) => {
      const res = await sendRaw(gateway.url, rawRequest([line, 'Host: gw.example', ...lines]))
      assert.equal(res.status, 301)
      return /\r\nLocation: ([^\r]*)/.exec(res.head)?.[1]
    }
    assert.equal(await answer('GET * HTTP/1.1'), 'https://gw.example/*')
    assert.equal(await answer('POST * HTTP/1.1', 'Content-Length: 0'), 'https://gw.example/*')
    assert.equal(await answer('CONNECT gw.example:443 HTTP/1.1'), 'https://gw.example:443')
    assert.equal(await answer('CONNECT other.example:443?x=1 HTTP/1.1'), 'https://other.example:443?x=1')
    assert.equal(
      await answer('CONNECT other.example:443 HTTP/1.1', 'X-Forwarded-Host: gw.example'),
      'https://gw.example',
    )
    assert.equal(await answer('GET http://gw.example HTTP/1.1'), 'https://gw.example')
    assert.equal(await answer('GET http://gw.example?q=1 HTTP/1.1'), 'https://gw.example?q=1')
    assert.equal(await answer('GET http://gw.example/?q=1 HTTP/1.1'), 'https://gw.example/?q=1')
  })

  test("an absolute-form target's userinfo stays in the Location, unescaped and escaped again as Go's URL.User", async () => {
    const cases: Array<[string, string]> = [
      ['http://u:p@gw.example/a', 'https://u:p@gw.example/a'],
      ['http://%41@gw.example/a?x', 'https://A@gw.example/a?x'],
      ['http://@gw.example', 'https://@gw.example'],
      ['http://u:@gw.example/a', 'https://u:@gw.example/a'],
      ['http://a:b:c@gw.example/', 'https://a:b%3Ac@gw.example/'],
      ["http://!$&'()*+,;=@gw.example/", 'https://%21$&%27%28%29%2A+,;=@gw.example/'],
    ]
    for (const [target, expected] of cases) assert.equal(await location(target), expected, target)
    const connect = await sendRaw(
      gateway.url,
      rawRequest(['CONNECT u:p@gw.example:443?x HTTP/1.1', 'Host: h']),
    )
    assert.match(connect.head, /\r\nLocation: https:\/\/u:p@gw\.example:443\?x\r\n/)
  })

  test("GET *: the body's link is the Location", async () => {
    const { port } = new URL(gateway.url)
    const socket = connect(Number(port), '127.0.0.1')
    socket.end(rawRequest(['GET * HTTP/1.1', 'Host: gw.example']))
    const chunks: Buffer[] = []
    for await (const chunk of socket) chunks.push(chunk as Buffer)
    assert.ok(
      Buffer.concat(chunks)
        .toString('latin1')
        .endsWith('\r\n\r\n<a href="https://gw.example/*">Moved Permanently</a>.\n\n'),
    )
  })

  test('HEAD: a 301 with the Location, no body and no Content-Length, as Go writes an empty answer to HEAD', async () => {
    const res = await sendRaw(gateway.url, rawRequest(['HEAD /a HTTP/1.1', 'Host: gw.example']))
    assert.equal(res.status, 301)
    assert.match(res.head, /\r\nLocation: https:\/\/gw\.example\/a\r\n/)
    assert.doesNotMatch(res.head, /Content-Length/i)
  })

  test("the GET body's link carries a query's raw bytes as sent, Location their %xx escapes", async () => {
    const { port } = new URL(gateway.url)
    const socket = connect(Number(port), '127.0.0.1')
    socket.end(Buffer.from(rawRequest(['GET /a?q=\u00e9&x=<y> HTTP/1.1', 'Host: gw.example']), 'latin1'))
    const chunks: Buffer[] = []
    for await (const chunk of socket) chunks.push(chunk as Buffer)
    const answer = Buffer.concat(chunks).toString('latin1')
    assert.match(answer, /\r\nLocation: https:\/\/gw\.example\/a\?q=%e9&x=<y>\r\n/)
    assert.ok(
      answer.endsWith(
        '\r\n\r\n<a href="https://gw.example/a?q=\u00e9&amp;x=&lt;y&gt;">Moved Permanently</a>.\n\n',
      ),
    )
  })
})
