import { createHmac } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

const SECRET = Buffer.from('a-symmetric-secret-of-32-bytes!!')

/** base64url of a text, for writing token parts byte by byte. */
export const b64 = (text: string) => Buffer.from(text).toString('base64url')
/** The HS256 signature (base64url) of a signing input under the gateway's key. */
export const hs256 = (input: string) => createHmac('sha256', SECRET).update(input).digest('base64url')
/** A compact token of these header and claims texts, signed. */
export function compactToken(header: string, claims: string): string {
  const signingInput = `${b64(header)}.${b64(claims)}`
  return `${signingInput}.${hs256(signingInput)}`
}

/**
 * A gateway whose `/private` (backend `/echo`) is behind an HS256 auth/validator reading a JWKS
 * file with one symmetric key, for tests that write their tokens byte by byte.
 */
export interface Hs256Gateway {
  gateway: Running
  backend: TestBackend
  /** The answer to a GET /private with `Authorization: Bearer <token>`. */
  call(token: string): ReturnType<typeof send>
  close(): Promise<void>
}

export async function hs256Gateway(
  options: { kid?: string; validator?: Record<string, unknown>; endpoint?: Record<string, unknown> } = {},
): Promise<Hs256Gateway> {
  const dir = await mkdtemp(join(tmpdir(), 'gw-hs256-raw-'))
  const jwks = join(dir, 'jwks.json')
  await writeFile(
    jwks,
    JSON.stringify({ keys: [{ kty: 'oct', kid: options.kid ?? 'sym', k: SECRET.toString('base64url') }] }),
  )
  const backend = await startBackend('api')
  let gateway: Running
  try {
    gateway = await startGateway(
      mustConfig({
        version: 3,
        endpoints: [
          {
            endpoint: '/private',
            ...options.endpoint,
            extra_config: {
              'auth/validator': {
                alg: 'HS256',
                jwk_local_path: jwks,
                disable_jwk_security: true,
                ...options.validator,
              },
            },
            backend: [{ host: [backend.origin], url_pattern: '/echo' }],
          },
        ],
      }),
    )
  } catch (error) {
    await backend.close()
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  return {
    gateway,
    backend,
    call: (token) => send(gateway.url, { path: '/private', headers: { authorization: `Bearer ${token}` } }),
    close: async () => {
      await gateway.close()
      await backend.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
