// The `xml` output encoding's `#text` key (mxj's text key): a string is escaped as element text, anything
// else is written as fmt's %v, unescaped — `<nil>`, `map[k:v]`, `[1 2]` — where this runtime wrote JS's
// String() (`[object Object]`) or nothing. Found by krakend-diff's encgen generator (SEED=6005 and five
// more seeds, one case each); each answer below is KrakenD CE 2.13.8's.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseJsonKeepingNumbers } from '../../src/gateway/go-json-decoder.ts'
import { writeXml } from '../../src/gateway/xml-writer.ts'

const xml = (json: string) => writeXml(parseJsonKeepingNumbers(json) as Record<string, unknown>)

describe('xml output: a #text that is not a string', () => {
  test('a map, a list or null prints as Go %v, unescaped', () => {
    assert.equal(xml('{"a":{"#text":{"k":"<&>","n":null},"b":1}}'), '<a>map[k:<&> n:<nil>]<b>1</b></a>')
    assert.equal(xml('{"a":{"#text":null,"b":1}}'), '<a><nil><b>1</b></a>')
    assert.equal(xml('{"a":{"#text":null}}'), '<a><nil></a>')
    assert.equal(xml('{"a":{"#text":[1,{"x":"2"}]}}'), '<a>[1 map[x:2]]</a>')
    assert.equal(xml('{"a":{"#text":[]}}'), '<a>[]</a>')
    assert.equal(xml('{"#text":{"a":1},"b":2}'), '<doc>map[a:1]<b>2</b></doc>')
    assert.equal(xml('{"a":{"-x":1,"#text":{"k":1}}}'), '<a x="1">map[k:1]</a>')
  })

  test('a string is still escaped, a number still printed as it came', () => {
    assert.equal(xml('{"a":{"#text":"<&>","b":1}}'), '<a>&lt;&amp;&gt;<b>1</b></a>')
    assert.equal(xml('{"a":{"#text":1.50}}'), '<a>1.50</a>')
  })
})
