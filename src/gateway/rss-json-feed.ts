// gofeed's JSON Feed (jsonfeed.org) reading, as krakend-rss returns it: a body whose first
// character (after whitespace and byte order marks) is `{` and that holds a valid JSON value is
// decoded into gofeed's json.Feed struct and translated into its universal Feed (type "json").
// A field of the wrong JSON type fails the feed as jsoniter's Unmarshal does (not in its words).
import { feedDate } from './feed-dates.ts'
import { goStruct } from './go-json.ts'

type Node = Record<string, unknown>
type Person = (value: string) => Node | undefined

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Whether gofeed's detector sees a JSON feed: `{` first, past whitespace and BOM bytes. */
export function looksLikeJsonFeed(body: string): boolean {
  for (const c of body) {
    if (c === ' ' || c === '\r' || c === '\n' || c === '\t' || c === '\uFEFF' || c === '\u0000') continue
    return c === '{'
  }
  return false
}

/** The JSON value the detector's jsoniter.Valid accepts (the first one), then Unmarshal's whole-text check. */
function decode(body: string): Node {
  const start = body.indexOf('{')
  // the detector skips a byte order mark or NUL before the `{`, Unmarshal does not
  const before = body.slice(0, start)
  if (before.includes('\uFEFF') || before.includes('\u0000'))
    throw new Error('readObjectStart: expect { or n')
  let value: unknown
  try {
    value = JSON.parse(body.slice(start))
  } catch {
    // jsoniter.Valid reads the first value only: text after it fails Unmarshal, not the detection
    const first = firstValueEnd(body, start)
    if (first < 0) throw new Error('Failed to detect feed type')
    throw new Error('Unmarshal: there are bytes left after unmarshal')
  }
  return value as Node
}

/** The end of the JSON object starting at `start` (-1 when it is not one). */
function firstValueEnd(text: string, start: number): number {
  let depth = 0
  for (let i = start, inString = false; i < text.length; i += 1) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i += 1
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{' || c === '[') depth += 1
    else if (c === '}' || c === ']') {
      depth -= 1
      if (depth === 0) {
        try {
          JSON.parse(text.slice(start, i + 1))
          return i + 1
        } catch {
          return -1
        }
      }
    }
  }
  return -1
}

const typeError = (field: string, want: string) => new Error(`json.Feed.${field}: ${want} expected`)

function str(node: Node, key: string): string {
  const v = node[key]
  if (v === undefined || v === null) return ''
  if (typeof v !== 'string') throw typeError(key, 'string')
  return v
}

function obj(node: Node, key: string): Node | undefined {
  const v = node[key]
  if (v === undefined || v === null) return undefined
  if (!isNode(v)) throw typeError(key, 'object')
  return v
}

function arr(node: Node, key: string): unknown[] | undefined {
  const v = node[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) throw typeError(key, 'array')
  return v
}

function int(node: Node, key: string): number {
  const v = node[key]
  if (v === undefined || v === null) return 0
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(key, 'integer')
  return v
}

/** A gofeed Person from a JSON Feed author: its name parsed as "name (email)" forms, {} without one. */
const author = (a: Node, person: Person) => person(str(a, 'name')) ?? goStruct({})

function item(raw: unknown, person: Person): Node {
  if (!isNode(raw)) throw typeError('items', 'object')
  const url = str(raw, 'url')
  const external = str(raw, 'external_url')
  const modified = str(raw, 'date_modified')
  const published = str(raw, 'date_published')
  const one = obj(raw, 'author')
  const first = one ? author(one, person) : undefined
  const many = arr(raw, 'authors')
  const image = str(raw, 'image') || str(raw, 'banner_image')
  const tags = arr(raw, 'tags')?.map((t) => {
    if (typeof t !== 'string') throw typeError('tags', 'string')
    return t
  })
  const enclosures = arr(raw, 'attachments')?.map((at) => {
    if (!isNode(at)) throw typeError('attachments', 'object')
    int(at, 'size_in_bytes')
    const e: Node = {}
    if (str(at, 'url')) e.url = str(at, 'url')
    e.length = String(int(at, 'duration_in_seconds'))
    if (str(at, 'mime_type')) e.type = str(at, 'mime_type')
    return goStruct(e)
  })
  str(raw, 'content_text')
  const fields: Node = {
    title: str(raw, 'title'),
    description: str(raw, 'summary'),
    content: str(raw, 'content_html') || str(raw, 'content_text'),
    link: url,
    links: [url, external].filter((l) => l !== ''),
    updated: modified,
    updatedParsed: feedDate(modified, true),
    published,
    publishedParsed: feedDate(published, true),
    author: first,
    authors: many
      ? many.map((a) => {
          if (!isNode(a)) throw typeError('authors', 'object')
          return author(a, person)
        })
      : first
        ? [first]
        : undefined,
    guid: str(raw, 'id'),
    image: image ? goStruct({ url: image }) : undefined,
    categories: tags && tags.length > 0 ? tags : undefined,
    enclosures: enclosures && enclosures.length > 0 ? enclosures : undefined,
  }
  const out: Node = {}
  for (const [k, v] of Object.entries(fields))
    if (v !== '' && v !== undefined && !(Array.isArray(v) && v.length === 0)) out[k] = v
  return goStruct(out)
}

/** The data krakend-rss returns for a JSON Feed. */
export function parseJsonFeed(body: string, person: Person): Record<string, unknown> {
  const feed = decode(body)
  if (!isNode(feed)) throw new Error('Failed to detect feed type')
  const items = (arr(feed, 'items') ?? []).map((i) => item(i, person))
  const one = obj(feed, 'author')
  for (const key of ['version', 'user_comment', 'next_url', 'favicon']) str(feed, key)
  const firstItem = (arr(feed, 'items') ?? [])[0]
  const firstOf = (key: string) => (isNode(firstItem) ? str(firstItem, key) : '')
  const data: Record<string, unknown> = {
    items,
    author: one ? author(one, person) : null,
    categories: null,
    custom: null,
    copyright: '',
    description: str(feed, 'description'),
    type: 'json',
    language: str(feed, 'language'),
    title: str(feed, 'title'),
    published: firstOf('date_published'),
    updated: firstOf('date_modified'),
  }
  const icon = str(feed, 'icon')
  if (icon !== '') data.img_url = icon
  return data
}
