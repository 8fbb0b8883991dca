// Random backend encodings over odd bodies (seeded: SEED=, ENDPOINTS= how many): xml (attributes,
// namespaces, repeated elements, CDATA, comments and PIs, entities, BOMs, declared Latin-1, trailing
// text), rss (RSS 2.0 / Atom / RDF / JSON Feed with fields missing, namespaced extensions and dates in
// many forms), string, safejson and json (BOM, trailing values, duplicate keys, huge numbers, top-level
// arrays and scalars, bad bytes). Rendered as JSON, and xml/string/safejson/json also as XML, YAML or
// string. Left out, as known differences (README): an rss answer rendered as XML or YAML (KrakenD writes
// gofeed's structs there), Atom html/xhtml text (gofeed re-renders the HTML) and the parse errors of
// feeds that are not XML.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { feedBody, jsonBody, xmlBody } from './encodings.bodies.ts'
import { scripted } from './scripted.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 9) * 7919 + 13)
const chance = (p: number) => rnd() < p

export const config = {
  version: 3,
  timeout: '3s',
  extra_config: { router: { return_error_msg: chance(0.5) } },
  endpoints: Array.from({ length: Number(process.env.ENDPOINTS ?? 40) }, (_, i) => {
    const encoding = pick(['xml', 'rss', 'string', 'safejson', 'json'])
    const body =
      encoding === 'xml'
        ? xmlBody(rnd)
        : encoding === 'rss'
          ? feedBody(rnd)
          : encoding === 'string'
            ? pick([xmlBody(rnd), jsonBody(rnd), 'plain text', Buffer.from([0xff, 0xfe, 0x41])])
            : jsonBody(rnd)
    const type = pick(['application/json', 'application/xml', 'text/plain', 'application/rss+xml'])
    const status = chance(0.9) ? 200 : pick([201, 500])
    const backend: Record<string, unknown> = {
      host: ['BACKEND'],
      url_pattern: scripted(status, { 'Content-Type': type }, body),
      encoding,
    }
    if (chance(0.15)) backend.is_collection = true
    if (chance(0.15)) backend.group = 'g'
    if (chance(0.1)) backend.target = pick(['a', 'items', 'collection', 'content'])
    if (chance(0.1)) backend.extra_config = { 'backend/http': { return_error_details: 'e' } }
    const render = encoding !== 'rss' && chance(0.3)
    return {
      endpoint: `/e${i}`,
      backend: [backend],
      ...(render ? { output_encoding: pick(['xml', 'yaml', 'string', 'json-collection']) } : {}),
    }
  }),
}
