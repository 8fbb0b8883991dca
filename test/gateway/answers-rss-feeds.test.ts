// The `rss` encoding's answers as KrakenD CE gives them (krakend-rss over mmcdole/gofeed): items are
// gofeed's Item structs (fields in declaration order, parsed dates in UTC), and the feed is read only
// up to the end of its root element. Found by the response-side differential fuzz.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const ITEM =
  '<item><title>t</title><link>http://e/0</link><author>a@b.c (Ann)</author>' +
  '<enclosure url="http://e/x.mp3" length="12" type="audio/mpeg"/><pubDate>Mon, 2 Jan 2006 15:04:05 +0100</pubDate>' +
  '<guid>g1</guid><category>c1</category><description>d</description></item>'
const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://e/</link><description>D</description>${ITEM}</channel></rss>`
const ATOM =
  '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:x</id>' +
  '<entry><title>E</title><link href="http://e/1"/><id>urn:1</id><updated>2003-12-13T18:30:02.250Z</updated>' +
  '<published>2003-12-13T08:29:29-04:00</published><summary>S</summary><author><name>J</name></author></entry></feed>'

const FEEDS: Record<string, string> = {
  '/rss': RSS,
  '/atom': ATOM,
  // what follows the root element is never read by gofeed
  '/rss-tail': `${RSS}}{"not":"xml"`,
  '/atom-tail': `${ATOM}<second/>`,
  // entries without child elements: empty items to gofeed (they were dropped)
  '/atom-empty-entries':
    '<feed xmlns="http://www.w3.org/2005/Atom"><entry></entry><entry>text only</entry><entry/><entry><id>x</id></entry></feed>',
  '/dates': RSS.replace(/<pubDate>.*<\/pubDate>/, '<pubDate>02 Jan 06 15:04 EST</pubDate>'),
  '/bad-date': RSS.replace(/<pubDate>.*<\/pubDate>/, '<pubDate>Mon, 30 Feb 2004 10:00:00 GMT</pubDate>'),
  // a one-digit day or a long day name reaches gofeed's named-zone layouts, which load EST; no zone is UTC
  '/zones': RSS.replace(
    ITEM,
    '<item><title>a</title><pubDate>Mon, 2 Jan 2006 15:04:05 EST</pubDate></item>' +
      '<item><title>b</title><pubDate>Mon, 02 Jan 2006 15:04:05</pubDate></item>' +
      '<item><title>c</title><pubDate>Monday, 02 Jan 2006 15:04:05 EST</pubDate></item>',
  ),
  // Atom links by rel (alternate is the link, alternate and self the links, enclosure the enclosures)
  '/atom-links':
    '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>' +
    '<entry><title>E</title><link rel="self" href="http://e/s"/><link rel="related" href="http://e/r"/><id>1</id>' +
    '<updated>2003-12-13T18:30:02Z</updated></entry>' +
    '<entry><link href="http://e/1"/><link rel="alternate" href="http://e/2"/>' +
    '<link rel="enclosure" href="http://e/a.mp3" length="99" type="audio/mpeg"/><author><name>A</name></author>' +
    '<author><email>b@e</email></author><author></author><published>2003-12-13T08:29:29-04:00</published></entry></feed>',
  // a JSON Feed (jsonfeed.org), which gofeed reads too
  '/json': JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: 'F',
    icon: 'http://e/i.png',
    author: { name: 'Ann <a@b.c>' },
    items: [
      {
        id: '1',
        url: 'http://e/1',
        external_url: 'http://x/1',
        content_text: 't',
        summary: 'S',
        date_published: '2010-02-07T14:04:00-05:00',
        author: { name: 'a@b.c (Ann)' },
        tags: ['a'],
        attachments: [{ url: 'http://e/a.mp3', mime_type: 'audio/mpeg', duration_in_seconds: 60 }],
      },
    ],
  }),
  '/json-typed-wrong': '{"title":5}',
  // RDF: the channel's fields, the root's image, Dublin Core filling what the items lack
  '/whole-rdf':
    '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>R</title><link>http://e/</link><description>D</description><dc:date>2006-01-02T15:04:05+07:00</dc:date><dc:rights>CC</dc:rights></channel><image><url>http://e/i.png</url></image><item><title>I</title><link>http://e/i</link><dc:creator>Ann (a@b.c)</dc:creator><dc:date>2006-01-02T15:04:05+07:00</dc:date><dc:subject>s1</dc:subject><dc:date></dc:date></item><item><dc:title>DT</dc:title><dc:description>DD</dc:description><dc:creator></dc:creator></item></rdf:RDF>',
  // HTML's named references, numeric ones, an unknown one and escaped ones, as gofeed decodes them
  '/whole-entities':
    '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><description>a &nbsp; b &copy; &#169; &#x263A;</description><item><title>a &amp;nbsp; b &amp;amp; c &amp;lt;d&amp;gt;</title><description>&lt;p&gt;x&amp;y&lt;/p&gt; &eacute; &hellip; &#8217; &rsquo;</description></item><item><title>&foo; bar</title></item><item><title>R&amp;D &#38; &#x26; more</title></item></channel></rss>',
  // an Atom entry's extension elements (gofeed keeps them, without Dublin Core or iTunes readings)
  '/whole-atom-extensions':
    '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xml:lang="en"><title>A</title><entry><title>E</title><id>1</id><dc:creator>Ann</dc:creator><media:group xmlns:media="http://search.yahoo.com/mrss/"><media:title>MT</media:title><media:thumbnail url="http://e/t.png"/></media:group></entry><entry><title>F</title><x:y xmlns:x="http://example.com/x" a="1">v</x:y></entry></feed>',
  // namespaces as WordPress and podcast feeds declare them: extensions under their prefixes
  '/whole-wordpress':
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:DC="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><Title>Blog</Title><atom:link href="http://e/feed" rel="self" type="application/rss+xml"/><link>http://e</link><description>B</description><sy:updatePeriod>hourly</sy:updatePeriod><itunes:author>Pod Caster</itunes:author><itunes:image href="http://e/pod.png"/><itunes:keywords>k1,k2</itunes:keywords><itunes:category text="Tech"><itunes:category text="Gadgets"/></itunes:category><image><title>x</title></image><item><title>Post</title><link>http://e/p</link><comments>http://e/p#c</comments><DC:creator><![CDATA[admin]]></DC:creator><pubDate>Mon, 02 Jan 2006 15:04:05 +0000</pubDate><category><![CDATA[News]]></category><guid isPermaLink="false">http://e/?p=1</guid><description><![CDATA[short]]></description><content:encoded><![CDATA[<p>long</p>]]></content:encoded><wfw:commentRss>http://e/p/feed</wfw:commentRss><slash:comments>3</slash:comments><itunes:duration>1:00</itunes:duration><itunes:keywords>a,b</itunes:keywords><itunes:image href="http://e/ep.png"/><foo>bar</foo><Extra a="1">x</Extra><undeclared:thing k="v">t<sub>s</sub></undeclared:thing></item></channel></rss>',
  // text elements read from their raw inner XML (child elements kept as written, CDATA as gofeed's
  // StripCDATA reads it), and <item> / <ITEM> / <Item> in document order
  '/whole-raw-text':
    '<?xml version="1.0"?><rss version="2.0"><channel><title>T &amp; <b>x</b></title><description>  pre <![CDATA[<i>c</i>]]> mid <![CDATA[d]]> post  </description><item><title>one</title><description><p>raw <b>html</b></p> tail &amp; &eacute; &#233; &foo;</description><content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">x <![CDATA[<p>c</p>]]> y</content:encoded></item><ITEM><title>two</title><Description a="1">&lt;q&gt; &amp;x after</Description></ITEM><item><title>three</title><author>  a@b.c (Ann)  </author><guid>&lt;g&gt;</guid><category>c<x/>d</category></item><Item><title>four</title></Item></channel></rss>',
  // an `&` that starts no reference, as sloppy feeds write it: gofeed's non-strict encoding/xml keeps it as text
  '/whole-bare-ampersand':
    '<?xml version="1.0"?><rss version="2.0"><channel><title>News & more</title><description>AT&T &amp bare</description><item><title>Q&A: x & y</title><description>a &amp b; c &#X41; &a-b; <![CDATA[<i>&</i>]]> tail & end</description><guid>http://e/?a=1&b=2</guid><enclosure url="http://e/x.mp3?a=1&b=2" length="1" type="audio/mpeg"/><rating>R&B & soul</rating><category domain="d&e">Tom & Jerry</category></item></channel></rss>',
  '/whole-atom-bare-ampersand':
    '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A & B</title><entry><title>E &amp x</title><summary>s & t</summary><link href="http://e/?a=1&b=2"/><id>1</id></entry></feed>',
  // custom item elements holding elements, CDATA and references: gofeed reads them with ParseText too
  '/whole-custom-raw':
    '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>t</title><custom1>k<y a="1">z</y>w</custom1><Extra b="2"> <![CDATA[<p>c</p>]]> </Extra><note>&#X41; &eacute; &amp;lt; x</note><media:x xmlns:media="http://search.yahoo.com/mrss/">m<custom1>q</custom1></media:x></item><ITEM><custom1>plain</custom1></ITEM></channel></rss>',
  '/whole-custom-default-namespace':
    '<?xml version="1.0"?><rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel><title>T</title><item><title>t</title><custom1>k<y>z</y>w &amp;lt;</custom1></item></channel></rss>',
  // element names in any case, a custom one keeping its spelling; references as html.UnescapeString reads them
  // a title or description inside an extension element is the extension's child, its text decoded
  '/whole-extension-text':
    '<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title><item><title>i</title><media:group><title>a &amp; b</title><description>&lt;p&gt;</description></media:group></item></channel></rss>',
  '/whole-any-case':
    '<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:c="http://purl.org/rss/1.0/modules/content/"><channel><Title>T</Title><atom:link href="http://x/&amp;y" rel="self"/><dc:title>&lt;dc&gt;</dc:title><ManagingEditor>a@b (A &amp; B)</ManagingEditor><LastBuildDate>Mon, 02 Jan 2006 15:04:05 GMT</LastBuildDate><itunes:author>I &amp; A</itunes:author><Language> en </Language><item><dc:title>&lt;dt&gt;</dc:title><dc:creator>x &amp; y</dc:creator><Link>http://e/&amp;1</Link><c:encoded>&lt;p&gt;</c:encoded><PubDate>Mon, 02 Jan 2006 15:04:05 GMT</PubDate><Category domain="d">&lt;c&gt;</Category><category></category><Guid isPermaLink="false"> g </Guid><Enclosure url="u" length="1" type="t"/></item><ITEM><description/><title>   </title><description><![CDATA[a]]></description><Comments>c</Comments><Language>l</Language></ITEM><item><title><![CDATA[x]]>mid<![CDATA[y]]></title><description>a&amp;b&#x41;&#128;</description></item></channel></rss>',
}

let backend: Server
let gw: Running

before(async () => {
  backend = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(FEEDS[req.url ?? ''] ?? '')
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: Object.keys(FEEDS).map((path) => ({
        endpoint: path,
        backend: [
          {
            host,
            url_pattern: path,
            encoding: 'rss',
            ...(path.startsWith('/json') || path.startsWith('/whole') ? {} : { allow: ['items'] }),
          },
        ],
      })),
    }),
  )
})

after(async () => {
  await gw?.close()
  backend?.close()
})

const itemsOf = async (path: string) => {
  const r = await send(gw.url, { path })
  assert.equal(r.status, 200, `${path}: ${r.text}`)
  return r.text
}

const RSS_ITEMS =
  '{"items":[{"title":"t","description":"d","link":"http://e/0","links":["http://e/0"],' +
  '"published":"Mon, 2 Jan 2006 15:04:05 +0100","publishedParsed":"2006-01-02T14:04:05Z",' +
  '"author":{"name":"Ann","email":"a@b.c"},"authors":[{"name":"Ann","email":"a@b.c"}],"guid":"g1",' +
  '"categories":["c1"],"enclosures":[{"url":"http://e/x.mp3","length":"12","type":"audio/mpeg"}]}]}'
const ATOM_ITEMS =
  '{"items":[{"title":"E","description":"S","link":"http://e/1","links":["http://e/1"],' +
  '"updated":"2003-12-13T18:30:02.250Z","updatedParsed":"2003-12-13T18:30:02.25Z",' +
  '"published":"2003-12-13T08:29:29-04:00","publishedParsed":"2003-12-13T12:29:29Z",' +
  '"author":{"name":"J"},"authors":[{"name":"J"}],"guid":"urn:1"}]}'

test("an RSS item is gofeed's Item: its fields in Go's order, the date parsed to UTC", async () => {
  assert.equal(await itemsOf('/rss'), RSS_ITEMS)
})

test("an Atom entry is gofeed's Item too: updated before published, both parsed", async () => {
  assert.equal(await itemsOf('/atom'), ATOM_ITEMS)
})

test('an Atom entry without child elements is an empty item, as in gofeed (it was dropped)', async () => {
  assert.equal(await itemsOf('/atom-empty-entries'), '{"items":[{},{},{},{"guid":"x"}]}')
})

test('bytes after the feed root element do not fail the feed (it was a 500)', async () => {
  assert.equal(await itemsOf('/rss-tail'), RSS_ITEMS)
  assert.equal(await itemsOf('/atom-tail'), ATOM_ITEMS)
})

test('an RFC 822 date with a two-digit year and a zone name reads as UTC; an impossible date has no parsed time', async () => {
  assert.match(
    await itemsOf('/dates'),
    /"published":"02 Jan 06 15:04 EST","publishedParsed":"2006-01-02T15:04:00Z"/,
  )
  const bad = await itemsOf('/bad-date')
  assert.match(bad, /"published":"Mon, 30 Feb 2004 10:00:00 GMT","author"/)
})

test('a JSON Feed is read as gofeed reads it (it was a 500): type json, its dates keep their offset', async () => {
  assert.equal(
    await itemsOf('/json'),
    '{"author":{"email":"Ann \\u003ca@b.c\\u003e"},"categories":null,"copyright":"","custom":null,"description":"",' +
      '"img_url":"http://e/i.png","items":[{"description":"S","content":"t","link":"http://e/1",' +
      '"links":["http://e/1","http://x/1"],"published":"2010-02-07T14:04:00-05:00",' +
      '"publishedParsed":"2010-02-07T14:04:00-05:00","author":{"name":"Ann","email":"a@b.c"},' +
      '"authors":[{"name":"Ann","email":"a@b.c"}],"guid":"1","categories":["a"],' +
      '"enclosures":[{"url":"http://e/a.mp3","length":"60","type":"audio/mpeg"}]}],"language":"",' +
      '"published":"2010-02-07T14:04:00-05:00","title":"F","type":"json","updated":""}',
  )
  const wrong = await send(gw.url, { path: '/json-typed-wrong' })
  assert.equal(wrong.status, 500)
})

test('Atom links by rel, every author, and an entry without <published> published when updated', async () => {
  assert.equal(
    await itemsOf('/atom-links'),
    '{"items":[{"title":"E","links":["http://e/s"],"updated":"2003-12-13T18:30:02Z",' +
      '"updatedParsed":"2003-12-13T18:30:02Z","published":"2003-12-13T18:30:02Z",' +
      '"publishedParsed":"2003-12-13T18:30:02Z","guid":"1"},' +
      '{"link":"http://e/1","links":["http://e/1","http://e/2"],"published":"2003-12-13T08:29:29-04:00",' +
      '"publishedParsed":"2003-12-13T12:29:29Z","author":{"name":"A"},"authors":[{"name":"A"},{"email":"b@e"},{}],' +
      '"enclosures":[{"url":"http://e/a.mp3","length":"99","type":"audio/mpeg"}]}]}',
  )
})

test("a zone name gofeed loads is that zone's offset; a date without zone is UTC", async () => {
  const r = await itemsOf('/zones')
  assert.match(r, /"published":"Mon, 2 Jan 2006 15:04:05 EST","publishedParsed":"2006-01-02T20:04:05Z"/)
  assert.match(r, /"published":"Mon, 02 Jan 2006 15:04:05","publishedParsed":"2006-01-02T15:04:05Z"/)
  // a long day name is not RFC 1123's either: the named-zone layouts load EST
  assert.match(r, /"published":"Monday, 02 Jan 2006 15:04:05 EST","publishedParsed":"2006-01-02T20:04:05Z"/)
})

// KrakenD CE 2.13.8's answers for the same feeds, byte for byte.
const WHOLE_RDF =
  '{"author":null,"categories":null,"copyright":"CC","custom":null,"description":"D","img_url":"http://e/i.png","items":[{"title":"I","link":"http://e/i","links":["http://e/i"],"published":"2006-01-02T15:04:05+07:00","publishedParsed":"2006-01-02T15:04:05+07:00","author":{"name":"Ann","email":"a@b.c"},"authors":[{"name":"Ann","email":"a@b.c"}],"categories":["s1"],"dcExt":{"creator":["Ann (a@b.c)"],"subject":["s1"],"date":["2006-01-02T15:04:05+07:00",""]},"extensions":{"dc":{"creator":[{"name":"creator","value":"Ann (a@b.c)","attrs":{},"children":{}}],"date":[{"name":"date","value":"2006-01-02T15:04:05+07:00","attrs":{},"children":{}},{"name":"date","value":"","attrs":{},"children":{}}],"subject":[{"name":"subject","value":"s1","attrs":{},"children":{}}]}}},{"title":"DT","description":"DD","author":{},"authors":[{}],"dcExt":{"title":["DT"],"creator":[""],"description":["DD"]},"extensions":{"dc":{"creator":[{"name":"creator","value":"","attrs":{},"children":{}}],"description":[{"name":"description","value":"DD","attrs":{},"children":{}}],"title":[{"name":"title","value":"DT","attrs":{},"children":{}}]}}}],"language":"","published":"","title":"R","type":"rss","updated":"2006-01-02T15:04:05+07:00"}'
const WHOLE_WORDPRESS =
  '{"author":{"name":"Pod Caster"},"categories":["k1","k2","Tech","Gadgets"],"copyright":"","custom":null,"description":"B","img_url":"","items":[{"title":"Post","description":"short","content":"\\u003cp\\u003elong\\u003c/p\\u003e","link":"http://e/p","links":["http://e/p"],"published":"Mon, 02 Jan 2006 15:04:05 +0000","publishedParsed":"2006-01-02T15:04:05Z","author":{"name":"admin"},"authors":[{"name":"admin"}],"guid":"http://e/?p=1","image":{"url":"http://e/ep.png"},"categories":["News","a","b"],"dcExt":{"creator":["admin"]},"itunesExt":{"duration":"1:00","keywords":"a,b","image":"http://e/ep.png"},"extensions":{"dc":{"creator":[{"name":"creator","value":"admin","attrs":{},"children":{}}]},"itunes":{"duration":[{"name":"duration","value":"1:00","attrs":{},"children":{}}],"image":[{"name":"image","value":"","attrs":{"href":"http://e/ep.png"},"children":{}}],"keywords":[{"name":"keywords","value":"a,b","attrs":{},"children":{}}]},"slash":{"comments":[{"name":"comments","value":"3","attrs":{},"children":{}}]},"undeclared":{"thing":[{"name":"thing","value":"t","attrs":{"k":"v"},"children":{"sub":[{"name":"sub","value":"s","attrs":{},"children":{}}]}}]},"wfw":{"commentRss":[{"name":"commentRss","value":"http://e/p/feed","attrs":{},"children":{}}]}},"custom":{"Extra":"x","foo":"bar"}}],"language":"","published":"","title":"Blog","type":"rss","updated":""}'

test('an RDF feed: the channel is read (title, description: they were empty), Dublin Core dates and creators, dcExt and extensions', async () => {
  assert.equal(await itemsOf('/whole-rdf'), WHOLE_RDF)
})

test('extension elements by namespace (canonical prefixes first), iTunes and Dublin Core readings, custom item elements, an image without url', async () => {
  assert.equal(await itemsOf('/whole-wordpress'), WHOLE_WORDPRESS)
})

const WHOLE_ENTITIES =
  '{"author":null,"categories":null,"copyright":"","custom":null,"description":"a \u00a0 b \u00a9 \u00a9 \u263a","items":[{"title":"a \\u0026nbsp; b \\u0026amp; c \\u0026lt;d\\u0026gt;","description":"\\u003cp\\u003ex\\u0026y\\u003c/p\\u003e \u00e9 \u2026 \u2019 \u2019"},{"title":"\\u0026foo; bar"},{"title":"R\\u0026D \\u0026 \\u0026 more"}],"language":"","published":"","title":"T","type":"rss","updated":""}'

test('character references in feed text decode as gofeed decodes them: HTML names (&eacute;, &hellip;) and numbers, escaped ones once (they stayed as written)', async () => {
  assert.equal(await itemsOf('/whole-entities'), WHOLE_ENTITIES)
})

const WHOLE_ATOM_EXTENSIONS =
  '{"author":null,"categories":null,"copyright":"","custom":null,"description":"","items":[{"title":"E","guid":"1","extensions":{"dc":{"creator":[{"name":"creator","value":"Ann","attrs":{},"children":{}}]},"media":{"group":[{"name":"group","value":"","attrs":{"media":"http://search.yahoo.com/mrss/"},"children":{"thumbnail":[{"name":"thumbnail","value":"","attrs":{"url":"http://e/t.png"},"children":{}}],"title":[{"name":"title","value":"MT","attrs":{},"children":{}}]}}]}}},{"title":"F","extensions":{"x":{"y":[{"name":"y","value":"v","attrs":{"a":"1","x":"http://example.com/x"},"children":{}}]}}}],"language":"en","published":"","title":"A","type":"atom","updated":""}'

test("an Atom entry's extension elements are kept under their prefixes, as gofeed keeps them (they were dropped)", async () => {
  assert.equal(await itemsOf('/whole-atom-extensions'), WHOLE_ATOM_EXTENSIONS)
})

// KrakenD CE 2.13.8's answers to feeds whose text elements gofeed reads as raw inner XML
const RAW_TEXT_ANSWERS: Array<{ path: string; title: string; answer: string }> = [
  {
    path: '/whole-raw-text',
    title:
      'an element holding elements or CDATA answers its raw inner XML as gofeed reads it, and items of every spelling keep document order (child elements were dropped, CDATA kept the text around it, <ITEM> came last)',
    answer:
      '{"author":null,"categories":null,"copyright":"","custom":null,"description":"\\u003ci\\u003ec\\u003c/i\\u003ed","items":[{"title":"one","description":"\\u003cp\\u003eraw \\u003cb\\u003ehtml\\u003c/b\\u003e\\u003c/p\\u003e tail \\u0026 \u00e9 \u00e9 \\u0026foo;","content":"\\u003cp\\u003ec\\u003c/p\\u003e y"},{"title":"two","description":"\\u003cq\\u003e \\u0026x after"},{"title":"three","author":{"name":"Ann","email":"a@b.c"},"authors":[{"name":"Ann","email":"a@b.c"}],"guid":"\\u003cg\\u003e","categories":["c\\u003cx/\\u003ed"]},{"title":"four"}],"language":"","published":"","title":"T \\u0026 \\u003cb\\u003ex\\u003c/b\\u003e","type":"rss","updated":""}',
  },
  {
    path: '/whole-any-case',
    title:
      'RSS element names in any case (<Link>, <ManagingEditor>, <LastBuildDate>), a custom element keeping its spelling, &#128; as Windows-1252 reads it',
    answer:
      '{"author":{"name":"A \\u0026 B","email":"a@b"},"categories":null,"copyright":"","custom":null,"description":"","items":[{"title":"\\u003cdt\\u003e","link":"http://e/\\u00261","links":["http://e/\\u00261"],"published":"Mon, 02 Jan 2006 15:04:05 GMT","publishedParsed":"2006-01-02T15:04:05Z","author":{"name":"x \\u0026 y"},"authors":[{"name":"x \\u0026 y"}],"guid":"g","categories":["\\u003cc\\u003e",""],"enclosures":[{"url":"u","length":"1","type":"t"}],"dcExt":{"title":["\\u003cdt\\u003e"],"creator":["x \\u0026 y"]},"extensions":{"content":{"encoded":[{"name":"encoded","value":"\\u003cp\\u003e","attrs":{},"children":{}}]},"dc":{"creator":[{"name":"creator","value":"x \\u0026 y","attrs":{},"children":{}}],"title":[{"name":"title","value":"\\u003cdt\\u003e","attrs":{},"children":{}}]}}},{"description":"a","custom":{"Language":"l"}},{"title":"xy","description":"a\\u0026bA\u20ac"}],"language":"en","published":"","title":"T","type":"rss","updated":"Mon, 02 Jan 2006 15:04:05 GMT"}',
  },
  {
    path: '/whole-extension-text',
    title:
      'a <title> or <description> inside an extension element is read as an extension child, its references decoded',
    answer:
      '{"author":null,"categories":null,"copyright":"","custom":null,"description":"","items":[{"title":"i","extensions":{"media":{"group":[{"name":"group","value":"","attrs":{},"children":{"description":[{"name":"description","value":"\\u003cp\\u003e","attrs":{},"children":{}}],"title":[{"name":"title","value":"a \\u0026 b","attrs":{},"children":{}}]}}]}}}],"language":"","published":"","title":"T","type":"rss","updated":""}',
  },
  {
    path: '/whole-bare-ampersand',
    title:
      'an & that starts no reference (x & y, AT&T, &amp without ;) is text in any element or attribute, as non-strict encoding/xml reads it (it was a 500)',
    answer:
      '{"author":null,"categories":null,"copyright":"","custom":null,"description":"AT\\u0026T \\u0026amp bare","items":[{"title":"Q\\u0026A: x \\u0026 y","description":"\\u003ci\\u003e\\u0026\\u003c/i\\u003e tail \\u0026 end","guid":"http://e/?a=1\\u0026b=2","categories":["Tom \\u0026 Jerry"],"enclosures":[{"url":"http://e/x.mp3?a=1\\u0026b=2","length":"1","type":"audio/mpeg"}],"custom":{"rating":"R\\u0026B \\u0026 soul"}}],"language":"","published":"","title":"News \\u0026 more","type":"rss","updated":""}',
  },
  {
    path: '/whole-atom-bare-ampersand',
    title: 'an Atom feed with an & that starts no reference is read too (it was a 500)',
    answer:
      '{"author":null,"categories":null,"copyright":"","custom":null,"description":"","items":[{"title":"E \\u0026amp x","description":"s \\u0026 t","link":"http://e/?a=1\\u0026b=2","links":["http://e/?a=1\\u0026b=2"],"guid":"1"}],"language":"","published":"","title":"A \\u0026 B","type":"atom","updated":""}',
  },
  {
    path: '/whole-custom-raw',
    title:
      'a custom item element answers its raw inner XML as ParseText reads it: child elements kept, CDATA unwrapped, references as html.UnescapeString reads them (children were dropped)',
    answer:
      '{"author":null,"categories":null,"copyright":"","custom":null,"description":"","items":[{"title":"t","extensions":{"media":{"x":[{"name":"x","value":"m","attrs":{"media":"http://search.yahoo.com/mrss/"},"children":{"custom1":[{"name":"custom1","value":"q","attrs":{},"children":{}}]}}]}},"custom":{"Extra":"\\u003cp\\u003ec\\u003c/p\\u003e","custom1":"k\\u003cy a=\\"1\\"\\u003ez\\u003c/y\\u003ew","note":"A é \\u0026lt; x"}},{"custom":{"custom1":"plain"}}],"language":"","published":"","title":"T","type":"rss","updated":""}',
  },
  {
    path: '/whole-custom-default-namespace',
    title: 'a custom item element in a feed with a default namespace is read raw too (children were dropped)',
    answer:
      '{"author":null,"categories":null,"copyright":"","custom":null,"description":"","items":[{"title":"t","custom":{"custom1":"k\\u003cy\\u003ez\\u003c/y\\u003ew \\u0026lt;"}}],"language":"","published":"","title":"T","type":"rss","updated":""}',
  },
]

for (const { path, title, answer } of RAW_TEXT_ANSWERS)
  test(title, async () => {
    assert.equal(await itemsOf(path), answer)
  })
