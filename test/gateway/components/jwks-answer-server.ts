import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT } from 'jose'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

/** The secret of the `sym` oct key the JWKS tests put in their sets. */
export const SYM_SECRET = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
export const SYM_JWK = { kty: 'oct', kid: 'sym', k: Buffer.from(SYM_SECRET).toString('base64url') }

/** A JWKS server on 127.0.0.1 answering each path with `answer(path)` as application/json (and `headers`). */
export function jwksAnswerServer(
  answer: (path: string) => string | Buffer,
  headers: Record<string, string> = {},
) {
  let server: Server | undefined
  const jwks = {
    origin: '',
    setUp: async () => {
      server = createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(answer(req.url ?? ''))
      })
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
      jwks.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    },
    tearDown: () =>
      new Promise<void>((resolve) => {
        if (server) server.close(() => resolve())
        else resolve()
      }),
  }
  return jwks
}

/** The status a gateway answers `path` with a valid HS256 token of the `sym` key. */
export async function statusWithSymToken(baseUrl: string, path: string): Promise<number> {
  const token = await new SignJWT({ sub: 'a' })
    .setProtectedHeader({ alg: 'HS256', kid: 'sym' })
    .setExpirationTime('5m')
    .sign(SYM_SECRET)
  return (await send(baseUrl, { path, headers: { authorization: `Bearer ${token}` } })).status
}

/** An endpoint at `path` behind auth/validator (HS256) with the keys from `jwkUrl`, calling `/echo`. */
export const symValidatorEndpoint = (path: string, jwkUrl: string, backendOrigin: string) => ({
  endpoint: path,
  extra_config: { 'auth/validator': { alg: 'HS256', jwk_url: jwkUrl, disable_jwk_security: true } },
  backend: [{ host: [backendOrigin], url_pattern: '/echo' }],
})

/**
 * A gateway with one endpoint per path of `answers`, behind auth/validator with the JWKS a server
 * answers at that path (with `headers`): the status it gives a valid `sym` token at a path.
 */
export function symJwksGateway(
  answers: Record<string, string | Buffer>,
  headers: Record<string, string> = {},
) {
  const jwks = jwksAnswerServer((path) => answers[path] ?? '', headers)
  const gateway = gatewayWith(
    (backend) => ({
      version: 3,
      endpoints: Object.keys(answers).map((path) =>
        symValidatorEndpoint(path, `${jwks.origin}${path}`, backend.origin),
      ),
    }),
    jwks,
  )
  return (path: string) => statusWithSymToken(gateway.url, path)
}
