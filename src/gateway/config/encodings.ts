/**
 * Backend `encoding` and endpoint `output_encoding` names, read as lura resolves them: a decoder
 * by strings.ToLower(name), JSON for a name its registry lacks; a render by the exact name, and
 * for a name the render registry lacks, the render named by the one backend's exact encoding
 * (else JSON). KrakenD CE starts with any name, so an unknown one is a warning, not an error.
 */
import type { KeyPath } from '../../core/source-text.ts'
import { goToLower } from '../go-unicode-case.ts'
import type { FieldReader } from './field-reader.ts'
import type { BackendEncoding, OutputEncoding } from './types.ts'

export const BACKEND_ENCODINGS: BackendEncoding[] = ['json', 'safejson', 'string', 'no-op', 'xml', 'rss']
export const OUTPUT_ENCODINGS: OutputEncoding[] = [
  'json',
  'json-collection',
  'string',
  'no-op',
  'xml',
  'yaml',
  'negotiate',
]

const isRender = (name: unknown): name is OutputEncoding =>
  typeof name === 'string' && (OUTPUT_ENCODINGS as string[]).includes(name)

/** The written name (a string after weak typing), or undefined when unset or not a string (reported). */
function writtenName(fields: FieldReader, raw: unknown, path: KeyPath, key: string): string | undefined {
  if (raw === undefined) return undefined
  if (typeof raw === 'string') return raw
  fields.error([...path, key], `"${key}" must be a string, got ${JSON.stringify(raw)}`)
  return undefined
}

/** A backend's decoder. "No-Op" in another case is refused: lura decodes it as no-op but proxies it as json. */
export function readBackendEncoding(
  fields: FieldReader,
  rawBackend: Record<string, unknown>,
  bp: KeyPath,
): BackendEncoding {
  const written = writtenName(fields, rawBackend.encoding, bp, 'encoding')
  if (written === undefined) return 'json'
  const lower = goToLower(written)
  if (lower === 'no-op' && written !== 'no-op') {
    fields.error(
      [...bp, 'encoding'],
      `unsupported encoding ${JSON.stringify(written)}`,
      'write "no-op" (lura compares it exactly: another case decodes nothing yet proxies as json)',
    )
    return 'json'
  }
  if ((BACKEND_ENCODINGS as string[]).includes(lower)) return lower as BackendEncoding
  fields.warn(
    [...bp, 'encoding'],
    `encoding ${JSON.stringify(written)} is not one KrakenD CE knows: lura decodes the answer as json, and so does this runtime`,
    `write one of ${BACKEND_ENCODINGS.join(', ')}`,
  )
  return 'json'
}

/** The service's `output_encoding` as written (endpoints resolve an unknown one by their backend). */
export function readServiceOutputEncoding(fields: FieldReader, value: Record<string, unknown>): string {
  const written = writtenName(fields, value.output_encoding, [], 'output_encoding')
  if (written === undefined) return 'json'
  if (!isRender(written))
    fields.warn(
      ['output_encoding'],
      `output_encoding ${JSON.stringify(written)} is not a KrakenD CE render: endpoints that inherit it render as their one backend's encoding names a render, else json, as lura falls back`,
      `write one of ${OUTPUT_ENCODINGS.join(', ')}`,
    )
  return written
}

/** An endpoint's render: its own `output_encoding`, else the service's, resolved as lura's getRender. */
export function readOutputEncoding(
  fields: FieldReader,
  rawEndpoint: Record<string, unknown>,
  ep: KeyPath,
  inherited: string,
): OutputEncoding {
  const own = writtenName(fields, rawEndpoint.output_encoding, ep, 'output_encoding')
  const written = own ?? inherited
  if (isRender(written)) return written
  const backends = Array.isArray(rawEndpoint.backend) ? rawEndpoint.backend : []
  const single = backends.length === 1 ? (backends[0] as { encoding?: unknown } | null)?.encoding : undefined
  const render = isRender(single) ? single : 'json'
  if (own !== undefined)
    fields.warn(
      [...ep, 'output_encoding'],
      `output_encoding ${JSON.stringify(own)} is not a KrakenD CE render: lura falls back to ${render}${render === 'json' ? '' : " (its backend's encoding)"}, and so does this runtime`,
      `write one of ${OUTPUT_ENCODINGS.join(', ')}`,
    )
  return render
}
