// The YAML output against goccy/go-yaml v1.19.2 (gin's c.YAML in KrakenD CE 2.13.8): each row is a
// backend JSON body and what KrakenD's Marshal of it (decoded with UseNumber, as lura does) wrote.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { invalidByteMark } from '../../src/gateway/go-bytes-string.ts'
import { GoFloat64 } from '../../src/gateway/go-float.ts'
import { goResponseError } from '../../src/gateway/go-json.ts'
import { parseJsonKeepingNumbers } from '../../src/gateway/go-json-decoder.ts'
import { writeYaml } from '../../src/gateway/yaml-encoding.ts'

const GOCCY: Array<[body: string, yaml: string]> = [
  [
    '{"a":"x\\"y","b":"line1\\nline2","c":"#x","n":"yes","k":1.50,"e":{},"l":[],"z":null,"t":true}',
    'a: x"y\nb: |-\n  line1\n  line2\nc: "#x"\ne: {}\nk: "1.50"\nl: []\n"n": "yes"\nt: true\nz: null\n',
  ],
  [
    '{"quote":"{\\"b\\":1}","brace":"[1]","amp":"&a","colon":"a: b","dash":"- a","hash":"a#b","bs":"a\\\\b","tail":"a:","sp":" a","tsp":"a "}',
    'amp: "&a"\nbrace: "[1]"\nbs: "a\\\\b"\ncolon: "a: b"\ndash: "- a"\nhash: "a#b"\nquote: "{\\"b\\":1}"\nsp: " a"\ntail: "a:"\ntsp: "a "\n',
  ],
  [
    '{"nbsp":"a\\u00a0b","ctl":"\\u0001z","bom":"\\ufeffx","emoji":"\ud83d\ude00","tab":"\\tx","nel":"a\\u0085b","ls":"a\\u2028b"}',
    'bom: \ufeffx\nctl: \u0001z\nemoji: \ud83d\ude00\nls: a\u2028b\nnbsp: a\u00a0b\nnel: a\u0085b\ntab: \tx\n',
  ],
  [
    '{"n1":1e3,"n2":1.5e300,"n3":12345678901234567890,"n4":-0,"n5":99999999999999999999,"s1":"0755","s2":"08","s3":"0x1F","s4":"0xZZ","s5":"1_000","s6":"+1","s7":".5","s8":"1.5e999"}',
    'n1: 1e3\nn2: "1.5e300"\nn3: "12345678901234567890"\nn4: "-0"\nn5: "99999999999999999999"\ns1: "0755"\ns2: 08\ns3: "0x1F"\ns4: 0xZZ\ns5: "1_000"\ns6: "+1"\ns7: ".5"\ns8: "1.5e999"\n',
  ],
  [
    '{"d1":"2001-12-14","d2":"2001-02-30","d3":"2001-12-14 21:59:43.10","d4":"2001-12-14T21:59:43Z","d5":"2001-12-14t21:59:43.5+01:00","d6":"12:30","d7":"24:00","d8":"1:2"}',
    'd1: "2001-12-14"\nd2: 2001-02-30\nd3: "2001-12-14 21:59:43.10"\nd4: "2001-12-14T21:59:43Z"\nd5: "2001-12-14t21:59:43.5+01:00"\nd6: "12:30"\nd7: 24:00\nd8: "1:2"\n',
  ],
  [
    '{"keep":"a\\n","plus":"a\\n\\n","strip":"a\\nb","cr":"a\\rb","crlf":"a\\r\\nb\\r\\n","mixed":"a\\r\\nb\\nc","blank":"a\\n\\nb"}',
    'blank: |-\n  a\n  \n  b\ncr: |-\r  a\r  b\ncrlf: |\r\n  a\r\n  b\nkeep: |\n  a\nmixed: |-\n  a\r\n  b\n  c\nplus: |+\n  a\n\nstrip: |-\n  a\n  b\n',
  ],
  [
    '{"deep":{"list":["x\\ny",{"k":"v\\nw","j":["p\\nq"]},[["a\\nb"]]],"m":{"s":"a\\nb"}}}',
    'deep:\n  list:\n  - |-\n    x\n    y\n  - j:\n    - |-\n      p\n      q\n    k: |-\n      v\n      w\n  - - - |-\n        a\n        b\n  m:\n    s: |-\n      a\n      b\n',
  ],
  [
    '{"y":1,"Y":2,"on":"off","~":"null","N":"No","TRUE":"True","-":"-","":"e"}',
    '"": e\n"-": "-"\n"N": "No"\n"TRUE": "True"\n"Y": "2"\n"on": "off"\n"y": "1"\n"~": "null"\n',
  ],
  [
    '{"seq":[[1,[2,{"a":[]}]],{},[],{"x":{}}],"\u00e9":1,"z\ud83d\ude00":2,"z\\uffff":3}',
    'seq:\n- - "1"\n  - - "2"\n    - a: []\n- {}\n- []\n- x: {}\nz\uffff: "3"\nz\ud83d\ude00: "2"\n\u00e9: "1"\n',
  ],
]

test('strings are quoted, kept plain or written as literal blocks as goccy does', () => {
  for (const [body, yaml] of GOCCY)
    assert.equal(writeYaml(parseJsonKeepingNumbers(body) as Record<string, unknown>), yaml, body)
})

test("return_error_details: lura's embedded HTTPResponseError under its field name, the status an int", () => {
  const details = goResponseError({
    http_status_code: 400,
    http_body: '{"error":"code 400","n":400}',
    http_body_encoding: 'application/json',
  })
  // As KrakenD answered a backend's 400 with return_error_details "be0" and output_encoding yaml.
  assert.equal(
    writeYaml({ error_be0: details }),
    'error_be0:\n  httpresponseerror:\n    http_status_code: 400\n    http_body: "{\\"error\\":\\"code 400\\",\\"n\\":400}"\n    http_body_encoding: application/json\n',
  )
})

test("the config's numbers are float64s: goccy's %g with .0 for whole numbers", () => {
  assert.equal(
    writeYaml({
      a: new GoFloat64(5),
      b: new GoFloat64(1e6),
      c: new GoFloat64(0.1),
      d: new GoFloat64(-Infinity),
    }),
    'a: 5.0\nb: 1e+06\nc: 0.1\nd: -.inf\n',
  )
})

test("a quoted string's bytes that are not UTF-8 are strconv.Quote's \\xNN escapes (a string backend's Latin-1)", () => {
  // As KrakenD answered a string backend's `{"a":1}` + 0xff 0xfe with output_encoding negotiate (YAML).
  const text = `{"a":1}${invalidByteMark(0xff)}${invalidByteMark(0xfe)}`
  assert.equal(writeYaml({ content: text }), 'content: "{\\"a\\":1}\\xff\\xfe"\n')
})
