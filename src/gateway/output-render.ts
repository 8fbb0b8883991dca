/**
 * The endpoint's `output_encoding`: the merged data written as KrakenD (gin's renders) writes it.
 */
import { xmlWriting, yamlWriting } from './components/runtimes.ts'
import type { OutputEncoding } from './config/types.ts'
import { goStringBytes } from './go-bytes-string.ts'
import { markConfigNumbers } from './go-float.ts'
import { GoNumber, goJson } from './go-json.ts'
import { GoFormText } from './go-json-text.ts'
import type { Data } from './transform.ts'

export interface Rendered {
  contentType: string
  /** Bytes where the text is a Go string that may hold bytes that are not UTF-8. */
  body: string | Buffer
}

const JSON_TYPE = 'application/json; charset=utf-8'
const EMPTY_JSON: Rendered = { contentType: JSON_TYPE, body: '{}' }
const EMPTY_COLLECTION: Rendered = { contentType: JSON_TYPE, body: '[]' }

const XML_TYPE = 'application/xml'
const EMPTY_XML: Rendered = { contentType: 'application/xml; charset=utf-8', body: '' }
/** Numbers still holding the config's values are Go float64s, which YAML and XML write otherwise. */
const withConfigNumbers = (data: Data, configValues: Data | undefined) =>
  configValues === undefined ? data : markConfigNumbers(data, configValues)
const renderXml = (data: Data | undefined, configValues?: Data): Rendered =>
  data === undefined
    ? EMPTY_XML
    : // mxj writes a string's bytes as they are: a byte that is not UTF-8 too
      {
        contentType: XML_TYPE,
        body: goStringBytes(xmlWriting().writeXml(withConfigNumbers(data, configValues)) ?? ''),
      }
const renderYaml = (data: Data | undefined, configValues?: Data): Rendered => ({
  contentType: 'application/yaml; charset=utf-8',
  // gin's YAML render writes a string's bytes as they are: a byte that is not UTF-8 too
  body: goStringBytes(yamlWriting().writeYaml(withConfigNumbers(data ?? {}, configValues))),
})
const renderJson = (data: Data | undefined): Rendered =>
  data === undefined
    ? EMPTY_JSON
    : { contentType: JSON_TYPE, body: data instanceof GoFormText ? data.text : goJson(data) }
/** gin's JSON render when json.Marshal fails (a NaN or ±Inf): the status, no body. */
const UNWRITABLE_JSON: Rendered = { contentType: JSON_TYPE, body: '' }

/**
 * Whether `value` holds a NaN or ±Inf, which Go's json.Marshal refuses (`json: unsupported value`).
 * Only a Lua script makes one (a backend's JSON cannot hold them).
 */
function hasNonFinite(value: unknown): boolean {
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const item = stack.pop()
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) return true
    } else if (typeof item === 'object' && item !== null && !(item instanceof GoNumber))
      for (const key in item) stack.push((item as Record<string, unknown>)[key])
  }
  return false
}

// gin's NegotiateFormat(MIMEJSON, MIMEPlain, MIMEXML, MIMEYAML), as lura's negotiated render calls it.
const OFFERED = ['application/json', 'text/plain', 'application/xml', 'application/x-yaml']

/** The offer gin picks for an Accept header: the first accepted type (in header order) that
 * an offer matches by prefix or up to a `*`; the first offer when there is no Accept; "" when none. */
export function negotiateFormat(accept: string | undefined): string {
  const accepted: string[] = []
  for (let part of (accept ?? '').split(',')) {
    const semi = part.indexOf(';')
    if (semi > 0) part = part.slice(0, semi)
    part = part.trim()
    if (part !== '') accepted.push(part)
  }
  if (accepted.length === 0) return OFFERED[0] as string
  for (const a of accepted)
    for (const offer of OFFERED) {
      let i = 0
      for (; i < a.length && i < offer.length; i += 1) {
        if (a[i] === '*' || offer[i] === '*') return offer
        if (a[i] !== offer[i]) break
      }
      if (i === a.length) return offer
    }
  return ''
}

/** The endpoint `output_encoding` applied to the merged data, written as KrakenD (gin) writes it.
 * `accept` (the request's Accept header) is only read by `negotiate`; `configValues` (the static
 * data merged in) only by YAML and XML, which write the config's numbers (Go float64s) otherwise
 * than a backend's (json.Number texts). */
export function compileRenderer(
  encoding: OutputEncoding,
  scriptNumbers = false,
): (data: Data | undefined, accept?: string, configValues?: Data) => Rendered {
  const render = rendererFor(encoding)
  if (!scriptNumbers || (encoding !== 'json' && encoding !== 'negotiate' && encoding !== 'json-collection'))
    return render
  // A Lua `post` may have set a NaN or ±Inf: gin's JSON render then writes no body.
  return (data, accept, configValues) => {
    const rendered = render(data, accept, configValues)
    const written = encoding === 'json-collection' ? data?.collection : data
    return rendered.contentType === JSON_TYPE && written !== undefined && hasNonFinite(written)
      ? UNWRITABLE_JSON
      : rendered
  }
}

function rendererFor(
  encoding: OutputEncoding,
): (data: Data | undefined, accept?: string, configValues?: Data) => Rendered {
  // The writers load with the config that names them, not at its first request.
  if (encoding === 'xml' || encoding === 'negotiate') xmlWriting()
  if (encoding === 'yaml' || encoding === 'negotiate') yamlWriting()
  switch (encoding) {
    case 'xml':
      return (data, _accept, configValues) => renderXml(data, configValues)
    case 'yaml':
      return (data, _accept, configValues) => renderYaml(data, configValues)
    case 'negotiate':
      return (data, accept, configValues) => {
        switch (negotiateFormat(accept)) {
          case 'application/xml':
            return renderXml(data, configValues)
          case 'text/plain':
          case 'application/x-yaml':
            return renderYaml(data, configValues)
          default:
            return renderJson(data)
        }
      }
    case 'string':
      return (data) => {
        const content = data?.content
        return {
          contentType: 'text/plain; charset=utf-8',
          body: typeof content === 'string' ? goStringBytes(content) : '',
        }
      }
    case 'json-collection':
      return (data) => {
        const collection = data?.collection
        return collection === undefined
          ? EMPTY_COLLECTION
          : { contentType: JSON_TYPE, body: goJson(collection) }
      }
    default:
      return renderJson
  }
}
