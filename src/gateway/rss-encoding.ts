// The `rss` backend encoding as KrakenD CE has it (krakend-rss, which parses with mmcdole/gofeed):
// an RSS or Atom feed becomes { items, author, categories, custom, copyright, description, type,
// language, title, published, updated [, img_url] }, the keys KrakenD always sets (absent ones are
// "" or null). Items are gofeed's Item structs: their JSON fields in its declaration order, omitted
// when empty, with publishedParsed / updatedParsed for the usual date forms (feed-dates.ts).
// gofeed reads the document up to the end of its root element: what follows is never looked at.
import { markBareAmpersands, unmarkBareAmpersands } from './feed-ampersands.ts'
import { feedDate } from './feed-dates.ts'
import { goStruct } from './go-json.ts'
import { HTML_ENTITIES } from './html-entities.ts'
import { onFirstUse, xmlLibrary } from './libraries.ts'
import { parseRssRoot, RSS_NAMES, RSS_TEXT_ELEMENTS } from './rss-channel.ts'
import { extensionsOf, ROOT_SCOPE, type Scope, scopeOf } from './rss-extensions.ts'
import { looksLikeJsonFeed, parseJsonFeed } from './rss-json-feed.ts'
import { rootElementEnd } from './xml-root-end.ts'

type Node = Record<string, unknown>

/** fast-xml-parser's options for both readers: every value a trimmed string, no declaration or PIs. */
const PARSER_OPTIONS = {
  ignoreAttributes: false,
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: true,
  attributeNamePrefix: '@',
  tagValueProcessor: (_name: string, value: string) => unmarkBareAmpersands(value),
  attributeValueProcessor: (_name: string, value: string) => unmarkBareAmpersands(value),
  isArray: (name: string) => ['item', 'entry', 'category', 'link', 'enclosure', 'author'].includes(name),
}

/** An XML reader with HTML's named references decoded as gofeed decodes them (&eacute;, &hellip;). */
function xmlParser(extra: Record<string, unknown>) {
  const made = new (xmlLibrary().XMLParser)({ ...PARSER_OPTIONS, ...extra })
  for (const [name, character] of HTML_ENTITIES) made.addEntity(name, character)
  return made
}

const parser = onFirstUse(() => xmlParser({}))

// RSS: gofeed matches element names in any case (an <ITEM> is an item, in document order among the
// others), and reads the text elements' raw inner XML (rss-channel.ts decodes it as ParseText does)
const rssReader = (customNames: string[]) =>
  xmlParser({
    // an item's or the channel's own children only: one inside an extension element keeps its structure
    stopNodes: [
      ...[...RSS_TEXT_ELEMENTS].flatMap((name) => [`..item.${name}`, `..channel.${name}`]),
      ...customNames.map((name) => `..item.${name}`),
    ],
    transformTagName: (name: string) => (RSS_NAMES.has(name.toLowerCase()) ? name.toLowerCase() : name),
  })
const rssParser = onFirstUse(() => rssReader([]))

/** Readers that also keep given custom item elements raw, by their names (a bounded cache). */
const customReaders = new Map<string, ReturnType<typeof rssReader>>()
function customRssParser(names: string[]) {
  const key = names.sort().join('\n')
  let reader = customReaders.get(key)
  if (reader === undefined) {
    if (customReaders.size >= 64) customReaders.clear()
    reader = rssReader(names)
    customReaders.set(key, reader)
  }
  return reader
}

/** An RSS root's data; with custom item elements, the document (`xml`) is read again keeping them raw. */
function rssData(root: Node, xml: string): Record<string, unknown> {
  const seen = new Set<string>()
  const first = parseRssRoot(root, ROOT_SCOPE, rssPerson, { raw: new Set(), seen })
  if (seen.size === 0) return first
  const names = [...seen]
  const doc = customRssParser(names).parse(xml, true) as Node
  return parseRssRoot(rootElement(doc) ?? {}, ROOT_SCOPE, rssPerson, { raw: new Set(names), seen: new Set() })
}

/** A parsed document's root element. */
function rootElement(doc: Node): Node | undefined {
  const rootKey = Object.keys(doc).find((key) => !key.startsWith('?') && !key.startsWith('#'))
  const root = rootKey === undefined ? undefined : list(doc[rootKey])[0]
  return isNode(root) ? root : undefined
}

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

/** gofeed's ParseNameAddress ("email (Name)", "Name (email)", a name, an email; else neither) as its Person. */
export function rssPerson(value: string): Node | undefined {
  if (value === '') return undefined
  const emailName = /^([^@]+@[^\t\n\f\r ]+)[\t\n\f\r ]+\(([^@]+)\)$/.exec(value)
  if (emailName) return person(emailName[2], emailName[1])
  const nameEmail = /^([^@]+)[\t\n\f\r ]+\(([^@]+@[^)]+)\)$/.exec(value)
  if (nameEmail) return person(nameEmail[1], nameEmail[2])
  if (/^[^@()]+$/.test(value)) return person(value, '')
  if (/^[^@()]+@[^@()]+$/.test(value)) return person('', value)
  return person('', '')
}

/** gofeed's Person: name, then email. */
const person = (name: string | undefined, email: string | undefined) => goStruct(omitEmpty({ name, email }))

/** An Atom link's rel: gofeed's atom parser reads a missing one as "alternate". */
const rel = (l: Node) => (typeof l['@rel'] === 'string' ? l['@rel'] : 'alternate')
const href = (l: Node) => (typeof l['@href'] === 'string' ? l['@href'] : '')

function atomPerson(v: unknown): Node | undefined {
  const first = list(v)[0]
  if (!isNode(first)) return undefined
  const found = person(text(first.name), text(first.email))
  return Object.keys(found).length > 0 ? found : undefined
}

const atomCategories = (v: unknown) =>
  list(v)
    .filter(isNode)
    .map((c) => String(c['@term'] ?? ''))
    .filter((c) => c !== '')

function atomItem(entry: Node, feedScope: Scope): Node {
  const links = list(entry.link).filter(isNode)
  const alternate = links.find((l) => rel(l) === 'alternate')
  const updated = text(entry.updated)
  const updatedParsed = feedDate(updated)
  // gofeed: an entry without <published> is published when it was updated
  const published = text(entry.published) || updated
  const publishedParsed = feedDate(text(entry.published)) ?? updatedParsed
  const authors = list(entry.author).map((a) =>
    isNode(a) ? person(text(a.name), text(a.email)) : person('', ''),
  )
  const enclosures = links
    .filter((l) => rel(l) === 'enclosure')
    .map((l) => goStruct(omitEmpty({ url: href(l), length: l['@length'] ?? '', type: l['@type'] ?? '' })))
  return goStruct(
    omitEmpty({
      title: text(entry.title),
      description: text(entry.summary),
      content: text(entry.content),
      link: alternate ? href(alternate) : '',
      links: links.filter((l) => ['alternate', 'self'].includes(rel(l))).map(href),
      updated,
      updatedParsed,
      published,
      publishedParsed,
      author: authors[0],
      authors,
      guid: text(entry.id),
      categories: atomCategories(entry.category),
      enclosures,
      extensions: extensionsOf(entry, scopeOf(entry, feedScope)),
    }),
  )
}

/**
 * Where gofeed's detector starts reading: after whitespace and the bytes of byte order marks (here
 * U+FEFF, NUL, and U+FFFD for a lone byte of another mark in the UTF-8 reading).
 */
function detectorStart(body: string): number {
  let i = 0
  while (i < body.length && ' \r\n\t\uFEFF\u0000\uFFFD'.includes(body[i] as string)) i += 1
  return i
}

/** A document whose first element, after the prolog's declaration, comments, PIs and DOCTYPE, is rss, rdf or feed. */
const FEED_ROOT =
  /^(?:<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<![^>]*>|\s)*<(?:[A-Za-z_][\w.-]*:)?(?:rss|rdf|feed)[\s/>]/i

/** A document whose first element is an RSS 2.0 or RDF root. */
const RSS_ROOT = /^(?:<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<![^>]*>|\s)*<(?:[A-Za-z_][\w.-]*:)?(?:rss|rdf)[\s/>]/i

/** Parses an RSS, Atom or JSON feed into the data krakend-rss returns; throws when it is none. */
export function parseFeed(body: string): Record<string, unknown> {
  if (looksLikeJsonFeed(body)) return parseJsonFeed(body, rssPerson)
  let doc: Node
  const xml = markBareAmpersands(body.slice(0, rootElementEnd(body)))
  try {
    const rss = RSS_ROOT.test(body.slice(detectorStart(body)))
    doc = (rss ? rssParser() : parser()).parse(xml, true) as Node
  } catch (error) {
    // gofeed's detector reads up to the root element first: no feed root there is no feed at all
    if (!FEED_ROOT.test(body.slice(detectorStart(body)))) throw new Error('Failed to detect feed type')
    throw new Error(`failed to parse the feed: ${(error as Error).message}`)
  }
  // gofeed's detector: the root element's lower-case local name
  const rootKey = Object.keys(doc).find((key) => !key.startsWith('?') && !key.startsWith('#'))
  const rootName = rootKey?.slice(rootKey.indexOf(':') + 1).toLowerCase()
  if (rootName === 'rss' || rootName === 'rdf') return rssData(rootElement(doc) ?? {}, xml)
  const feed = doc.feed
  if (isNode(feed)) {
    const cats = atomCategories(feed.category)
    const data: Record<string, unknown> = {
      // an entry without child elements (empty, or text only) is an empty item to gofeed
      items: list(feed.entry).map((entry) => atomItem(isNode(entry) ? entry : {}, scopeOf(feed, ROOT_SCOPE))),
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
