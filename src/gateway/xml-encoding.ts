// The `xml` backend encoding and output encoding as KrakenD CE has them (krakend-xml, which uses
// clbanning/mxj): attributes become `-name` keys, text next to attributes or children `#text`,
// every value a string, repeated elements an array, an empty element "". Writing reverses that:
// keys sorted, `-` keys as sorted attributes, a single-key map as its own root, else `<doc>`.
import { GoNumber } from './go-json.ts'
import { onFirstUse, xmlLibrary } from './libraries.ts'

export type Data = Record<string, unknown>

/** Parser options both XML encodings share: every value a trimmed string, no declaration or PIs. */
export const STRING_XML_OPTIONS = {
  ignoreAttributes: false,
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
} as const

const parser = onFirstUse(
  () => new (xmlLibrary().XMLParser)({ ...STRING_XML_OPTIONS, attributeNamePrefix: '-' }),
)

/** Parses an XML document into mxj's map, or throws with the parser's reason. */
export function parseXml(text: string): Data {
  if (text.trim().length === 0) throw new Error('EOF')
  const valid = xmlLibrary().XMLValidator.validate(text)
  if (valid !== true) throw new Error(`invalid XML: ${valid.err.msg} (line ${valid.err.line})`)
  const doc = parser().parse(text) as Data
  // mxj reads one document: the first root element only.
  for (const key in doc) return localNames({ [key]: doc[key] }) as Data
  throw new Error('EOF')
}

/** mxj keys elements and attributes by their local name (Go's xml.Name.Local): `x:price` is
 * `price`, `xmlns:x="…"` is `-x`; elements that meet under one name become a list. */
function localNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(localNames)
  if (typeof value !== 'object' || value === null) return value
  const out: Data = {}
  for (const [key, child] of Object.entries(value)) {
    const colon = key.indexOf(':')
    const local = colon === -1 ? key : key[0] === '-' ? `-${key.slice(colon + 1)}` : key.slice(colon + 1)
    const mapped = localNames(child)
    if (!(local in out)) out[local] = mapped
    else if (local[0] !== '-') {
      const before = out[local]
      out[local] = [
        ...(Array.isArray(before) ? before : [before]),
        ...(Array.isArray(mapped) ? mapped : [mapped]),
      ]
    } else out[local] = mapped
  }
  return out
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
}
const escapeXml = (text: string) =>
  /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string) : text

const isMap = (value: unknown): value is Data =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof GoNumber)

/** A scalar as Go's fmt %v prints it, or undefined for maps and arrays. */
function scalarText(value: unknown): string | undefined {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return escapeXml(value)
  if (typeof value === 'number' || typeof value === 'boolean' || value instanceof GoNumber)
    return String(value)
  return undefined
}

class InvalidAttribute extends Error {}

function writeElement(out: string[], key: string, value: unknown): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.push(`<${key}/>`)
    else for (const item of value) writeElement(out, key, item)
    return
  }
  if (!isMap(value)) {
    const text = scalarText(value) ?? ''
    out.push(text.length > 0 ? `<${key}>${text}</${key}>` : `<${key}/>`)
    return
  }
  const keys = Object.keys(value).sort()
  out.push(`<${key}`)
  let children = 0
  for (const k of keys) {
    if (k.length > 1 && k[0] === '-') {
      const text = scalarText(value[k])
      if (text === undefined || value[k] === null) throw new InvalidAttribute(k)
      out.push(` ${k.slice(1)}="${text}"`)
    } else children += 1
  }
  if (children === 0) {
    out.push('/>')
    return
  }
  const hasText = '#text' in value
  out.push('>')
  if (hasText) out.push(scalarText(value['#text']) ?? String(value['#text']))
  for (const k of keys) if (k !== '#text' && !(k.length > 1 && k[0] === '-')) writeElement(out, k, value[k])
  out.push(`</${key}>`)
}

/** mxj's Map.Xml() without a root tag; undefined when mxj fails (an attribute holding a map or list). */
export function writeXml(data: Data): string | undefined {
  const out: string[] = []
  try {
    const keys = Object.keys(data)
    const only = keys.length === 1 ? (keys[0] as string) : undefined
    const value = only === undefined ? undefined : data[only]
    const listOfMaps = !Array.isArray(value) || value.every(isMap)
    if (only !== undefined && listOfMaps) writeElement(out, only, value)
    else writeElement(out, 'doc', data)
  } catch (error) {
    if (error instanceof InvalidAttribute) return undefined
    throw error
  }
  return out.join('')
}
