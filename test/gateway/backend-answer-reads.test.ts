// How much of a backend's answer is read before the gateway answers, as lura and Go's client read
// it: the XML and RSS decoders stop at the root element's end; modifier/martian's response
// modifiers read no body (body.Modifier closes it unread); Go's client reads up to 2 KB of a
// redirect's body before following it (none when Content-Length says more). The backend here
// holds each connection open after what it writes, so reading further than KrakenD does waits
// for the endpoint's deadline. Each case checked against KrakenD CE 2.13.8 (krakend-diff on the
// same held backends: 0 of 42 cases differ).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { RootEndScanner, rootElementEnd } from '../../src/gateway/xml-root-end.ts'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type AnsweringBackend, NOT_FOUND, startAnsweringBackend } from './raw-answer-backend.ts'

const answer = (status: string, extra: string, body: string) => `HTTP/1.1 ${status}\r\n${extra}\r\n${body}`
const xml = 'Content-Type: application/xml\r\n'
const chunked = 'Transfer-Encoding: chunked\r\n'
const RSS = '<rss version="2.0"><channel><title>t</title></channel></rss>'

/** What each path writes, in parts written one after the other; the connection stays open after. */
const HELD: Record<string, string[]> = {
  '/xml': [answer('200 OK', `${xml}Content-Length: 60\r\n`, '<a><b>1</b></a>')],
  // the root's end comes in a later write, its end tag split
  '/xml-parts': [answer('200 OK', `${xml}${chunked}`, 'a\r\n<a><b>1</b\r\n'), '6\r\n></a><\r\n'],
  '/rss': [answer('200 OK', `${xml}Content-Length: 200\r\n`, RSS)],
  '/json': [answer('200 OK', 'Content-Length: 20\r\n', '{"a":1}')],
  '/redirect-short': [answer('301 Moved', 'Location: /target\r\nContent-Length: 20\r\n', 'abc')],
  '/redirect-long': [answer('301 Moved', 'Location: /target\r\nContent-Length: 5000\r\n', 'abc')],
  '/redirect-chunked': [answer('301 Moved', `Location: /target\r\n${chunked}`, '3\r\nabc\r\n')],
  '/target': [answer('200 OK', 'Content-Length: 7\r\n', '{"a":1}')],
}

let backend: AnsweringBackend
let gw: Running

before(async () => {
  backend = await startAnsweringBackend((path, socket) => {
    const parts = HELD[path] ?? [NOT_FOUND]
    for (const [i, part] of parts.entries()) setTimeout(() => socket.write(part, 'latin1'), i * 30)
    return undefined
  })
  const host = [backend.origin]
  const on = (endpoint: string, path: string, more: Record<string, unknown> = {}, outer = {}) => ({
    endpoint,
    timeout: '1s',
    ...outer,
    backend: [{ host, url_pattern: path, ...more }],
  })
  const martian = (modifier: Record<string, unknown>) => ({ extra_config: { 'modifier/martian': modifier } })
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        on('/xml', '/xml', { encoding: 'xml' }),
        on('/xml-collection', '/xml', { encoding: 'xml', is_collection: true }),
        on('/xml-parts', '/xml-parts', { encoding: 'xml' }),
        on('/rss', '/rss', { encoding: 'rss' }),
        on(
          '/header-modifier',
          '/json',
          martian({ 'header.Modifier': { scope: ['response'], name: 'X-M', value: '1' } }),
        ),
        on(
          '/status-modifier',
          '/json',
          martian({ 'status.Modifier': { scope: ['response'], statusCode: 201 } }),
        ),
        on(
          '/body-modifier',
          '/json',
          martian({
            'body.Modifier': {
              scope: ['response'],
              body: Buffer.from('{"b":2}').toString('base64'),
              contentType: 'application/json',
            },
          }),
        ),
        on('/redirect-short', '/redirect-short'),
        on('/redirect-short-noop', '/redirect-short', { encoding: 'no-op' }, { output_encoding: 'no-op' }),
        on('/redirect-chunked', '/redirect-chunked'),
        on(
          '/redirect-chunked-noop',
          '/redirect-chunked',
          { encoding: 'no-op' },
          { output_encoding: 'no-op' },
        ),
        on('/redirect-long-details', '/redirect-long', {
          extra_config: { 'backend/http': { return_error_details: 'be' } },
        }),
        on('/redirect-long-code', '/redirect-long', {
          extra_config: { 'backend/http': { return_error_code: true } },
        }),
        on('/redirect-long-cache', '/redirect-long', { extra_config: { 'qos/http-cache': {} } }),
        on('/redirect-long-noop', '/redirect-long', { encoding: 'no-op' }, { output_encoding: 'no-op' }),
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

const answers = async (path: string, status: number, text: string) => {
  const res = await send(gw.url, { path })
  assert.equal(res.status, status, `${path}: ${res.text}`)
  assert.equal(res.text, text)
}

test('xml: read up to the root element end, not to the end of a body the backend holds', async () => {
  await answers('/xml', 200, '{"a":{"b":"1"}}')
  await answers('/xml-collection', 200, '{"collection":{"a":{"b":"1"}}}')
})

test('xml: a root element whose end tag comes split over later writes', async () => {
  await answers('/xml-parts', 200, '{"a":{"b":"1"}}')
})

test('rss: the feed is read up to its root element end', async () => {
  const res = await send(gw.url, { path: '/rss' })
  assert.equal(res.status, 200, res.text)
  assert.equal((JSON.parse(res.text) as { title?: string }).title, 't')
})

test("martian's response modifiers read no body: lura's decoder reads as without them", async () => {
  await answers('/header-modifier', 200, '{"a":1}')
  await answers('/status-modifier', 200, '{"a":1}')
})

test('martian body.Modifier: the backend body is never read, the modifier body is the answer', async () => {
  await answers('/body-modifier', 200, '{"b":2}')
})

test("a followed redirect's body of 2 KB or less (or of unknown length) is read first: a held one meets the deadline", async () => {
  for (const path of ['/redirect-short', '/redirect-chunked'])
    await answers(path, 500, 'context deadline exceeded')
  for (const path of ['/redirect-short-noop', '/redirect-chunked-noop']) {
    const res = await send(gw.url, { path })
    assert.equal(res.status, 500, path)
  }
})

test('a followed redirect whose Content-Length says more than 2 KB is not read: it is followed at once', async () => {
  for (const path of ['/redirect-long-details', '/redirect-long-code', '/redirect-long-cache'])
    await answers(path, 200, '{"a":1}')
  await answers('/redirect-long-noop', 200, '{"a":1}')
})

test('RootEndScanner finds the same end as rootElementEnd, whatever the chunks', () => {
  const documents = [
    '<?xml version="1.0"?><!-- <x> --><!DOCTYPE a [<!ENTITY e "<b>">]><a x="1>2"><![CDATA[</a>]]><b/>t</a>rest',
    '<a/><b></b>',
    "  <root><c a='/>'/></root>\n<more/>",
  ]
  for (const text of documents) {
    const expected = rootElementEnd(text)
    assert.ok(expected < text.length, text)
    for (let size = 1; size <= text.length; size += 1) {
      const scanner = new RootEndScanner()
      let end = -1
      for (let at = 0; at < text.length && end < 0; at += size)
        end = scanner.feed(Buffer.from(text.slice(at, at + size), 'latin1'))
      assert.equal(end, expected, `${text} in chunks of ${size}`)
    }
  }
  assert.equal(new RootEndScanner().feed(Buffer.from('<a><b>')), -1)
})
