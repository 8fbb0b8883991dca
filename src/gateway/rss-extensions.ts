// gofeed's namespaces and extension elements for the `rss` encoding (internal/shared/extparser.go,
// extensions/*.go), over fast-xml-parser's tree: an element whose namespace is not the feed's own
// (not "", rss, rdf or content) is an extension, kept under its canonical prefix as gofeed's
// Extension {name, value, attrs, children}; the "dc" and "itunes" ones also fill dcExt / itunesExt.
import { goStruct } from './go-json.ts'

type Node = Record<string, unknown>

/** The namespaces in scope: encoding/xml's prefix -> URI (and default), goxpp's URI -> lower-case prefix. */
export interface Scope {
  uris: Map<string, string>
  defaultUri: string
  prefixes: Map<string, string>
}

export const ROOT_SCOPE: Scope = { uris: new Map(), defaultUri: '', prefixes: new Map() }

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v)
export const instances = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

/** The scope inside an element: its own xmlns attributes over its parent's. */
export function scopeOf(element: unknown, parent: Scope): Scope {
  if (!isNode(element)) return parent
  let scope = parent
  for (const [key, value] of Object.entries(element)) {
    if (key !== '@xmlns' && !key.startsWith('@xmlns:')) continue
    if (scope === parent)
      scope = {
        uris: new Map(parent.uris),
        defaultUri: parent.defaultUri,
        prefixes: new Map(parent.prefixes),
      }
    const uri = String(value)
    if (key === '@xmlns') {
      scope.defaultUri = uri
      scope.prefixes.set(uri.trim(), '')
    } else {
      const prefix = key.slice(7)
      scope.uris.set(prefix, uri)
      scope.prefixes.set(uri.trim(), prefix.trim().toLowerCase())
    }
  }
  return scope
}

/** An element's name as goxpp reports it: its local name and its namespace (a URI, or an undeclared prefix). */
export function elementName(key: string, scope: Scope): { local: string; space: string } {
  const colon = key.indexOf(':')
  if (colon === -1) return { local: key, space: scope.defaultUri }
  const prefix = key.slice(0, colon)
  return { local: key.slice(colon + 1), space: scope.uris.get(prefix) ?? prefix }
}

/** The lower-case prefix the feed declared for a namespace, if it did. */
export const declaredPrefix = (space: string, scope: Scope) => scope.prefixes.get(space.trim())

/** gofeed's IsExtension. */
export function isExtension(space: string, scope: Scope): boolean {
  const prefix = declaredPrefix(space, scope)
  if (prefix !== undefined)
    return !(prefix === '' || prefix === 'rss' || prefix === 'rdf' || prefix === 'content')
  return space !== ''
}

export type Extension = { name: string; value: string; attrs: Record<string, string>; children: Extensions1 }
type Extensions1 = Record<string, Extension[]>
export type Extensions = Record<string, Extensions1>

/** gofeed's parseExtensionElement: attributes by local name, the text trimmed, children by local name. */
function extension(local: string, element: unknown): Extension {
  const attrs: Record<string, string> = {}
  const children: Extensions1 = {}
  let value = ''
  if (isNode(element)) {
    for (const [key, v] of Object.entries(element)) {
      if (key === '#text') value = String(v)
      else if (key.startsWith('@')) attrs[key.slice(key.indexOf(':') + 1 || 1)] = String(v)
      else {
        const name = key.slice(key.indexOf(':') + 1)
        const list = children[name] ?? []
        for (const child of instances(v)) list.push(extension(name, child))
        children[name] = list
      }
    }
  } else if (element !== undefined && element !== null) value = String(element)
  return goStruct({ name: local, value: value.trim(), attrs, children }) as Extension
}

/** Adds an extension element under gofeed's prefix for its namespace (canonical first). */
export function addExtension(into: Extensions, local: string, space: string, scope: Scope, element: unknown) {
  const prefix = CANONICAL[space] ?? scope.prefixes.get(space) ?? space
  const byName = into[prefix] ?? {}
  into[prefix] = byName
  const list = byName[local] ?? []
  list.push(extension(local, element))
  byName[local] = list
}

/** Each child element of an element (every instance), with its name and the namespaces in scope there. */
export function eachChild(
  element: unknown,
  scope: Scope,
  visit: (local: string, space: string, inner: Scope, instance: unknown, key: string) => void,
): void {
  if (!isNode(element)) return
  for (const [key, value] of Object.entries(element)) {
    if (key.startsWith('@') || key === '#text') continue
    for (const instance of instances(value)) {
      const inner = scopeOf(instance, scope)
      const { local, space } = elementName(key, inner)
      visit(local, space, inner, instance, key)
    }
  }
}

/** The extension elements among an element's children (gofeed's Atom entries keep only these), or undefined. */
export function extensionsOf(element: unknown, scope: Scope): Extensions | undefined {
  const found: Extensions = {}
  eachChild(element, scope, (local, space, inner, instance) => {
    if (isExtension(space, inner)) addExtension(found, local, space, inner, instance)
  })
  return Object.keys(found).length > 0 ? found : undefined
}

const texts = (list: Extension[] | undefined): string[] => (list ?? []).map((e) => e.value)
const first = (list: Extension[] | undefined): string => list?.[0]?.value ?? ''

const DC_FIELDS = [
  'title',
  'creator',
  'author',
  'subject',
  'description',
  'publisher',
  'contributor',
  'date',
  'type',
  'format',
  'identifier',
  'source',
  'language',
  'relation',
  'coverage',
  'rights',
]

/** ext.NewDublinCoreExtension: each field the values of its elements (an empty value kept). */
export function dublinCore(dc: Extensions1): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const field of DC_FIELDS)
    if (dc[field] !== undefined && dc[field].length > 0) out[field] = texts(dc[field])
  return goStruct(out) as Record<string, string[]>
}

/** ext.NewITunesItemExtension. */
export function itunesItem(it: Extensions1): Record<string, string> {
  return omitEmptyStruct({
    author: first(it.author),
    block: first(it.block),
    duration: first(it.duration),
    explicit: first(it.explicit),
    keywords: first(it.keywords),
    subtitle: first(it.subtitle),
    summary: first(it.summary),
    image: it.image?.[0]?.attrs.href ?? '',
    isClosedCaptioned: first(it.isClosedCaptioned),
    episode: first(it.episode),
    season: first(it.season),
    order: first(it.order),
    episodeType: first(it.episodeType),
  }) as Record<string, string>
}

/** ext.NewITunesFeedExtension's fields the feed translation reads: author, keywords, image, categories. */
export function itunesFeed(it: Extensions1) {
  return {
    author: first(it.author),
    keywords: first(it.keywords),
    image: it.image?.[0]?.attrs.href ?? '',
    categories: (it.category ?? []).map((c) => ({
      text: c.attrs.text ?? '',
      sub: c.children.category ? (c.children.category[0]?.attrs.text ?? '') : undefined,
    })),
  }
}

function omitEmptyStruct(entries: Record<string, unknown>) {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(entries)) if (v !== '' && v !== undefined) out[k] = v
  return goStruct(out)
}

// gofeed's canonical prefixes (from feedparser), which override the feed's own.
const CANONICAL: Record<string, string> = {
  'http://webns.net/mvcb/': 'admin',
  'http://purl.org/rss/1.0/modules/aggregation/': 'ag',
  'http://purl.org/rss/1.0/modules/annotate/': 'annotate',
  'http://media.tangent.org/rss/1.0/': 'audio',
  'http://backend.userland.com/blogChannelModule': 'blogChannel',
  'http://creativecommons.org/ns#license': 'cc',
  'http://web.resource.org/cc/': 'cc',
  'http://cyber.law.harvard.edu/rss/creativeCommonsRssModule.html': 'creativeCommons',
  'http://backend.userland.com/creativeCommonsRssModule': 'creativeCommons',
  'http://purl.org/rss/1.0/modules/company': 'co',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://my.theinfo.org/changed/1.0/rss/': 'cp',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://purl.org/rss/1.0/modules/email/': 'email',
  'http://purl.org/rss/1.0/modules/event/': 'ev',
  'http://rssnamespace.org/feedburner/ext/1.0': 'feedburner',
  'http://freshmeat.net/rss/fm/': 'fm',
  'http://xmlns.com/foaf/0.1/': 'foaf',
  'http://www.w3.org/2003/01/geo/wgs84_pos#': 'geo',
  'http://www.georss.org/georss': 'georss',
  'http://www.opengis.net/gml': 'gml',
  'http://postneo.com/icbm/': 'icbm',
  'http://purl.org/rss/1.0/modules/image/': 'image',
  'http://www.itunes.com/DTDs/PodCast-1.0.dtd': 'itunes',
  'http://example.com/DTDs/PodCast-1.0.dtd': 'itunes',
  'http://purl.org/rss/1.0/modules/link/': 'l',
  'http://search.yahoo.com/mrss': 'media',
  'http://search.yahoo.com/mrss/': 'media',
  'http://madskills.com/public/xml/rss/module/pingback/': 'pingback',
  'http://prismstandard.org/namespaces/1.2/basic/': 'prism',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://www.w3.org/2000/01/rdf-schema#': 'rdfs',
  'http://purl.org/rss/1.0/modules/reference/': 'ref',
  'http://purl.org/rss/1.0/modules/richequiv/': 'reqv',
  'http://purl.org/rss/1.0/modules/search/': 'search',
  'http://purl.org/rss/1.0/modules/slash/': 'slash',
  'http://schemas.xmlsoap.org/soap/envelope/': 'soap',
  'http://purl.org/rss/1.0/modules/servicestatus/': 'ss',
  'http://hacks.benhammersley.com/rss/streaming/': 'str',
  'http://purl.org/rss/1.0/modules/subscription/': 'sub',
  'http://purl.org/rss/1.0/modules/syndication/': 'sy',
  'http://schemas.pocketsoap.com/rss/myDescModule/': 'szf',
  'http://purl.org/rss/1.0/modules/taxonomy/': 'taxo',
  'http://purl.org/rss/1.0/modules/threading/': 'thr',
  'http://purl.org/rss/1.0/modules/textinput/': 'ti',
  'http://madskills.com/public/xml/rss/module/trackback/': 'trackback',
  'http://wellformedweb.org/commentAPI/': 'wfw',
  'http://purl.org/rss/1.0/modules/wiki/': 'wiki',
  'http://www.w3.org/1999/xhtml': 'xhtml',
  'http://www.w3.org/1999/xlink': 'xlink',
  'http://www.w3.org/XML/1998/namespace': 'xml',
  'http://podlove.org/simple-chapters': 'psc',
}
