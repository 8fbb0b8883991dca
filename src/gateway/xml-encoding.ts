// The `xml` backend encoding and output encoding as KrakenD CE has them (krakend-xml, which reads
// with clbanning/mxj over Go's encoding/xml): attributes become `-name` keys, text next to
// attributes or children `#text`, every value a string, repeated elements an array, an empty
// element "". Writing reverses that (xml-writer.ts).
//
// Reading is our own, held to Go's strict decoder (xml-scanner.ts) and mxj's xmlToMapParser
// (xml-reader.ts) rather than a general XML library; this module turns the backend's bytes into
// the text they read, as Go does with the encoding a declaration names.
import { isUtf8 } from 'node:buffer'
import { TextDecoder } from 'node:util'
import { goUtf8 } from './go-utf8.ts'
import { type Data, XmlReader } from './xml-reader.ts'
import { INVALID_BYTE, isNameByte, procInst, XmlError } from './xml-scanner.ts'

/**
 * Parses an XML document into mxj's map, or throws with Go's reason. Give it the backend's bytes:
 * a declared non-UTF-8 encoding is decoded as golang.org/x/net/html/charset does (WHATWG labels)
 * and invalid UTF-8 fails. A string is taken as already decoded.
 */
export function parseXml(input: string | Uint8Array): Data {
  return new XmlReader(typeof input === 'string' ? input : decodeXmlBytes(input)).document()
}

/** The document's text: UTF-8, or the encoding its `<?xml ... encoding="x"?>` declaration names. */
function decodeXmlBytes(bytes: Uint8Array): string {
  const declared = declaredEncoding(bytes)
  if (declared !== undefined) {
    let decoder: TextDecoder
    try {
      decoder = new TextDecoder(declared.label)
    } catch {
      throw new XmlError(
        `xml.Decoder.Token() - xml: opening charset "${declared.label}": unsupported charset: "${declared.label}"`,
      )
    }
    const head = Buffer.from(bytes.buffer, bytes.byteOffset, declared.end).toString('latin1')
    return head + decoder.decode(bytes.subarray(declared.end))
  }
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
  return goUtf8(bytes, INVALID_BYTE)
}

/**
 * A leading `<?xml ...?>` declaration's encoding when it is not UTF-8 (Go switches to the
 * CharsetReader right after it), with the offset where the declaration ends.
 */
function declaredEncoding(bytes: Uint8Array): { label: string; end: number } | undefined {
  let i = 0
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3
  while (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d) i += 1
  if (
    Buffer.from(bytes.buffer, bytes.byteOffset + i, Math.min(5, bytes.length - i)).toString('latin1') !==
    '<?xml'
  )
    return undefined
  const next = bytes[i + 5]
  if (next === undefined || isNameByte(next)) return undefined
  let end = i + 5
  while (end + 1 < bytes.length && !(bytes[end] === 0x3f && bytes[end + 1] === 0x3e)) end += 1
  if (end + 1 >= bytes.length) return undefined
  const content = Buffer.from(bytes.buffer, bytes.byteOffset + i + 5, end - i - 5).toString('latin1')
  const label = procInst('encoding', content)
  if (label === '' || label.toLowerCase() === 'utf-8') return undefined
  return { label, end: end + 2 }
}
