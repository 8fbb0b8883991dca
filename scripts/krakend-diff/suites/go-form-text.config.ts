// Backend bodies at the edges of the Go-form text path (go-json-text.ts: a body already in Go's encoding is
// kept as text): invalid UTF-8, escapes goJson does not write, duplicate keys, keys UTF-8 and UTF-16 order apart,
// surrogates, odd number texts, trailing bytes; each through one backend (/sN), merged after a Go-form body (/mN)
// and before it (/nN). Written by session 45's regression sweep: 0/111 differ over HTTP/1.1, h2c and --yaml.
import { JSON_TYPE, scripted } from './scripted.ts'

const raw = (s: string) => Buffer.from(s, 'latin1')
export const bodies: Buffer[] = [
  raw('{"a":"x\xffy"}'),
  Buffer.from('{"a":"x\uFFFD"}'),
  Buffer.from('{"a":"\u2028"}'),
  Buffer.from('{"a":"\\u2028"}'),
  Buffer.from('{"a":"<"}'),
  Buffer.from('{"a":"\\u003c"}'),
  Buffer.from('{"a":"\\b","c":"\\f"}'),
  Buffer.from('{"a":"\\u0008"}'),
  Buffer.from('{"a":"\\u001F"}'),
  Buffer.from('{"a":"\\/"}'),
  Buffer.from('{"a":1,"a":2}'),
  Buffer.from('{"a":{"b":1,"b":2}}'),
  Buffer.from('{"\uFF01":3,"\u{1F600}":2}'),
  Buffer.from('{"\u{1F600}":2,"\uFF01":3}'),
  Buffer.from('{"a":{"\u{1F600}":2,"\uFF01":3}}'),
  Buffer.from('{"a":"\\ud83d\\ude00"}'),
  Buffer.from('{"a":"\\ud800"}'),
  Buffer.from('{"a":"\\u007f"}'),
  Buffer.from('{"a":"\u007f"}'),
  Buffer.from('{"&":1}'),
  Buffer.from('{"a":1.0,"b":-0,"c":1e400,"d":1E+2}'),
  Buffer.from('{"a":[{"z":1,"y":2}]}'),
  Buffer.from('{"a":"\\u00e9"}'),
  Buffer.from('{"a":"\u00e9","b":"\\t\\n\\r\\"\\\\"}'),
  Buffer.from('{"a":"\\u0000\\u001f"}'),
  Buffer.from('{"":1,"a":null,"b":true,"c":false,"d":[],"e":{}}'),
  Buffer.from('{"A":1,"_":2,"a":3}'),
  Buffer.from('{"a":"\\u2029\\ufffd"}'),
  raw('{"a":"\xc3\xa9\xed\xa0\x80"}'),
  Buffer.from('{"a":1}\n'),
  Buffer.from('{"a":1} '),
  Buffer.from('{"a":1}{"b":2}'),
  Buffer.from('{"a":1}x'),
  Buffer.from('{"a":01}'),
  Buffer.from('{"a":"\t"}'),
  Buffer.from('{"a":[1,2,]}'),
  Buffer.from('{"z":"\\u0026"}'),
]
const other = Buffer.from('{"m":{"k":1},"o":"other","zz":[1]}')
const be = (b: Buffer) => ({ url_pattern: scripted(200, JSON_TYPE, b), host: ['BACKEND'] })
export const config = {
  version: 3,
  port: 8080,
  endpoints: bodies.flatMap((b, i) => [
    { endpoint: `/s${i}`, backend: [be(b)] },
    { endpoint: `/m${i}`, backend: [be(b), be(other)] },
    { endpoint: `/n${i}`, backend: [be(other), be(b)] },
  ]),
}
