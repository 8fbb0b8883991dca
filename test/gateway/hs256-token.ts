// An HS256 key for auth/validator tests: its JWK set in a file (jwk_local_path) and tokens signed with it.
import { createHmac, randomBytes } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Hs256Key {
  /** The JWK set file, for "jwk_local_path" (with "disable_jwk_security": true). */
  jwkPath: string
  /** A token for `claims`, kid "k1", expiring in 2100 unless `claims` says otherwise. */
  sign(claims: Record<string, unknown>): string
}

export async function hs256Key(): Promise<Hs256Key> {
  const secret = randomBytes(32)
  const dir = await mkdtemp(join(tmpdir(), 'gw-hs256-'))
  const jwkPath = join(dir, 'jwk.json')
  await writeFile(
    jwkPath,
    JSON.stringify({ keys: [{ kty: 'oct', kid: 'k1', alg: 'HS256', k: secret.toString('base64url') }] }),
  )
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return {
    jwkPath,
    sign(claims) {
      const signed = `${part({ alg: 'HS256', kid: 'k1', typ: 'JWT' })}.${part({ exp: 4102444800, ...claims })}`
      return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`
    },
  }
}
