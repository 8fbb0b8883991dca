/** auth/validator settings read as krakend-jose's Go struct reads them. */
import { goParseDuration } from '../go-time.ts'
import type { Fields } from './fields.ts'

/**
 * KrakenD decodes the validator's settings into a Go struct: a value of another type there fails
 * the whole config, and every request gets 401. Such values are config errors here.
 */
const UNREADABLE = 'KrakenD cannot decode the validator settings then and answers 401 to every request'

/**
 * A Go duration string (time.ParseDuration: "-5s", "1h30m", "1.5ms"); a number is no string to Go.
 * A string that is no duration ("x", "", "5") is krakend-jose's fallback (`fallback` says which):
 * KrakenD starts and uses it, so here too, with a warning. Undefined then.
 */
export function goDurationMs(f: Fields, key: string, fallback: string): number | undefined {
  const v = f.raw[key]
  // null leaves the Go field as it was.
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') {
    f.report.error(
      f.at(key),
      `"${key}" must be a duration string like "1s", got ${JSON.stringify(v)}: ${UNREADABLE}`,
    )
    return undefined
  }
  const ns = goParseDuration(v)
  if (typeof ns === 'string') {
    f.report.warn(
      f.at(key),
      `"${key}" is not a duration: ${JSON.stringify(v)}, so KrakenD ${fallback}`,
      'write it like "1s" or "1m" (a number needs its unit)',
    )
    return undefined
  }
  return Number(ns) / 1e6
}

/** A Go uint32: a whole number from 0 to 4294967295. */
export function uint32(f: Fields, key: string): number | undefined {
  const v = f.raw[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    f.report.error(
      f.at(key),
      `"${key}" must be a whole number of seconds, got ${JSON.stringify(v)}: ${UNREADABLE}`,
    )
    return undefined
  }
  return v
}

/**
 * A Go []string setting (roles, scopes, audience), where encoding/json reads a null item as "".
 * A required role or scope "" is held by every token whose claim is "" or has an empty part
 * ("a  b", a trailing space), so KrakenD lets those through: a null there is refused (write ""
 * when that is meant). An audience "" only narrows what passes (the token's aud must hold ""), so
 * it is read as KrakenD reads it, with a warning.
 */
export function goStringList(f: Fields, key: 'roles' | 'scopes' | 'audience'): string[] | undefined {
  const v = f.raw[key]
  if (!Array.isArray(v) || !v.includes(null)) return f.strings(key)
  const rest = v.filter((item) => item !== null)
  if (rest.some((item) => typeof item !== 'string')) return f.strings(key)
  const at = [...f.at(key), v.indexOf(null)]
  if (key === 'audience') {
    f.report.warn(
      at,
      `"audience" holds null, which KrakenD reads as "": only tokens whose aud has "" pass`,
      'remove the null',
    )
    return v.map((item) => item ?? '')
  }
  f.report.error(
    at,
    `"${key}" holds null, which KrakenD reads as "": every token whose claim is "" or has an empty part ("a  b", "a ") would pass`,
    `remove the null, or write "" if such tokens may pass`,
  )
  return undefined
}

/**
 * krakend-jose's `secret_url` (keys decrypted with `cypher_key`) is refused; `cypher_key` alone is
 * decoded as Go []byte (standard base64, padded) and used for nothing, as in KrakenD: a warning. One
 * Go cannot decode fails KrakenD's whole settings (every request 401): an error.
 */
export function refuseEncryptedKeys(f: Fields): void {
  f.refuse(['secret_url'], 'encrypted local keys')
  const v = f.raw.cypher_key
  if (v === undefined || v === null) return
  if (f.has('secret_url')) {
    f.refuse(['cypher_key'], 'encrypted local keys')
    return
  }
  const text = typeof v === 'string' ? v.replace(/[\r\n]/g, '') : undefined
  if (
    text === undefined ||
    text.length % 4 !== 0 ||
    !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)
  )
    f.report.error(
      f.at('cypher_key'),
      `"cypher_key" must be padded standard base64, got ${JSON.stringify(v)}: ${UNREADABLE}`,
      'remove it: without "secret_url" it is not used',
    )
  else
    f.report.warn(
      f.at('cypher_key'),
      '"cypher_key" does nothing without "secret_url" (KrakenD ignores it too)',
      'remove it',
    )
}
