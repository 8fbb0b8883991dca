// Odd backend bodies for the encodings suite: random XML documents, feeds of every kind gofeed reads,
// and JSON texts encoding/json reads its own way. Each function draws from the suite's seeded random.
type Rnd = () => number
let rnd: Rnd = Math.random
const int = (n: number) => Math.floor(rnd() * n)
const pick = <T>(list: readonly T[]): T => list[int(list.length)] as T
const chance = (p: number) => rnd() < p

const names = ['a', 'b', 'item', 'x:y', 'n', 'Item', 'data', 'ns:item', '_u', 'é']
function xmlText(): string {
  return pick([
    'hello',
    ' spaced ',
    '1.50',
    '&amp;&lt;&gt;&quot;&apos;',
    '&#65;&#x42;',
    '<![CDATA[<raw>&]]>',
    '',
    'tab\there',
    'é€',
    '12345678901234567890',
    'true',
    '  ',
    '\n  multi\n  line\n',
  ])
}
function xmlNode(depth: number): string {
  const name = pick(names)
  let attrs = ''
  for (let i = 0; i < int(3); i++)
    attrs += ` ${pick(['id', 'k', 'xmlns', 'xmlns:x', 'x:attr', 'id'])}="${pick(['1', 'v', 'http://e/ns', '&amp;', ''])}"`
  if (chance(0.15)) return `<${name}${attrs}/>`
  let inner = ''
  const kids = depth > 3 ? 0 : int(4)
  if (kids === 0) inner = xmlText()
  else
    for (let i = 0; i < kids; i++) {
      if (chance(0.2)) inner += xmlText()
      if (chance(0.1)) inner += pick(['<!-- c -->', '<?pi x?>'])
      inner += xmlNode(depth + 1)
      if (chance(0.3))
        inner += xmlNode(depth + 1).replace(/^<([^ />]+)/, `<${name === 'item' ? 'item' : 'b'}`)
    }
  return `<${name}${attrs}>${inner}</${name}>`
}
function xmlDoc(): string | Buffer {
  const head = pick([
    '',
    '<?xml version="1.0"?>',
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<?xml version="1.0" encoding="ISO-8859-1"?>',
    '<?xml version="1.0" encoding="windows-1252"?>',
  ])
  const doc =
    head +
    (chance(0.1) ? '<!DOCTYPE r>' : '') +
    xmlNode(0) +
    pick(['', '\n', '<other/>', ' trailing', '<!-- end -->'])
  if (head.includes('ISO-8859-1') || head.includes('windows-1252'))
    return Buffer.from(doc.replace(/€/g, 'e'), 'latin1')
  return chance(0.1) ? `\ufeff${doc}` : doc
}

const dates = [
  'Mon, 02 Jan 2006 15:04:05 MST',
  'Mon, 02 Jan 2006 15:04:05 -0700',
  '2006-01-02T15:04:05Z',
  '2006-01-02T15:04:05+07:00',
  'not a date',
  '02 Jan 06 15:04 GMT',
  '2006-01-02',
  'Tue, 3 Jun 2008 11:05:30 GMT',
  '',
]
function rssDoc(): string {
  const kind = int(4)
  const item = () => {
    const parts: string[] = []
    if (chance(0.8))
      parts.push(
        `<title>${pick(['T1', 'T &amp; 2', '<![CDATA[C<b>]]>', '', ' a<![CDATA[x]]>b<![CDATA[y]]>c '])}</title>`,
      )
    if (chance(0.6)) parts.push(`<link>${pick(['http://e/1', ' http://e/2 ', ''])}</link>`)
    if (chance(0.5))
      parts.push(
        `<description>${pick(['d', '&lt;p&gt;html&lt;/p&gt;', '', '<p>raw <b>html</b></p> tail', 'pre <![CDATA[<i>c</i>]]> post'])}</description>`,
      )
    if (chance(0.5)) parts.push(`<pubDate>${pick(dates)}</pubDate>`)
    if (chance(0.4))
      parts.push(`<author>${pick(['a@b.c (Ann)', 'Ann', 'Ann &lt;a@b.c&gt;', 'a@b.c'])}</author>`)
    if (chance(0.4)) parts.push(`<category>${pick(['c1', 'c2'])}</category><category>c3</category>`)
    if (chance(0.3)) parts.push(`<guid isPermaLink="false">g${int(9)}</guid>`)
    if (chance(0.3))
      parts.push(`<enclosure url="http://e/f.mp3" length="${pick(['12', 'x'])}" type="audio/mpeg"/>`)
    const tag = pick(['item', 'item', 'ITEM', 'Item'])
    return `<${tag}>${parts.join('')}</${tag}>`
  }
  const entry = () => {
    const parts: string[] = []
    if (chance(0.8))
      parts.push(`<title${pick(['', ' type="text"'])}>${pick(['E1', 'E &amp; 2', ''])}</title>`)
    if (chance(0.6))
      parts.push(
        `<link href="http://e/${int(9)}"${pick(['', ' rel="alternate"', ' rel="enclosure" type="a/b" length="3"'])}/>`,
      )
    if (chance(0.5)) parts.push(`<updated>${pick(dates)}</updated>`)
    if (chance(0.4)) parts.push(`<published>${pick(dates)}</published>`)
    if (chance(0.4)) parts.push(`<author><name>N</name>${chance(0.5) ? '<email>e@x</email>' : ''}</author>`)
    if (chance(0.4)) parts.push(`<summary>s</summary>`)
    if (chance(0.3)) parts.push(`<content type="html">&lt;b&gt;c&lt;/b&gt;</content>`)
    if (chance(0.3)) parts.push(`<category term="t1"/><category term="t2" label="L"/>`)
    if (chance(0.3)) parts.push(`<id>urn:${int(9)}</id>`)
    return `<entry>${parts.join('')}</entry>`
  }
  const n = int(4)
  switch (kind) {
    case 0:
      return `<?xml version="1.0"?><rss version="2.0"><channel>${chance(0.8) ? '<title>Feed</title>' : ''}${chance(0.5) ? '<link>http://e/</link>' : ''}${chance(0.5) ? '<description>D</description>' : ''}${chance(0.4) ? `<pubDate>${pick(dates)}</pubDate>` : ''}${chance(0.3) ? `<lastBuildDate>${pick(dates)}</lastBuildDate>` : ''}${chance(0.3) ? '<language>en</language>' : ''}${chance(0.3) ? '<copyright>C</copyright>' : ''}${chance(0.3) ? '<image><url>http://e/i.png</url><title>I</title></image>' : ''}${chance(0.3) ? '<managingEditor>m@e (M)</managingEditor>' : ''}${Array.from({ length: n }, item).join('')}</channel></rss>`
    case 1:
      return `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">${chance(0.8) ? '<title>Atom</title>' : ''}${chance(0.5) ? `<updated>${pick(dates)}</updated>` : ''}${chance(0.4) ? '<subtitle>S</subtitle>' : ''}${chance(0.4) ? '<author><name>FA</name></author>' : ''}${chance(0.3) ? '<rights>R</rights>' : ''}${chance(0.3) ? '<logo>http://e/l.png</logo>' : ''}${chance(0.3) ? '<link href="http://e/"/>' : ''}${Array.from({ length: n }, entry).join('')}</feed>`
    case 2:
      return `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>RDF</title><link>http://e/</link><description>D</description>${chance(0.4) ? `<dc:date>${pick(dates)}</dc:date>` : ''}</channel>${Array.from({ length: n }, () => `<item><title>I</title><link>http://e/i</link>${chance(0.5) ? `<dc:date>${pick(dates)}</dc:date>` : ''}${chance(0.4) ? '<dc:creator>Cr</dc:creator>' : ''}${chance(0.3) ? '<description>d</description>' : ''}</item>`).join('')}</rdf:RDF>`
    default: {
      const f: Record<string, unknown> = {
        version: pick(['https://jsonfeed.org/version/1', 'https://jsonfeed.org/version/1.1']),
      }
      if (chance(0.8)) f.title = 'JF'
      if (chance(0.4)) f.home_page_url = 'http://e/'
      if (chance(0.3)) f.description = 'D'
      if (chance(0.3)) f.author = { name: 'A', url: 'http://a' }
      if (chance(0.3)) f.authors = [{ name: 'B' }]
      if (chance(0.2)) f.language = 'en'
      f.items = Array.from({ length: n }, () => {
        const it: Record<string, unknown> = { id: String(int(9)) }
        if (chance(0.6)) it.title = 'JT'
        if (chance(0.5)) it.content_html = '<p>x</p>'
        if (chance(0.3)) it.content_text = 't'
        if (chance(0.4)) it.date_published = pick(dates)
        if (chance(0.3)) it.date_modified = pick(dates)
        if (chance(0.3)) it.tags = ['a', 'b']
        if (chance(0.3)) it.url = 'http://e/u'
        if (chance(0.2)) it.summary = 'S'
        if (chance(0.2)) it.image = 'http://e/i.png'
        return it
      })
      return JSON.stringify(f)
    }
  }
}
function jsonDoc(): string | Buffer {
  return pick<string | Buffer>([
    '\ufeff{"a":1}',
    '{"a":1} {"b":2}',
    '{"a":1}garbage',
    '{"a":1,"a":2}',
    '{"n":123456789012345678901234567890}',
    '{"n":1e400}',
    '{"n":-0.0,"m":1E5,"k":1.0e-7}',
    '  \n {"a":[1,2,3]}  ',
    '[1,2]',
    '"str"',
    '42',
    'true',
    'null',
    '',
    ' ',
    '{"a":"\\ud800"}',
    '{"a":"\\u0000<>&"}',
    Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
    '{"__proto__":{"x":1},"constructor":2}',
    '{"a":{"b":{"c":{"d":[{}]}}}}',
    '{"":1," ":2}',
    '[{"a":1},{"b":2}]',
    '[]',
    '{}',
    '{"a":1',
    '{"a":01}',
    '{"a":.5}',
    '{"a":NaN}',
    "{'a':1}",
  ])
}

/** Runs a generator on the suite's random. */
function drawing<T>(make: () => T) {
  return (random: Rnd): T => {
    rnd = random
    return make()
  }
}
export const xmlBody = drawing(xmlDoc)
export const feedBody = drawing(rssDoc)
export const jsonBody = drawing(jsonDoc)
