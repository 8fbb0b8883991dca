// node:http pools its request parsers and hands the same one to connection after connection. The
// hook that reads on after a request asking to switch protocols (upgrade-leftover.ts) wrapped the
// parser's execute once per connection: the wrappers piled up on the pooled parser, each holding an
// old connection, and after about 10,000 connections its execute overflowed the stack — thrown from
// the parser, the process ended (found by crash2, session 53: 12,000 plain `GET /__health` requests,
// each on its own connection). Checked here on the listener itself: a parser serving many
// connections keeps one execute, and reading on still works for the connection it serves now.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { AddressInfo, Socket } from 'node:net'
import { after, before, test } from 'node:test'
import { createServer } from '../../src/gateway/node-http.ts'
import { exchange, statusLines } from './raw-exchange.ts'

const server = createServer({ maxHeaderBytes: 1 << 20 }, (req, res) => res.end(req.url))
const executes = new Map<object, Set<unknown>>()
server.on('connection', (socket: Socket) => {
  const parser = (socket as Socket & { parser?: { execute: unknown } }).parser
  if (!parser) return
  const seen = executes.get(parser) ?? new Set()
  seen.add(parser.execute)
  executes.set(parser, seen)
})
let url = ''

before(async () => {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => new Promise<void>((resolve) => server.close(() => resolve())))

const close = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`
const upgrade = (path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n`

test('a pooled parser keeps one execute however many connections it serves', async () => {
  for (let i = 0; i < 50; i++)
    assert.deepEqual(statusLines(await exchange(url, close(`/${i}`))), ['HTTP/1.1 200 OK'])
  const reused = [...executes.values()].filter((seen) => seen.size > 0)
  assert.ok(reused.length < 50, `parsers were reused (${reused.length} parsers for 50 connections)`)
  for (const seen of reused) assert.equal(seen.size, 1)
})

test('on a reused parser, what follows a request asking to switch is read for its own connection', async () => {
  for (let i = 0; i < 3; i++) {
    const answer = await exchange(url, `${upgrade(`/up${i}`)}${close(`/next${i}`)}`)
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'])
    assert.match(answer, new RegExp(`/up${i}[\\s\\S]*/next${i}`))
  }
})
