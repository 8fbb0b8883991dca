// The `rss` backend encoding as KrakenD CE has it (krakend-rss, which parses with mmcdole/gofeed):
// an RSS or Atom feed becomes { items, author, categories, custom, copyright, description, type,
// language, title, published, updated [, img_url] }, the keys KrakenD always sets (absent ones are
// "" or null). Items carry gofeed's JSON fields (omitted when empty); the parsed-time fields
// (publishedParsed, updatedParsed) are not produced.
import { onFirstUse, xmlLibrary } from './libraries.ts'

type Node = Record<string, unknown>

const parser = onFirstUse(
  () =>
    new (xmlLibrary().XMLParser)({
      // Every value a trimmed string, no declaration or PIs.
      ignoreAttributes: false,
      textNodeName: '#text',
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      ignoreDeclaration: true,
      ignorePiTags: true,
      processEntities: true,
      htmlEntities: false,
      attributeNamePrefix: '@',
      isArray: (name) => ['item', 'entry', 'category', 'link', 'enclosure', 'author'].includes(name),
    }),
)

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v)
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

/** The text of an element (its #text when it has attributes), "" when absent. */
function text(v: unknown): string {
  const first = Array.isArray(v) ? v[0] : v
  if (typeof first === 'string') return first
  if (isNode(first) && typeof first['#text'] === 'string') return first['#text']
  return ''
}

/** Drops "" and empty lists, like Go's `omitempty`. */
function omitEmpty(entries: Record<string, unknown>): Node {
  const out: Node = {}
  for (const [k, v] of Object.entries(entries))
    if (v !== '' && v !== undefined && !(Array.isArray(v) && v.length === 0)) out[k] = v
  return out
}

/** RSS author text ("email (Name)" or "Name <email>") as gofeed's Person. */
function rssPerson(value: string): Node | undefined {
  if (value === '') return undefined
  const paren = /^\s*(\S+@\S+)\s*\((.*)\)\s*$/.exec(value)
  if (paren) return omitEmpty({ name: paren[2]?.trim(), email: paren[1] })
  const angle = /^(.*)<(\S+@\S+)>\s*$/.exec(value)
  if (angle) return omitEmpty({ name: angle[1]?.trim(), email: angle[2] })
  return value.includes('@') ? { email: value.trim() } : { name: value.trim() }
}

const categories = (v: unknown) =>
  list(v)
    .map(text)
    .filter((c) => c !== '')

function rssItem(item: Node): Node {
  const enclosures = list(item.enclosure)
    .filter(isNode)
    .map((e) => omitEmpty({ url: e['@url'] ?? '', length: e['@length'] ?? '', type: e['@type'] ?? '' }))
  const link = text(item.link)
  return omitEmpty({
    title: text(item.title),
    description: text(item.description),
    content: text(item['content:encoded']),
    link,
    links: link === '' ? [] : [link],
    published: text(item.pubDate),
    updated: text(item['dc:date']),
    author: rssPerson(text(item.author) || text(item['dc:creator'])),
    guid: text(item.guid),
    categories: categories(item.category),
    enclosures,
  })
}

function atomLink(links: unknown): string {
  const all = list(links).filter(isNode)
  const alternate = all.find((l) => l['@rel'] === undefined || l['@rel'] === 'alternate') ?? all[0]
  return typeof alternate?.['@href'] === 'string' ? alternate['@href'] : ''
}

function atomPerson(v: unknown): Node | undefined {
  const first = list(v)[0]
  if (!isNode(first)) return undefined
  const person = omitEmpty({ name: text(first.name), email: text(first.email) })
  return Object.keys(person).length > 0 ? person : undefined
}

const atomCategories = (v: unknown) =>
  list(v)
    .filter(isNode)
    .map((c) => String(c['@term'] ?? ''))
    .filter((c) => c !== '')

function atomItem(entry: Node): Node {
  const link = atomLink(entry.link)
  return omitEmpty({
    title: text(entry.title),
    description: text(entry.summary),
    content: text(entry.content),
    link,
    links: list(entry.link)
      .filter(isNode)
      .map((l) => String(l['@href'] ?? ''))
      .filter((l) => l !== ''),
    published: text(entry.published),
    updated: text(entry.updated),
    author: atomPerson(entry.author),
    guid: text(entry.id),
    categories: atomCategories(entry.category),
  })
}

/** Parses an RSS or Atom feed into the data krakend-rss returns; throws when it is neither. */
export function parseFeed(body: string): Record<string, unknown> {
  let doc: Node
  try {
    doc = parser().parse(body, true) as Node
  } catch (error) {
    throw new Error(`failed to parse the feed: ${(error as Error).message}`)
  }
  const rss = isNode(doc.rss) ? doc.rss.channel : isNode(doc['rdf:RDF']) ? doc['rdf:RDF'] : undefined
  if (isNode(rss)) {
    const items = list(rss.item ?? (isNode(doc['rdf:RDF']) ? doc['rdf:RDF'].item : undefined)).filter(isNode)
    const image = isNode(rss.image) ? text(rss.image.url) : ''
    const data: Record<string, unknown> = {
      items: items.map(rssItem),
      author: rssPerson(text(rss.managingEditor) || text(rss.webMaster) || text(rss['dc:creator'])) ?? null,
      categories: categories(rss.category).length > 0 ? categories(rss.category) : null,
      custom: null,
      copyright: text(rss.copyright),
      description: text(rss.description),
      type: 'rss',
      language: text(rss.language) || text(rss['dc:language']),
      title: text(rss.title),
      published: text(rss.pubDate),
      updated: text(rss.lastBuildDate) || text(rss['dc:date']),
    }
    if (image !== '') data.img_url = image
    return data
  }
  const feed = doc.feed
  if (isNode(feed)) {
    const cats = atomCategories(feed.category)
    const data: Record<string, unknown> = {
      items: list(feed.entry).filter(isNode).map(atomItem),
      author: atomPerson(feed.author) ?? null,
      categories: cats.length > 0 ? cats : null,
      custom: null,
      copyright: text(feed.rights),
      description: text(feed.subtitle),
      type: 'atom',
      language: typeof feed['@xml:lang'] === 'string' ? feed['@xml:lang'] : '',
      title: text(feed.title),
      published: '',
      updated: text(feed.updated),
    }
    const logo = text(feed.logo) || text(feed.icon)
    if (logo !== '') data.img_url = logo
    return data
  }
  throw new Error('Failed to detect feed type')
}
