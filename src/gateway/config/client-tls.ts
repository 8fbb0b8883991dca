/**
 * lura's `client_tls` (and the root `allow_insecure_connections`, which lura folds into it): the
 * TLS of every backend call, read as lura's ParseClientTLSConfig reads it. Any client_tls, even
 * `{}`, is a Go tls.Config of its own: TLS 1.3 unless min_version / max_version say otherwise,
 * curves P-521, P-384, P-256 and lura's six ECDHE suites unless listed, the system's CAs plus
 * `ca_certs`. Without it Go's defaults apply: TLS 1.2 or later, the system's CAs (backend-tls.ts).
 */
import type { SecureVersion } from 'node:tls'
import type { KeyPath } from '../../core/source-text.ts'
import { isObject } from '../components/types.ts'
import { GO_CURVES, GO_TLS_VERSIONS, goCipherSuites, LURA_DEFAULT_CURVES } from '../go-tls.ts'
import type { FieldReader } from './field-reader.ts'
import type { ClientTlsOptions } from './types.ts'

const CLIENT_TLS_KEYS = [
  'allow_insecure_connections',
  'ca_certs',
  'disable_system_ca_pool',
  'min_version',
  'max_version',
  'curve_preferences',
  'cipher_suites',
  'client_certs',
]
const VERSION_ORDER: SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']

/** undefined when lura makes no TLS config of its own (neither client_tls nor allow_insecure_connections). */
export function readClientTls(
  value: Record<string, unknown>,
  fields: FieldReader,
): ClientTlsOptions | undefined {
  const { error, warn, boolAt, stringAt, stringListAt, checkKeys } = fields
  const raw = value.client_tls
  const insecureRoot = boolAt(value, 'allow_insecure_connections', [], false)
  if ((raw === undefined || raw === null) && !insecureRoot) return undefined
  const at: KeyPath = ['client_tls']
  if (raw !== undefined && raw !== null && !isObject(raw)) {
    error(at, '"client_tls" must be an object')
    return undefined
  }
  const tls = raw ?? {}
  checkKeys(tls, at, CLIENT_TLS_KEYS, 'client_tls')

  const version = (key: 'min_version' | 'max_version') => {
    const name = stringAt(tls, key, at) ?? ''
    const known = Object.hasOwn(GO_TLS_VERSIONS, name) ? GO_TLS_VERSIONS[name] : undefined
    if (known === undefined && name !== '')
      warn(
        [...at, key],
        `"${key}" ${JSON.stringify(name)} is not a version lura knows: it reads as TLS 1.3 (as in KrakenD)`,
        `write one of ${Object.keys(GO_TLS_VERSIONS).join(', ')}`,
      )
    return known ?? ('TLSv1.3' as SecureVersion)
  }
  let minVersion = version('min_version')
  const maxVersion = version('max_version')
  if (VERSION_ORDER.indexOf(maxVersion) < VERSION_ORDER.indexOf('TLSv1.2'))
    error(
      [...at, 'max_version'],
      `"max_version" ${JSON.stringify(tls.max_version)} is below TLS 1.2: this runtime's TLS (OpenSSL 3 at its default security level) negotiates nothing older, so every https backend call would fail`,
      'allow TLS12 or TLS13',
    )
  else if (VERSION_ORDER.indexOf(minVersion) > VERSION_ORDER.indexOf(maxVersion))
    error(
      [...at, 'min_version'],
      `"min_version" is above "max_version": Go would refuse every https backend call ("tls: no supported versions satisfy MinVersion and MaxVersion")`,
      'make min_version at most max_version',
    )
  else if (VERSION_ORDER.indexOf(minVersion) < VERSION_ORDER.indexOf('TLSv1.2')) {
    warn(
      [...at, 'min_version'],
      `"min_version" ${JSON.stringify(tls.min_version)}: this runtime negotiates TLS 1.2 at least (OpenSSL 3's default security level); a backend that speaks only TLS 1.0 or 1.1 fails here, where KrakenD reaches it`,
      'set it to TLS12 once the backends speak TLS 1.2',
    )
    minVersion = 'TLSv1.2'
  }

  const ids = (key: 'curve_preferences' | 'cipher_suites'): number[] => {
    const list = tls[key]
    if (list === undefined || list === null) return []
    if (!Array.isArray(list) || list.some((id) => !Number.isInteger(id) || id < 0 || id > 0xffff)) {
      error([...at, key], `"${key}" must be a list of numbers from 0 to 65535 (Go's uint16 IDs)`)
      return []
    }
    return list as number[]
  }
  const curveIds = ids('curve_preferences')
  const curves: string[] = []
  for (const [i, id] of (curveIds.length ? curveIds : LURA_DEFAULT_CURVES).entries()) {
    const name = GO_CURVES[id]
    if (name === undefined)
      error(
        [...at, 'curve_preferences', i],
        `curve ${id} is not one Go knows`,
        `use Go's CurveIDs: ${Object.entries(GO_CURVES)
          .map(([code, curve]) => `${code} (${curve})`)
          .join(', ')}`,
      )
    else curves.push(name)
  }
  const suiteIds = ids('cipher_suites')
  const { names: ciphers, problems } = goCipherSuites(suiteIds)
  for (const { index, message, hint } of problems) error([...at, 'cipher_suites', index], message, hint)
  if (suiteIds.length > 0 && ciphers.length === 0 && minVersion !== 'TLSv1.3')
    warn(
      [...at, 'cipher_suites'],
      '"cipher_suites" lists only TLS 1.3 suites, which Go always enables: backends that speak only TLS 1.2 cannot be reached',
      'list TLS 1.2 suites too, or set min_version to TLS13',
    )

  const clientCerts: ClientTlsOptions['clientCerts'] = []
  const certs = tls.client_certs
  if (certs !== undefined && certs !== null && !Array.isArray(certs))
    error([...at, 'client_certs'], '"client_certs" must be a list of {"certificate", "private_key"}')
  for (const [i, pair] of (Array.isArray(certs) ? certs : []).entries()) {
    const where = [...at, 'client_certs', i]
    if (!isObject(pair)) {
      error(where, 'each client certificate must be an object with "certificate" and "private_key"')
      continue
    }
    checkKeys(pair, where, ['certificate', 'private_key'], 'client certificate')
    const certificate = stringAt(pair, 'certificate', where) ?? ''
    const privateKey = stringAt(pair, 'private_key', where) ?? ''
    clientCerts.push({ certificate, privateKey })
  }

  return {
    insecure: insecureRoot || boolAt(tls, 'allow_insecure_connections', at, false),
    caCerts: stringListAt(tls, 'ca_certs', at) ?? [],
    disableSystemCaPool: boolAt(tls, 'disable_system_ca_pool', at, false),
    minVersion,
    maxVersion,
    curves,
    ciphers,
    clientCerts,
  }
}
