// RSS 2.0 and RDF (RSS 1.0) feeds for the `rss` encoding as gofeed's rss parser and translator read
// them: the channel's and items' elements by lower-case local name (the last one of a name wins),
// extension elements (rss-extensions.ts) kept on each item with their Dublin Core / iTunes
// readings, which fill what the item or channel lacks; other unknown item elements go to `custom`.

import { unmarkBareAmpersands } from './feed-ampersands.ts'
import { feedDate } from './feed-dates.ts'
import { feedText } from './feed-text.ts'
import { goStruct } from './go-json.ts'
import {
  addExtension,
  declaredPrefix,
  dublinCore,
  type Extensions,
  eachChild,
  isExtension,
  itunesFeed,
  itunesItem,
  type Scope,
  scopeOf,
} from './rss-extensions.ts'

type Node = Record<string, unknown>
type Person = (value: string) => Node | undefined

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v)

/** An element's text as fast-xml-parser left it (its #text when it has attributes or children). */
function text(v: unknown): string {
  if (typeof v === 'string') return v
  if (isNode(v) && typeof v['#text'] === 'string') return v['#text']
  return ''
}

/** gofeed's ParseNameAddress as a Person; an empty value is an empty Person (`{}`). */
const personOf = (rssPerson: Person, value: string) => rssPerson(value) ?? goStruct({})

/** gofeed's translated author: the element's own text, else Dublin Core's author or creator, else iTunes'. */
function authorOf(
  own: string,
  dc: Record<string, string[]> | undefined,
  itunes: string | undefined,
  rssPerson: Person,
): Node | undefined {
  if (own !== '') return personOf(rssPerson, own)
  const dcAuthor = dc?.author?.[0] ?? dc?.creator?.[0]
  if (dcAuthor !== undefined) return personOf(rssPerson, dcAuthor)
  return itunes ? personOf(rssPerson, itunes) : undefined
}

/** Names gofeed matches in any case: the reader lower-cases them (all are item fields, never custom). */
export const RSS_NAMES = new Set([
  'item',
  'channel',
  'enclosure',
  'title',
  'description',
  'link',
  'author',
  'pubdate',
  'guid',
  'category',
])

/**
 * The text elements read as gofeed's ParseText reads them: the reader keeps their raw inner XML. The
 * channel-only ones are listed as feeds spell them (lower-casing them would respell an item's custom one).
 */
export const RSS_TEXT_ELEMENTS = new Set([
  ...[...RSS_NAMES].filter((name) => !['item', 'channel', 'enclosure'].includes(name)),
  'content:encoded',
  'copyright',
  'language',
  'managingeditor',
  'managingEditor',
  'webmaster',
  'webMaster',
  'lastbuilddate',
  'lastBuildDate',
])

/** A text element's value once ParseText has read its raw inner XML. */
function parsedText(value: unknown): unknown {
  if (typeof value === 'string') return feedText(unmarkBareAmpersands(value))
  if (isNode(value) && typeof value['#text'] === 'string')
    return { ...value, '#text': feedText(unmarkBareAmpersands(value['#text'])) }
  return value
}

const NO_NAMES: ReadonlySet<string> = new Set()

/**
 * An item's custom elements: gofeed reads them with ParseText too (raw inner XML), but their names are
 * known only once parsed. `seen` collects them; `raw` names those the reader kept raw (unprefixed ones).
 */
export type CustomNames = { raw: ReadonlySet<string>; seen: Set<string> }

/** The children of an element: non-extension ones by lower-case local name, extensions apart. */
function children(element: unknown, scope: Scope, rawCustom: ReadonlySet<string> = NO_NAMES) {
  const fields = new Map<string, Array<{ value: unknown; space: string; scope: Scope }>>()
  const extensions: Extensions = {}
  eachChild(element, scope, (local, space, inner, instance, key) => {
    if (isExtension(space, inner)) return addExtension(extensions, local, space, inner, instance)
    const name = local.toLowerCase()
    const list = fields.get(name) ?? []
    const raw = RSS_TEXT_ELEMENTS.has(key) || rawCustom.has(key)
    list.push({ value: raw ? parsedText(instance) : instance, space, scope: inner })
    fields.set(name, list)
    if (name !== local) fields.set(`\0${name}`, [{ value: local, space, scope: inner }])
  })
  return { fields, extensions }
}

type Fields = ReturnType<typeof children>['fields']
const last = (fields: Fields, name: string) => {
  const list = fields.get(name)
  return list === undefined ? '' : text(list[list.length - 1]?.value)
}
const all = (fields: Fields, name: string) => (fields.get(name) ?? []).map((f) => f.value)

function rssItem(element: unknown, scope: Scope, rssPerson: Person, customNames: CustomNames): Node {
  const { fields, extensions } = children(element, scope, customNames.raw)
  const dc = extensions.dc ? dublinCore(extensions.dc) : undefined
  const itunes = extensions.itunes ? itunesItem(extensions.itunes) : undefined
  const links = all(fields, 'link').map(text)
  const pubDate = last(fields, 'pubdate')
  const dcDate = dc?.date?.[0]
  // an RSS pubDate is stored in UTC; a Dublin Core date keeps the offset it was written with
  const publishedParsed =
    (pubDate !== '' ? feedDate(pubDate) : undefined) ??
    (dcDate !== undefined ? feedDate(dcDate, true) : undefined)
  const author = authorOf(last(fields, 'author'), dc, itunes?.author, rssPerson)
  const categories = [
    ...all(fields, 'category').map(text),
    ...(itunes?.keywords ? itunes.keywords.split(',') : []),
    ...(dc?.subject ?? []),
  ]
  const enclosures = all(fields, 'enclosure').map((e) =>
    goStruct(
      omitEmpty({
        url: isNode(e) ? (e['@url'] ?? '') : '',
        length: isNode(e) ? (e['@length'] ?? '') : '',
        type: isNode(e) ? (e['@type'] ?? '') : '',
      }),
    ),
  )
  const encoded = (fields.get('encoded') ?? []).filter((f) => declaredPrefix(f.space, f.scope) === 'content')
  const custom: Record<string, string> = {}
  for (const [name, list] of fields) {
    if (name.startsWith('\0') || KNOWN_ITEM.has(name)) continue
    const spelled = String(fields.get(`\0${name}`)?.[0]?.value ?? name)
    customNames.seen.add(spelled)
    custom[spelled] = text(list[list.length - 1]?.value)
  }
  const hasExtensions = Object.keys(extensions).length > 0
  return goStruct(
    omitEmpty({
      title: last(fields, 'title') || (dc?.title?.[0] ?? ''),
      description: last(fields, 'description') || (dc?.description?.[0] ?? ''),
      content: encoded.length > 0 ? text(encoded[encoded.length - 1]?.value) : '',
      link: links.length > 0 ? links[links.length - 1] : '',
      links,
      published: pubDate || (dcDate ?? ''),
      publishedParsed,
      author,
      authors: author ? [author] : [],
      guid: last(fields, 'guid'),
      image: itunes?.image ? goStruct({ url: itunes.image }) : undefined,
      categories,
      enclosures,
      dcExt: dc,
      itunesExt: itunes,
      extensions: hasExtensions ? extensions : undefined,
      custom: Object.keys(custom).length > 0 ? custom : undefined,
    }),
  )
}

const KNOWN_ITEM = new Set([
  'title',
  'description',
  'encoded',
  'link',
  'author',
  'comments',
  'pubdate',
  'source',
  'enclosure',
  'guid',
  'category',
])

/** Drops "", undefined and empty lists, like Go's `omitempty`. */
function omitEmpty(entries: Record<string, unknown>): Node {
  const out: Node = {}
  for (const [k, v] of Object.entries(entries))
    if (v !== '' && v !== undefined && !(Array.isArray(v) && v.length === 0)) out[k] = v
  return out
}

/** The krakend-rss data of an <rss> or <rdf:RDF> root (`root` its element, `scope` the document's). */
export function parseRssRoot(
  root: Node,
  scope: Scope,
  rssPerson: Person,
  custom: CustomNames = { raw: NO_NAMES, seen: new Set() },
): Record<string, unknown> {
  const rootScope = scopeOf(root, scope)
  const top = children(root, rootScope)
  const channelEntry = top.fields.get('channel')?.at(-1)
  const channel = channelEntry ? children(channelEntry.value, channelEntry.scope) : undefined
  const fields: Fields = channel?.fields ?? new Map()
  const ext = channel?.extensions ?? {}
  const dc = ext.dc ? dublinCore(ext.dc) : undefined
  const itunes = ext.itunes ? itunesFeed(ext.itunes) : undefined
  const items = [
    ...(fields.get('item') ?? []).map((i) => rssItem(i.value, i.scope, rssPerson, custom)),
    ...(top.fields.get('item') ?? []).map((i) => rssItem(i.value, i.scope, rssPerson, custom)),
  ]
  const editor = last(fields, 'managingeditor') || last(fields, 'webmaster')
  const author = authorOf(editor, dc, itunes?.author, rssPerson) ?? null
  const categories = [
    ...all(fields, 'category').map(text),
    ...(itunes?.keywords ? itunes.keywords.split(',') : []),
    ...(itunes?.categories ?? []).flatMap((c) => (c.sub === undefined ? [c.text] : [c.text, c.sub])),
    ...(dc?.subject ?? []),
  ]
  // the channel's <image>, else (RDF) the root's
  const image = (fields.get('image') ?? top.fields.get('image'))?.at(-1)?.value
  const data: Record<string, unknown> = {
    items,
    author,
    categories: categories.length > 0 ? categories : null,
    custom: null,
    copyright: last(fields, 'copyright') || (dc?.rights?.[0] ?? ''),
    description: last(fields, 'description'),
    type: 'rss',
    language: last(fields, 'language') || (dc?.language?.[0] ?? ''),
    title: last(fields, 'title') || (dc?.title?.[0] ?? ''),
    published: last(fields, 'pubdate'),
    updated: last(fields, 'lastbuilddate') || (dc?.date?.[0] ?? ''),
  }
  if (image !== undefined) data.img_url = imageUrl(image, rootScope)
  else if (itunes?.image) data.img_url = itunes.image
  return data
}

/** gofeed's parseImage: the <url> child's text. */
function imageUrl(image: unknown, scope: Scope): string {
  const { fields } = children(image, scopeOf(image, scope))
  return last(fields, 'url')
}
