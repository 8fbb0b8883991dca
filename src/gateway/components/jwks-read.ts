/**
 * JWK sets read as go-jose v3 reads them (krakend-jose's validator and signer): one key go-jose's
 * JSONWebKey.UnmarshalJSON refuses fails the whole set.
 */
import type { KeyObject, X509Certificate } from 'node:crypto'
import type { JWK } from 'jose'
import { goParseUrl } from '../go-url-parse.ts'
import { cryptoModule } from '../libraries.ts'
import { goRsaPrivateKeyProblem } from './rsa-crt.ts'

/** The keys of a JWK set as Go decodes it (a `keys` member matched case-insensitively, last wins). */
export function parseJwks(text: string): JWK[] {
  let value = JSON.parse(text) as unknown
  if (mayHoldSurrogateEscape(text)) value = goStrings(value)
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
      if (bytes('d')) {
        const problem = goRsaPrivateKeyProblem(jwk as JWK)
        if (problem) throw new Error(problem)
      }
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
      const x = bytes('x')
      if (jwk.crv !== 'Ed25519' || x === undefined) throw new Error(`unknown curve ${String(jwk.crv)}'`)
      // go-jose v3 copies x and d into Go's 32-byte keys without checking their size: a short one
      // is zero-padded, a long one cut, and the set still loads.
      for (const [name, value] of [
        ['x', x],
        ['d', bytes('d')],
      ] as const)
        if (value !== undefined && value.length !== 32) jwk[name] = ed25519Part(value)
      return publicOf(jwk, ['kty', 'crv', 'x'])
    }
    default:
      throw new Error(`unknown json web key type '${String(jwk.kty)}'`)
  }
}

function ed25519Part(value: Buffer): string {
  const part = Buffer.alloc(32)
  value.copy(part, 0, 0, 32)
  return part.toString('base64url')
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
        const quoted = text.slice(i, end + 1)
        let key = JSON.parse(quoted) as string
        if (mayHoldSurrogateEscape(quoted)) key = key.replace(LONE_SURROGATE, '\uFFFD')
        if (keys.has(key)) return key
        keys.add(key)
      }
      i = end
    }
  }
  return undefined
}

/** Whether `text` may hold the JSON escape of a UTF-16 surrogate (false positives are harmless). */
export const mayHoldSurrogateEscape = (text: string) => text.includes('\\u') && SURROGATE_ESCAPE.test(text)
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * A parsed value's strings and keys as Go's decoders leave a lone surrogate escape: U+FFFD (JSON.parse
 * keeps the lone surrogate). In place; every member written as an own property, `__proto__` too.
 */
export function goStrings(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\uFFFD')
  if (typeof value !== 'object' || value === null) return value
  const pending: object[] = [value]
  while (pending.length > 0) {
    const holder = pending.pop() as Record<string, unknown>
    for (const key of Object.keys(holder)) {
      const member = holder[key]
      if (typeof member === 'object' && member !== null) pending.push(member)
      const fixedKey = key.replace(LONE_SURROGATE, '\uFFFD')
      const fixed = typeof member === 'string' ? member.replace(LONE_SURROGATE, '\uFFFD') : member
      if (fixedKey === key && fixed === member) continue
      // Keys that became equal where go-jose's decoder reads were refused (duplicateKey); elsewhere
      // (a JWK set's own members, Go's standard decoder) the later one wins, as in Go.
      if (fixedKey !== key) delete holder[key]
      Object.defineProperty(holder, fixedKey, {
        value: fixed,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
  }
  return value
}
