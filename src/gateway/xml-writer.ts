// The `xml` output encoding as KrakenD CE has it (krakend-xml: clbanning/mxj's Map.Xml without a
// root tag): keys sorted, `-` keys as sorted attributes, `#text` as the element's text, a list as
// repeated elements, a single-key map as its own root, else `<doc>`.
import { goFormatFloat } from './go-float.ts'
import { GoNumber, isGoResponseError } from './go-json.ts'
import { compareGoKeys } from './go-json-order.ts'
import { goPrint } from './go-print.ts'
import type { Data } from './xml-reader.ts'

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
  // a GoFloat64 (a GoNumber) prints as fmt's %v of the float64, as does a script's NaN or ±Inf
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : goFormatFloat(value)
  if (typeof value === 'boolean' || value instanceof GoNumber) return String(value)
  return undefined
}

class InvalidAttribute extends Error {}

/** Go's xml.EscapeText (which writes U+FFFD for a byte that is not UTF-8: see go-bytes-string.ts). */
const goEscapeText = (text: string) =>
  text
    .replace(/[&<>"'\t\n\r]/g, (c) => GO_TEXT_ESCAPES[c] as string)
    .replace(/(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g, '\uFFFD')
const GO_TEXT_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
}

/**
 * lura's NamedHTTPResponseError as mxj writes a struct: encoding/xml's Marshal of it (the embedded
 * HTTPResponseError's Code, Msg, Enc, each always present), then escaped as the element's text.
 */
function responseErrorXml(error: Data): string {
  const field = (v: unknown) => (typeof v === 'string' ? goEscapeText(v) : '')
  return (
    `<NamedHTTPResponseError><Code>${String(error.http_status_code)}</Code>` +
    `<Msg>${field(error.http_body)}</Msg><Enc>${field(error.http_body_encoding)}</Enc></NamedHTTPResponseError>`
  )
}

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
  if (isGoResponseError(value)) {
    out.push(`<${key}>${escapeXml(responseErrorXml(value))}</${key}>`)
    return
  }
  const keys = Object.keys(value).sort(compareGoKeys)
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
  // mxj escapes a string `#text`; anything else goes out as fmt's %v, unescaped (`<nil>`, `map[k:v]`)
  if (hasText) {
    const text = value['#text']
    out.push(text === null ? '<nil>' : (scalarText(text) ?? goPrint(text)))
  }
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
