// Hand-picked validation/cel probes (celedge.cases.ts sends the requests): string order between
// high BMP and astral characters, sizes and patterns on non-BMP and invalid UTF-8 text, number
// and time conversions at Go's parser edges (hex floats, commas in fractions, Greek mu), string
// forms of doubles and durations, heterogeneous numeric keys, header, query and path bytes that
// are not UTF-8, backend answers with such headers and JSON strings. Each probe is one
// endpoint-level check on GET /x<i>/{id}, whose backend is /obj or the probe's scripted answer.
import { PROBES } from './celedge.probes.ts'
import { scripted } from './scripted.ts'

export const config = {
  version: 3,
  name: 'celedge',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router: { disable_access_log: true, return_error_msg: true } },
  endpoints: PROBES.map((probe, i) => ({
    endpoint: `/x${i}/{id}`,
    ...(probe.bare ? {} : { input_headers: ['*'], input_query_strings: ['*'] }),
    extra_config: { 'validation/cel': [{ check_expr: probe.expr }] },
    backend: [
      probe.answer
        ? {
            url_pattern: scripted(...probe.answer),
            ...(probe.noop ? { encoding: 'no-op' } : probe.encoding ? { encoding: probe.encoding } : {}),
          }
        : { url_pattern: '/obj', allow: ['a'] },
    ],
    ...(probe.noop ? { output_encoding: 'no-op' } : {}),
  })),
}
