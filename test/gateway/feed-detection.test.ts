// What the rss and xml decoders fail with before they read a document, in KrakenD CE 2.13.8's words
// (compared over return_error_msg): gofeed's detector finds no feed root ('Failed to detect feed
// type', whatever the XML parser would say), and encoding/xml cannot open a declared charset.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseFeed } from '../../src/gateway/rss-encoding.ts'
import { parseXml } from '../../src/gateway/xml-encoding.ts'

test("a body whose first element is no feed root fails gofeed's detection (it failed with the XML parser's words)", () => {
  const utf16 = Buffer.from('<?xml version="1.0" encoding="UTF-16"?><rss><channel/></rss>', 'utf16le')
  for (const body of [
    `\uFFFD\uFFFD${utf16.toString('latin1')}`,
    utf16.toString('latin1'),
    '<html><body>not a feed',
    '  <!-- c --><page><a></page>',
  ])
    assert.throws(() => parseFeed(body), { message: 'Failed to detect feed type' }, JSON.stringify(body))
  // a feed root that breaks later is the parser's failure, not the detector's
  assert.throws(
    () => parseFeed('<?xml version="1.0"?><rss><channel><title>x</channel></rss>'),
    (error: Error) => error.message.startsWith('failed to parse the feed'),
  )
})

test('an XML charset Go cannot open fails as encoding/xml words it through the decoder (the prefix was missing)', () => {
  assert.throws(() => parseXml(Buffer.from('<?xml version="1.0" encoding="bogus-enc"?><r/>')), {
    message: 'xml.Decoder.Token() - xml: opening charset "bogus-enc": unsupported charset: "bogus-enc"',
  })
})

test("an element closed with another prefix fails in encoding/xml's words, its prefixes as written (a space was missing, the spaces were resolved)", () => {
  assert.throws(() => parseXml(Buffer.from('<r><item>x</ns:item></r>')), {
    message:
      'xml.Decoder.Token() - XML syntax error on line 1: element <item> in space  closed by </item> in space ns',
  })
  assert.throws(() => parseXml(Buffer.from('<r xmlns:a="u"><a:item>x</item></r>')), {
    message:
      'xml.Decoder.Token() - XML syntax error on line 1: element <item> in space a closed by </item> in space ""',
  })
  // the prefixes are compared as written, not the spaces they stand for
  assert.throws(() => parseXml(Buffer.from('<r xmlns:a="u" xmlns:b="u"><a:item>x</b:item></r>')), {
    message:
      'xml.Decoder.Token() - XML syntax error on line 1: element <item> in space a closed by </item> in space b',
  })
})
