/**
 * A JSON Web Key Set as krakend-jose uses it: read once from `jwk_local_path`, or fetched from
 * `jwk_url` (0 `cacheMs`: fetched for every lookup, as KrakenD without `cache`). With a cache, each
 * key is kept for `cacheMs` from the download that last brought it, as krakend-jose's
 * MemoryKeyCacher: a `kid` not cached (or expired) downloads the set again, and keys the new set
 * no longer lists stay usable until their own time is up (a key rotation does not cut off tokens
 * signed with the old key). A kid that failed is refused for `unknownKidMs` when set. Keys are
 * matched by `kid` exactly (the last key with that kid wins, as in go-auth0's cache) and imported
 * for `alg`.
 *
 * A set is accepted only when go-jose would decode it: a JWKS URL must answer with a JSON content
 * type (go-auth0 checks it, not the status code), and one key go-jose cannot read (unknown `kty`,
 * bad numbers, an `x5c` that does not parse or match the key, bad `x5t`, an `x5u` Go cannot parse;
 * see jwks-read.ts) fails the whole set.
 */
import { readFileSync } from 'node:fs'
import type { JWK } from 'jose'
import { configError } from '../../core/errors.ts'
import { readCaCertificates } from '../backend-tls.ts'
import { joseLibrary } from '../libraries.ts'
import type { JwksClient } from './jwks-client.ts'
import { jwkKeyId, type KeyIdStrategy } from './jwks-key-id.ts'
import { parseJwks } from './jwks-read.ts'
import type { JwksTls } from './jwks-tls.ts'
import { withCrt } from './rsa-crt.ts'

export interface KeySource {
  alg: string
  jwkUrl: string | undefined
  /** The JWKS download's TLS (disable_jwk_security, jwk_local_ca, jwk_fingerprints, cipher_suites). */
  tls: JwksTls
  jwkLocalPath: string | undefined
  /** Key cache lifetime; 0 = fetch the JWKS for every request, as KrakenD does without `cache`. */
  cacheMs: number
  /** Remember a kid the JWKS did not have for this long (failed_jwk_key_cooldown). */
  unknownKidMs: number
  /** key_identify_strategy: what names a key (its kid unless set). */
  keyIdStrategy?: KeyIdStrategy
}

export type JoseKey = Awaited<ReturnType<typeof import('jose').importJWK>>

/** go-auth0 dereferencing the nil key of a file set (gin's Recovery answers 500). */
export class NilKeyPanic extends Error {
  constructor() {
    super('runtime error: invalid memory address or nil pointer dereference')
  }
}

/**
 * go-auth0's http.Client has no timeout: KrakenD waits for a slow set as long as it takes (tokens
 * signed with its keys pass once it comes). Here a download is given up after a minute.
 */
const DOWNLOAD_LIMIT_MS = 60_000

/** The jwk_urls whose set was downloaded at start (krakend-jose's cacheOnce: once a process). */
const PREFETCHED = new Set<string>()

/** The JWKS, read once (a file) or downloaded when a token names a kid not cached or expired. */
export class KeySet {
  private readonly cfg: KeySource
  /** jwk_local_path's keys. */
  private keys: JWK[] = []
  /** A downloaded key by kid, with when the download that last listed it was made. */
  private readonly cached = new Map<string, { jwk: JWK; addedAt: number }>()
  private pending: Promise<JWK[]> | undefined
  private client: JwksClient | undefined
  /** jwk_local_ca's certificates, read at start. */
  private readonly localCa: string[] | undefined
  private readonly imported = new WeakMap<JWK, JoseKey>()
  private readonly missing = new Map<string, number>()

  /** Reads jwk_local_path now: a missing or bad file is a config error (exit 2) naming `where`. */
  constructor(cfg: KeySource, where: string) {
    this.cfg = cfg
    // krakend-jose reads it when the validator is built: a missing file stops KrakenD too.
    this.localCa = cfg.tls.localCa ? readCaCertificates(cfg.tls.localCa, `${where}.jwk_local_ca`) : undefined
    if (cfg.jwkLocalPath) {
      try {
        this.keys = parseJwks(readFileSync(cfg.jwkLocalPath, 'utf8'))
      } catch (error) {
        throw configError(
          `${where}.jwk_local_path: cannot read the JWKS ${cfg.jwkLocalPath}: ${(error as Error).message}`,
          {
            hint: 'point jwk_local_path at a JSON Web Key Set file ({"keys": [...]}) readable by the gateway',
          },
        )
      }
    }
  }

  /**
   * The raw JWK for `kid` (refreshing as KrakenD would), undefined when the set has none. With
   * failed_jwk_key_cooldown, as krakend-jose's miss tracker: a kid whose lookup failed (not in the
   * set after a download, or the download failed) is refused for that long before anything else is
   * looked at, even once the set has it.
   */
  async jwk(kid: string): Promise<JWK | undefined> {
    const remote = Boolean(this.cfg.jwkUrl && !this.cfg.jwkLocalPath)
    if (!remote) {
      const jwk = this.find(kid)
      // With jwk_url too, go-auth0 downloads that set for a kid the file lacks, then dereferences
      // the nil key krakend-jose's file cache hands back: KrakenD panics when the download works.
      if (jwk === undefined && this.cfg.jwkUrl) {
        await this.download()
        throw new NilKeyPanic()
      }
      return jwk
    }
    const until = this.missing.get(kid)
    if (until !== undefined) {
      if (until > Date.now()) return undefined
      this.missing.delete(kid)
    }
    try {
      const jwk = await this.lookup(kid)
      if (!jwk) this.missed(kid)
      return jwk
    } catch (error) {
      this.missed(kid)
      throw error
    }
  }

  /**
   * go-auth0's GetKey over krakend-jose's MemoryKeyCacher: a fresh cached key, else one download
   * whose every key is cached anew, and the last one with this kid is the answer.
   */
  private async lookup(kid: string): Promise<JWK | undefined> {
    const entry = this.cached.get(kid)
    if (entry) {
      if (Date.now() <= entry.addedAt + this.cfg.cacheMs) return entry.jwk
      this.cached.delete(kid)
    }
    const keys = await this.download()
    return keys.findLast((k) => this.idOf(k) === kid)
  }

  private missed(kid: string): void {
    if (this.cfg.unknownKidMs <= 0) return
    // One cooldown for every kid: the oldest entries expire first, so the map holds only live ones.
    const now = Date.now()
    for (const [old, until] of this.missing) {
      if (until > now) break
      this.missing.delete(old)
    }
    this.missing.set(kid, now + this.cfg.unknownKidMs)
  }

  /**
   * krakend-jose's start with `cache`: the first validator of a jwk_url looks up the kid "unknown"
   * in the background, so the set is downloaded (and its keys cached) at startup, and "unknown" is a
   * failed kid under failed_jwk_key_cooldown unless the set has it. A key the set drops after the
   * start stays usable for the cache's time, as in KrakenD.
   */
  prefetch(): void {
    const url = this.cfg.jwkUrl
    if (this.cfg.cacheMs <= 0 || !url || this.cfg.jwkLocalPath || PREFETCHED.has(url)) return
    PREFETCHED.add(url)
    this.jwk('unknown').catch(() => {})
  }

  async get(kid: string): Promise<JoseKey | undefined> {
    const jwk = await this.jwk(kid)
    if (!jwk) return undefined
    let key = this.imported.get(jwk)
    if (!key) {
      key = await joseLibrary().importJWK(verificationJwk(jwk), importAlg(jwk, this.cfg.alg))
      this.imported.set(jwk, key)
    }
    return key
  }

  /** Whether jwk_local_path's set has `kid`. */
  holdsLocally(kid: string): boolean {
    return this.find(kid) !== undefined
  }

  private find(kid: string): JWK | undefined {
    return this.keys.findLast((k) => this.idOf(k) === kid)
  }

  private idOf(jwk: JWK): string {
    return jwkKeyId(jwk, this.cfg.keyIdStrategy ?? 'kid')
  }

  /** One download shared by the lookups waiting for it (go-auth0 holds a lock around GetKey). */
  private download(): Promise<JWK[]> {
    this.pending ??= (async () => {
      try {
        // Loaded on first download: config parsing (a cluster primary too) imports this module.
        this.client ??= new (await import('./jwks-client.ts')).JwksClient(this.cfg.tls, this.localCa)
        const answer = await this.client.get(
          this.cfg.jwkUrl as string,
          AbortSignal.timeout(DOWNLOAD_LIMIT_MS),
        )
        const type = answer.contentType
        if (!type.startsWith('application/json') && !type.startsWith('application/jwk-set+json'))
          throw new Error('should have a JSON content type for JWKS endpoint')
        const keys = parseJwks(firstJsonObject(answer.text))
        if (keys.length === 0) throw new Error('no Keys has been found')
        if (this.cfg.cacheMs > 0) {
          const now = Date.now()
          for (const jwk of keys) this.cached.set(this.idOf(jwk), { jwk, addedAt: now })
        }
        return keys
      } finally {
        this.pending = undefined
      }
    })()
    return this.pending
  }
}

/**
 * go-jose verifies with the key material only: the JWK's `alg`, `use` and `key_ops` do not restrict
 * it, so they are dropped before the import (jose would refuse some of them).
 */
function verificationJwk(jwk: JWK): JWK {
  const { alg: _alg, use: _use, key_ops: _ops, ...rest } = jwk
  return rest.kty === 'RSA' && rest.d !== undefined && !(rest.dp && rest.dq && rest.qi) ? withCrt(rest) : rest
}

/**
 * The alg a key is imported for: the configured one, but an EC key's own curve's for an ES alg (jose
 * ties ES384 to P-384), since go-jose checks an ES signature's size only and then r and s as numbers
 * on the key's curve: a P-256 key verifies ES384 and ES512 tokens (jws-signature.ts).
 */
function importAlg(jwk: JWK, alg: string): string {
  if (jwk.kty !== 'EC' || !alg.startsWith('ES')) return alg
  return EC_ALG[String(jwk.crv)] ?? alg
}
const EC_ALG: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }

/**
 * The first JSON object of a downloaded set: go-auth0 reads the answer with json.Decoder, which
 * stops after one value, so whatever follows it (a second object, trailing text) is never read.
 */
function firstJsonObject(text: string): string {
  const start = text.search(/[^ \t\n\r]/)
  if (text[start] !== '{') return text
  let depth = 0
  for (let i = start; i < text.length; i += 1) {
    const c = text[i]
    if (c === '"') {
      i += 1
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
    } else if (c === '{' || c === '[') depth += 1
    else if ((c === '}' || c === ']') && --depth === 0) return text.slice(0, i + 1)
  }
  return text
}
