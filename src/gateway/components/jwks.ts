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
 * bad numbers, an `x5c` that does not parse or match the key, bad `x5t`) fails the whole set.
 */
import type { KeyObject, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { JWK } from 'jose'
import { configError } from '../../core/errors.ts'
import { readCaCertificates } from '../backend-tls.ts'
import { goParseUrl } from '../go-url-parse.ts'
import { cryptoModule, joseLibrary } from '../libraries.ts'
import type { JwksClient } from './jwks-client.ts'
import { jwkKeyId, type KeyIdStrategy } from './jwks-key-id.ts'
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

  async get(kid: string): Promise<JoseKey | undefined> {
    const jwk = await this.jwk(kid)
    if (!jwk) return undefined
    let key = this.imported.get(jwk)
    if (!key) {
      key = await joseLibrary().importJWK(verificationJwk(jwk), this.cfg.alg)
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
        const answer = await this.client.get(this.cfg.jwkUrl as string, AbortSignal.timeout(5000))
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

/** The keys of a JWK set as Go decodes it (a `keys` member matched case-insensitively, last wins). */
export function parseJwks(text: string): JWK[] {
  const value = JSON.parse(text) as unknown
  const repeated = duplicateKey(text, 2)
  if (repeated !== undefined) throw new Error(`json: duplicate key '${repeated}' in a key`)
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('not a JWK set: not a JSON object')
  let keys: unknown
  for (const [name, v] of Object.entries(value)) if (name.toLowerCase() === 'keys') keys = v
  if (!Array.isArray(keys)) throw new Error('not a JWK set: no "keys" list')
  return keys.map((key, i) => {
    const read = readJwk(key)
    if (typeof read === 'string') throw new Error(`key #${i}: ${read}`)
    return read as JWK
  })
}

const STRING_MEMBERS = ['kty', 'kid', 'use', 'alg', 'crv', 'x5u', 'x5t', 'x5t#S256']
const BYTES_MEMBERS = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'x', 'y']

/** Why go-jose's JSONWebKey.UnmarshalJSON would refuse this key, undefined when it would not. */
export function jwkProblem(key: unknown): string | undefined {
  const read = readJwk(key)
  return typeof read === 'string' ? read : undefined
}

/**
 * The key as go-jose reads it (its byte members in canonical base64url, so every later step sees
 * what Go decoded), or why go-jose's JSONWebKey.UnmarshalJSON refuses it.
 */
function readJwk(key: unknown): Record<string, unknown> | string {
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return 'not a JSON object'
  const jwk: Record<string, unknown> = { ...key }
  for (const name of STRING_MEMBERS)
    if (jwk[name] !== undefined && jwk[name] !== null && typeof jwk[name] !== 'string')
      return `"${name}" is not a string`
  // go-jose parses x5u with url.Parse (Go reads the UTF-8 bytes): one it refuses fails the key.
  const x5u =
    typeof jwk.x5u === 'string' && jwk.x5u !== '' ? goParseUrl(Buffer.from(jwk.x5u).toString('latin1')) : ''
  if (typeof x5u === 'string' && x5u !== '') return `invalid JWK, x5u header is invalid URL: ${x5u}`
  for (const name of BYTES_MEMBERS) {
    if (jwk[name] === undefined || jwk[name] === null) continue
    const bytes = typeof jwk[name] === 'string' ? goBase64Url(jwk[name]) : undefined
    if (bytes === undefined) return `"${name}" is not base64url`
    jwk[name] = bytes
  }
  let certs: X509Certificate[]
  try {
    certs = certificateChain(jwk.x5c)
  } catch (error) {
    return `x5c: ${(error as Error).message}`
  }
  let publicKey: KeyObject | undefined
  try {
    publicKey = keyMaterial(jwk, certs.length > 0)
  } catch (error) {
    return (error as Error).message
  }
  const leaf = certs[0]
  if (leaf && publicKey && !leaf.publicKey.equals(publicKey))
    return 'public keys in key and x5c fields do not match'
  for (const [name, size] of [
    ['x5t', 20],
    ['x5t#S256', 32],
  ] as const) {
    const problem = thumbprintProblem(jwk[name], size, leaf, name === 'x5t' ? 'sha1' : 'sha256')
    if (problem) return `${name}: ${problem}`
  }
  return jwk
}

/**
 * go-jose's base64URLDecode: trailing "=" trimmed, then Go's RawURLEncoding, which skips "\r" and
 * "\n" and ignores the unused low bits of the last character. Canonical base64url, or undefined.
 */
function goBase64Url(value: string): string | undefined {
  const text = value.replace(/=+$/, '').replace(/[\r\n]/g, '')
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined
  return Buffer.from(text, 'base64url').toString('base64url')
}

/** go-jose's parseCertificateChain: standard base64 DER certificates. */
export function certificateChain(x5c: unknown): X509Certificate[] {
  if (x5c === undefined || x5c === null) return []
  if (!Array.isArray(x5c) || x5c.some((c) => typeof c !== 'string')) throw new Error('not a list of strings')
  return (x5c as string[]).map((c) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(c) || c.length % 4 !== 0) throw new Error('illegal base64 data')
    return new (cryptoModule().X509Certificate)(Buffer.from(c, 'base64'))
  })
}

/** The key's public part, as go-jose builds it per `kty` (undefined for a symmetric key). */
function keyMaterial(jwk: Record<string, unknown>, hasCerts: boolean): KeyObject | undefined {
  const bytes = (name: string) =>
    typeof jwk[name] === 'string'
      ? Buffer.from((jwk[name] as string).replace(/=+$/, ''), 'base64url')
      : undefined
  switch (jwk.kty) {
    case 'oct':
      if (hasCerts) throw new Error("invalid JWK, found 'oct' (symmetric) key with cert chain")
      if (bytes('k') === undefined) throw new Error('invalid OCT (symmetric) key, missing k value')
      return undefined
    case 'RSA':
      if (!bytes('n') || !bytes('e')) throw new Error('invalid RSA key, missing n/e values')
      if (bytes('d') && (!bytes('p') || !bytes('q')))
        throw new Error('invalid RSA private key, missing values')
      return publicOf(jwk, ['kty', 'n', 'e'])
    case 'EC': {
      const size = { 'P-256': 32, 'P-384': 48, 'P-521': 66 }[String(jwk.crv)]
      if (!size) throw new Error(`unsupported elliptic curve '${String(jwk.crv)}'`)
      if (bytes('x')?.length !== size || bytes('y')?.length !== size)
        throw new Error('invalid EC public key, wrong length for x or y')
      const d = bytes('d')
      if (d !== undefined && d.length !== size) throw new Error('invalid EC private key, wrong length for d')
      return publicOf(jwk, ['kty', 'crv', 'x', 'y'])
    }
    case 'OKP': {
      const d = bytes('d')
      if (jwk.crv !== 'Ed25519' || bytes('x') === undefined)
        throw new Error(`unknown curve ${String(jwk.crv)}'`)
      if (bytes('x')?.length !== 32 || (d !== undefined && d.length !== 32))
        throw new Error('invalid Ed25519 key, wrong size')
      return publicOf(jwk, ['kty', 'crv', 'x'])
    }
    default:
      throw new Error(`unknown json web key type '${String(jwk.kty)}'`)
  }
}

function publicOf(jwk: Record<string, unknown>, members: string[]): KeyObject {
  try {
    return cryptoModule().createPublicKey({
      key: Object.fromEntries(members.map((n) => [n, jwk[n]])) as never,
      format: 'jwk',
    })
  } catch (error) {
    throw new Error(`invalid ${String(jwk.kty)} key: ${(error as Error).message}`)
  }
}

/** go-jose's x5t / x5t#S256 rules: base64url, raw or hex digest of the right size, matching x5c. */
function thumbprintProblem(
  value: unknown,
  size: number,
  leaf: X509Certificate | undefined,
  hash: 'sha1' | 'sha256',
): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const text = (value as string).replace(/=+$/, '')
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return 'invalid encoding'
  let digest = Buffer.from(text, 'base64url')
  if (digest.length === 2 * size) {
    const hex = digest.toString('latin1')
    if (!/^[0-9a-fA-F]*$/.test(hex)) return 'unable to hex decode'
    digest = Buffer.from(hex, 'hex')
  }
  if (digest.length !== size) return 'incorrect size'
  if (leaf && !cryptoModule().createHash(hash).update(leaf.raw).digest().equals(digest))
    return 'does not match x5c'
  return undefined
}

/**
 * The first key that repeats within one JSON object of `text` (valid JSON), ignoring objects
 * shallower than `minDepth` (1: the top-level object). go-jose's JSON decoder refuses repeated
 * keys; Go's standard one (and JSON.parse) keeps the last.
 */
export function duplicateKey(text: string, minDepth = 1): string | undefined {
  const stack: Array<Set<string> | undefined> = []
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]
    if (c === '{') stack.push(stack.length + 1 >= minDepth ? new Set() : undefined)
    else if (c === '[') stack.push(undefined)
    else if (c === '}' || c === ']') stack.pop()
    else if (c === '"') {
      let end = i + 1
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1
      const keys = stack[stack.length - 1]
      let next = end + 1
      while (text[next] === ' ' || text[next] === '\t' || text[next] === '\n' || text[next] === '\r')
        next += 1
      if (keys && text[next] === ':') {
        const key = JSON.parse(text.slice(i, end + 1)) as string
        if (keys.has(key)) return key
        keys.add(key)
      }
      i = end
    }
  }
  return undefined
}
