// A Lua custom_error with a 1xx status but 101 (validators 3): Go's WriteHeader writes it as an
// interim head (the headers set until then: lura's two, custom_error's type, never a sniffed one)
// and returns; the message's write, or the handler's end, then makes the answer a 200. Answered as
// a final 1xx, the exchange never ended: the next pipelined answer was taken for it, and every one
// after was shifted by one. A 204's message gets no sniffed Content-Type (Go's bodyAllowedForStatus).
// Bytes checked against KrakenD CE 2.13.8 (the validators harness, lua100 cases).
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, startBackend, startGateway, type TestBackend } from '../helpers.ts'

describe('custom_error with an informational status', () => {
  let backend: TestBackend
  let gateway: Running
  before(async () => {
    backend = await startBackend('api')
    const host = [backend.origin]
    const lua = (namespace: string, call: string) => ({ [namespace]: { pre: call } })
    gateway = await startGateway(
      mustConfig({
        version: 3,
        extra_config: { router: { return_error_msg: true } },
        endpoints: [
          ['/proxy-100', lua('modifier/lua-proxy', "custom_error('boom', 100)")],
          ['/proxy-103-typed', lua('modifier/lua-proxy', "custom_error('boom', 103, 'application/x-boom')")],
          ['/endpoint-100', lua('modifier/lua-endpoint', "custom_error('boom', 100)")],
          ['/proxy-204', lua('modifier/lua-proxy', "custom_error('boom', 204)")],
          ['/ok', {}],
        ].map(([endpoint, extra_config]) => ({
          endpoint,
          extra_config,
          backend: [{ host, url_pattern: '/echo' }],
        })),
      }),
    )
  })
  after(async () => {
    await gateway?.close()
    await backend?.close()
  })

  /** Two requests pipelined on one connection: the bytes that came back within a second of the last. */
  const pipelined = async (path: string): Promise<string> => {
    const { hostname, port } = new URL(gateway.url)
    const socket = connect(Number(port), hostname)
    const request = (p: string) => `GET ${p} HTTP/1.1\r\nHost: gw.example\r\n\r\n`
    socket.write(request(path) + request('/ok'))
    let text = ''
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1')
    })
    for (let idle = 0; idle < 10; idle++) {
      const before = text.length
      await new Promise((resolve) => setTimeout(resolve, 100))
      if (text.length === before && text.includes('"url":"/echo"')) break
      if (text.length !== before) idle = 0
    }
    socket.destroy()
    return text.replace(/\r\nDate: [^\r]*/g, '')
  }

  test("proxy level: an interim 100 with lura's headers, then a 200 carrying the message, then the next answer", async () => {
    const text = await pipelined('/proxy-100')
    const [interim, final, next] = text.split(/(?=HTTP\/1\.1 )/)
    assert.equal(
      interim,
      'HTTP/1.1 100 Continue\r\nX-Krakend: Version 2.13.8\r\nX-Krakend-Completed: false\r\n\r\n',
    )
    assert.match(final ?? '', /^HTTP\/1\.1 200 OK\r\n/)
    assert.match(final ?? '', /\r\nContent-Length: 4\r\n/)
    assert.match(final ?? '', /\r\nContent-Type: text\/plain; charset=utf-8\r\n/)
    assert.ok(final?.endsWith('\r\n\r\nboom'), final)
    assert.match(
      next ?? '',
      /^HTTP\/1\.1 200 OK\r\n[\s\S]*"url":"\/echo"/,
      'the /ok answer follows, not in its place',
    )
  })

  test("custom_error's own type is set before the interim head is written; lua-endpoint ends with an empty 200", async () => {
    const [typed] = (await pipelined('/proxy-103-typed')).split(/(?=HTTP\/1\.1 )/)
    assert.match(typed ?? '', /^HTTP\/1\.1 103 Early Hints\r\nContent-Type: application\/x-boom\r\n/)
    const [interim, final] = (await pipelined('/endpoint-100')).split(/(?=HTTP\/1\.1 )/)
    assert.match(interim ?? '', /^HTTP\/1\.1 100 Continue\r\n/)
    assert.match(final ?? '', /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 0\r\n\r\n$/)
  })

  test('a 204 message: no sniffed Content-Type (Go sniffs only where a body is allowed)', async () => {
    const [answer] = (await pipelined('/proxy-204')).split(/(?=HTTP\/1\.1 )/)
    assert.match(answer ?? '', /^HTTP\/1\.1 204 No Content\r\n/)
    assert.doesNotMatch(answer ?? '', /Content-Type/)
  })
})
