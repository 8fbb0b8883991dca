/**
 * krakend-jose's key_identify_strategy: which text names a key in the JWKS and in a token's header.
 * A key's x5t / x5t#S256 is its digest written again as raw base64url (go-jose decodes the JWK's
 * value, hex form included); a token's is its header text as is, or its kid when it has none.
 */
import type { JWK } from 'jose'

export const KEY_ID_STRATEGIES = ['kid', 'x5t', 'x5t#S256', 'kid_x5t'] as const
export type KeyIdStrategy = (typeof KEY_ID_STRATEGIES)[number]

/** A JWK's digest member as go-jose holds it (jwks.ts has refused a malformed one already). */
function digestText(value: unknown, size: number): string {
  if (typeof value !== 'string' || value === '') return ''
  let digest = Buffer.from(value.replace(/=+$/, ''), 'base64url')
  if (digest.length === 2 * size) digest = Buffer.from(digest.toString('latin1'), 'hex')
  return digest.toString('base64url')
}

/** The name krakend-jose's key cacher files this JWK under. */
export function jwkKeyId(jwk: JWK, strategy: KeyIdStrategy): string {
  const kid = jwk.kid ?? ''
  if (strategy === 'kid') return kid
  if (strategy === 'x5t#S256') return digestText(jwk['x5t#S256'], 32)
  const x5t = digestText(jwk.x5t, 20)
  return strategy === 'x5t' ? x5t : kid + x5t
}

/** The name a token asks for: its header's kid, x5t or x5t#S256 text (kid when that is absent). */
export function tokenKeyId(header: Record<string, unknown>, strategy: KeyIdStrategy): string {
  const kid = typeof header.kid === 'string' ? header.kid : ''
  if (strategy === 'kid') return kid
  const member = strategy === 'x5t#S256' ? 'x5t#S256' : 'x5t'
  const named = typeof header[member] === 'string' ? (header[member] as string) : kid
  return strategy === 'kid_x5t' ? kid + named : named
}
