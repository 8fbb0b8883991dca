import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SignJWT } from 'jose'

const SECRET = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
const ISSUER = 'https://issuer.example'

/** An HS256 issuer for auth/validator tests: its JWKS (kid `sym`) in a temp file, tokens for audience `api`. */
export interface Hs256Issuer {
  /** auth/validator settings that accept its tokens, `extra` on top. */
  validator(extra?: Record<string, unknown>): Record<string, unknown>
  /** A token with these claims, expiring in 5 minutes. */
  token(claims: Record<string, unknown>): Promise<string>
  remove(): Promise<void>
}

export async function hs256Issuer(): Promise<Hs256Issuer> {
  const dir = await mkdtemp(join(tmpdir(), 'gw-hs256-'))
  const jwksPath = join(dir, 'jwks.json')
  const k = Buffer.from(SECRET).toString('base64url')
  await writeFile(jwksPath, JSON.stringify({ keys: [{ kty: 'oct', kid: 'sym', alg: 'HS256', k }] }))
  return {
    validator: (extra = {}) => ({
      alg: 'HS256',
      jwk_local_path: jwksPath,
      disable_jwk_security: true,
      issuer: ISSUER,
      audience: ['api'],
      ...extra,
    }),
    token: (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: 'sym' })
        .setIssuer(ISSUER)
        .setAudience('api')
        .setExpirationTime('5m')
        .sign(SECRET),
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}
