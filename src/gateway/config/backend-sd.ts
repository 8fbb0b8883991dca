// A backend's `sd` (lura's service discovery): "static" (or unset) calls the hosts as written;
// "dns" (lura's dnssrv) calls the instances of the SRV records of the first host.
import type { KeyPath } from '../../core/source-text.ts'
import { goIsDomainName } from '../go-dns-names.ts'
import type { FieldReader } from './field-reader.ts'
import type { BackendConfig } from './types.ts'

/**
 * The SRV lookup of an `sd: "dns"` backend, or undefined after an error saying why KrakenD would
 * find no instance (every call to the backend failing with 500 `no hosts available`).
 */
export function readSrvTarget(
  rawBackend: Record<string, unknown>,
  bp: KeyPath,
  what: string,
  sanitizeOff: boolean,
  fields: FieldReader,
): BackendConfig['srv'] {
  const { error, warn, stringAt } = fields
  const raw = rawBackend.host
  const list: unknown[] = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : []
  const name = list[0]
  const fix =
    'write the SRV name as the backend\'s one host with "disable_host_sanitize": true, e.g. "host": ["_http._tcp.api.internal"]'
  if (typeof name !== 'string') {
    error(
      [...bp, 'host'],
      `${what}: "sd": "dns" looks the backend's first host up as an SRV name, and it lists none (the root hosts are sanitized into URLs, which no DNS answers): KrakenD fails every call to it (500, no hosts available)`,
      fix,
    )
    return undefined
  }
  if (!sanitizeOff) {
    error(
      [...bp, 'sd'],
      `${what}: "sd": "dns" with host sanitization on: KrakenD looks up the SRV name as its sanitizer rewrites it into a URL (${JSON.stringify(`http://${name}`)}), which no DNS answers, so every call to this backend fails (500, no hosts available)`,
      'add "disable_host_sanitize": true to this backend (KrakenD\'s documentation asks for it with DNS SRV)',
    )
    return undefined
  }
  if (!goIsDomainName(name)) {
    error(
      [...bp, 'host', ...(typeof raw === 'string' ? [] : [0])],
      `${what}: ${JSON.stringify(name)} is not a DNS name Go looks up (letters, digits, "_" and "-" in dot-separated labels): KrakenD finds no instance and fails every call to this backend (500, no hosts available)`,
      fix,
    )
    return undefined
  }
  if (list.length > 1)
    warn(
      [...bp, 'host'],
      `${what}: "sd": "dns" looks up only the first host (${JSON.stringify(name)}); KrakenD ignores the others, and so does this runtime`,
      'list only the SRV name',
    )
  const written = stringAt(rawBackend, 'sd_scheme', bp) ?? ''
  // lura defaults an empty sd_scheme to http; Go's url.Parse lower-cases the scheme.
  const scheme = written === '' ? 'http' : written.toLowerCase()
  if (scheme !== 'http' && scheme !== 'https') {
    error(
      [...bp, 'sd_scheme'],
      `${what}: "sd_scheme" ${JSON.stringify(written)} is not http or https: Go's transport fails every call to this backend (unsupported protocol scheme)`,
      'write "http" or "https"',
    )
    return undefined
  }
  return { name, scheme }
}
