/**
 * The JWS JSON serialization as go-jose v3's ParseSigned reads a token starting with "{" (the
 * whitespace already stripped): flattened ({"payload","protected","header","signature"}) or general
 * ({"payload","signatures":[...]}, of which only a single signature can verify). The signature
 * covers the protected header only ("" without one) and the payload. In the flattened form alg and
 * kid come from the protected header merged with the unprotected `header`, whose members fill those
 * the protected one lacks or leaves null or "" (rawHeader.merge); in the general form go-jose reads
 * them before it attaches the unprotected header, so from the protected one alone. crit is read
 * from both when verifying.
 */
import {
  type Claims,
  finiteNumbers,
  goJsonParse,
  isPlainObject,
  jwsHeader,
  type ParsedJws,
  segment,
} from './go-jose.ts'

export function parseJwsJson(token: string): ParsedJws {
  // Go skips members it does not know without converting their numbers.
  const value = goJsonParse(Buffer.from(token, 'utf8'), 'JWS', false)
  if (!isPlainObject(value)) throw new Error('json: cannot unmarshal the JWS')
  const payloadPart = bytesMember(value, 'payload')
  if (payloadPart === undefined) throw new Error('go-jose/go-jose: missing payload in JWS message')
  const signatures = value.signatures
  if (signatures !== undefined && signatures !== null && !Array.isArray(signatures))
    throw new Error('json: cannot unmarshal signatures')
  const entries = Array.isArray(signatures) ? signatures : []
  if (entries.length > 1)
    throw new Error('go-jose/go-jose: too many signatures in payload; expecting only one')
  const general = entries.length === 1
  const entry = general ? entries[0] : value
  if (!isPlainObject(entry)) throw new Error('json: cannot unmarshal a signature')
  const protectedPart = bytesMember(entry, 'protected')
  const protectedBytes = protectedPart === undefined ? undefined : segment(protectedPart, 'protected header')
  const protectedHeader =
    protectedBytes && protectedBytes.length > 0 ? jwsHeader(goJsonParse(protectedBytes, 'header')) : undefined
  const unprotected = entry.header === undefined || entry.header === null ? undefined : entry.header
  if (unprotected !== undefined && !isPlainObject(unprotected))
    throw new Error('json: cannot unmarshal header')
  if (typeof unprotected?.nonce === 'string' && unprotected.nonce !== '')
    throw new Error('go-jose/go-jose: Nonce parameter included in unprotected header')
  const both = merged(protectedHeader, unprotected)
  let header: Claims
  if (general) header = jwsHeader({ ...protectedHeader })
  else {
    header = jwsHeader(both)
    if (unprotected !== undefined && !finiteNumbers(jwsHeader(unprotected)))
      throw new Error('json: a number in the header is out of range')
  }
  return {
    header,
    critical: both,
    // go-jose signs the protected header it was given; one given but empty cannot be read back.
    signedHeader:
      protectedBytes === undefined ? '' : protectedHeader ? protectedBytes.toString('base64url') : undefined,
    unencoded: protectedHeader?.b64 === false,
    payload: segment(payloadPart, 'payload'),
    signaturePart: bytesMember(entry, 'signature') ?? '',
  }
}

/** A base64url member (a byteBuffer): a string, or absent when missing or null. */
function bytesMember(value: Claims, name: string): string | undefined {
  const member = value[name]
  if (member === undefined || member === null) return undefined
  if (typeof member !== 'string') throw new Error(`json: cannot unmarshal ${name} into a string`)
  return member
}

/** go-jose's mergedHeaders: the protected members, then unprotected ones for those not set. */
function merged(protectedHeader: Claims | undefined, unprotected: Claims | undefined): Claims {
  const out: Claims = { ...protectedHeader }
  for (const [name, member] of Object.entries(unprotected ?? {}))
    if (out[name] === undefined || out[name] === null || out[name] === '') out[name] = member
  return out
}
