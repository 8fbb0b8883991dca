/**
 * `auth/revoker` (service level), as KrakenD CE wires github.com/krakend/bloomfilter/v2: a sliding
 * bloom filter fed through Go net/rpc on `port`; every JWT an `auth/validator` endpoint accepts is
 * refused (401) when one of the `token_keys` claims is a string whose "key-value" is in the filter.
 *
 * KrakenD decodes the namespace with encoding/json; a value of the wrong type makes it log a
 * warning and run with no revocation at all, and a zero ttl, an unknown hash_name, n of 0 or p
 * outside (0, 1) crash it (at start or on the first token). Each is refused here before anything
 * runs.
 */

import { bloomBits } from '../revoker/bloom-filter.ts'
import { HASH_NAMES, type HashName } from '../revoker/bloom-hashes.ts'
import type { Fields } from './fields.ts'

export interface RevokerConfig {
  n: number
  p: number
  hashName: HashName
  ttlS: number
  /** The Go net/rpc port; 0 = any free port. */
  port: number
  tokenKeys: string[]
}

/** The longest ttl Go's rotation takes: time.Duration(ttl) * time.Second within int64 nanoseconds. */
const MAX_TTL_S = Math.floor(Number((1n << 63n) - 1n) / 1e9)

/** Bits one filter may have here: a position is computed modulo m in doubles (see bloom-hashes). */
export const MAX_FILTER_BITS = 2 ** 32

export function parseRevoker(f: Fields): RevokerConfig {
  const integer = (key: string, min: number, max: number, why: string): number => {
    const v = f.raw[key]
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v
    f.report.error(
      f.at(key),
      v === undefined
        ? `"${key}" is missing: ${why}`
        : `"${key}" must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}: ${why}`,
    )
    return min
  }
  const n = integer(
    'n',
    1,
    Number.MAX_SAFE_INTEGER,
    'the number of tokens the filter is sized for (KrakenD fails on 0)',
  )
  const ttlS = integer(
    'ttl',
    1,
    MAX_TTL_S,
    "the seconds between two slides of the filter (KrakenD does not start with 0, nor past Go's longest duration: time.Duration(ttl) * time.Second turns negative)",
  )
  // null is encoding/json's zero: any free port, as 0.
  const port =
    f.raw.port === null ? 0 : integer('port', 0, 65535, 'the Go net/rpc port revocations are sent to')
  const rawP = f.raw.p
  let p = 0.5
  if (typeof rawP === 'number' && rawP > 0 && rawP < 1) p = rawP
  else
    f.report.error(
      f.at('p'),
      rawP === undefined
        ? '"p" is missing: the false-positive rate, between 0 and 1 (KrakenD fails without it)'
        : `"p" must be a number between 0 and 1 (exclusive), got ${JSON.stringify(rawP)}`,
    )
  const rawHash = f.raw.hash_name
  const hashName = HASH_NAMES.find((name) => name === rawHash) ?? 'default'
  if (rawHash !== hashName)
    f.report.error(
      f.at('hash_name'),
      `"hash_name" must be "default" or "optimal", got ${JSON.stringify(rawHash)} (KrakenD does not start with any other)`,
    )
  const tokenKeys = tokenKeysAt(f)
  const headers = f.raw.headers
  // null or [] is no header at all, to KrakenD too.
  if (headers !== undefined && headers !== null && !(Array.isArray(headers) && headers.length === 0))
    f.report.error(
      f.at('headers'),
      '"headers" is not applied by KrakenD CE (it checks only token_keys), so these revocations would look enforced and not be',
      'revoke by a claim in "token_keys" instead, or remove "headers"',
    )
  const m = bloomBits(n, p)
  if (m > MAX_FILTER_BITS)
    f.report.error(
      f.path,
      `n ${n} with p ${p} needs ${m} bits per filter (${Math.ceil(m / 8 / 2 ** 20)} MiB, three filters per process); this runtime holds at most 2^32 bits (512 MiB) per filter`,
      'lower "n" or raise "p"',
    )
  return { n, p, hashName, ttlS, port, tokenKeys }
}

/**
 * `token_keys` as encoding/json decodes a []string: null is no key, a null item the key "" (a claim
 * of that name is looked up). KrakenD runs the revoker without keys and never revokes a token: so
 * here, with a warning. An item of another type makes KrakenD run no revoker at all: refused.
 */
function tokenKeysAt(f: Fields): string[] {
  const raw = f.raw.token_keys
  if (raw === undefined) {
    f.report.error(
      f.at('token_keys'),
      '"token_keys" is missing: no token would ever be revoked',
      'list the claims revocations name, e.g. ["jti"]',
    )
    return []
  }
  const keys = Array.isArray(raw) ? raw.map((item) => (item === null ? '' : item)) : raw === null ? [] : raw
  if (!Array.isArray(keys) || keys.some((key) => typeof key !== 'string')) {
    f.report.error(
      f.at('token_keys'),
      `"token_keys" must be a list of strings, got ${JSON.stringify(raw)}: KrakenD cannot decode it and runs no revoker at all`,
      'list the claims revocations name, e.g. ["jti"]',
    )
    return []
  }
  if (keys.length === 0)
    f.report.warn(
      f.at('token_keys'),
      `"token_keys" is ${raw === null ? 'null' : 'empty'}: no token is ever revoked (KrakenD runs the revoker so too)`,
      'list the claims revocations name, e.g. ["jti"]',
    )
  return keys as string[]
}

/** Something that can say whether an element was revoked (the node's sliding bloom filter). */
export interface RevocationFilter {
  check(elem: Uint8Array): boolean
}

const utf8 = new TextEncoder()

/** The rejecter krakend-jose asks after the signature and claims: true refuses the token (401). */
export function compileRevocationCheck(
  cfg: RevokerConfig,
  filter: RevocationFilter,
): (claims: Record<string, unknown>) => boolean {
  return (claims) => {
    for (const key of cfg.tokenKeys) {
      if (!Object.hasOwn(claims, key)) continue
      const value = claims[key]
      if (typeof value === 'string' && filter.check(utf8.encode(`${key}-${value}`))) return true
    }
    return false
  }
}
