// Bodies for schemaedge.json: strings holding bytes that are not UTF-8 (Go's decoder reads each as
// U+FFFD), duplicate keys, empty, blank and gzip bodies, a GET with and without a body, chunked
// bodies, boolean schemas. Raw HTTP/1 where the bytes matter (skipped over --h2c).
import { gzipSync } from 'node:zlib'
import type { Case } from '../run.ts'

const post = (path: string, body: string, extra = ''): Case => ({
  method: 'POST',
  path,
  raw: `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${extra}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
})
const chunked = (path: string, body: string): Case => ({
  method: 'POST',
  path,
  raw: `POST ${path} HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
})
const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1')
const BYTES = [
  '\xff',
  '\xe6\x97',
  '\xed\xa0\x80',
  '\xf4\x90\x80\x80',
  '\xc0\x80',
  utf8('\u{1F600}'),
  utf8('é'),
  'x',
]

export const cases: Case[] = [
  ...['/len', '/min', '/const', '/pattern', '/enum'].flatMap((path) =>
    BYTES.map((bytes) => post(path, `{"a":"${bytes}"}`)),
  ),
  ...BYTES.map((bytes) => post('/keys', `{"${bytes}":1}`)),
  post('/len', '{"a":"xx","a":"y"}'),
  post('/len', '{"a":"y","a":"xx"}'),
  post('/len', '{"a":"\\ud800"}'),
  post('/len', '{"a":"\\ud83d\\ude00"}'),
  post('/obj', ''),
  post('/obj', '  '),
  post('/obj', '\r\n'),
  post('/obj', 'null'),
  post('/obj', '{}  \n'),
  post('/obj', '{} {}'),
  post('/obj', gzipSync('{}').toString('latin1'), 'Content-Encoding: gzip\r\n'),
  chunked('/obj', '{}'),
  chunked('/obj', '[]'),
  chunked('/len', '{"a":"\xe6\x97"}'),
  { path: '/get' },
  {
    method: 'GET',
    path: '/get',
    raw: 'GET /get HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
  },
  {
    method: 'GET',
    path: '/get',
    raw: 'GET /get HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]',
  },
  post('/anything', '1'),
  post('/anything', ''),
  post('/true', '{"a":1}'),
  post('/true', ''),
  post('/false', '{"a":1}'),
  post('/false', 'x'),
]
