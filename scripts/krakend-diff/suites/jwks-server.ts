// The JWKS server of the seeded JWT suites (auth, jwtgen): JSON texts by path, served from the
// runner's process on 127.0.0.1 (a free port) as application/json; 404 for any other path.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Serves `sets` (path -> body) and returns the origin, http://127.0.0.1:PORT. */
export async function serveJwks(sets: Record<string, string>): Promise<string> {
  const server = createServer((req, res) => {
    const body = sets[req.url ?? '']
    res.writeHead(body === undefined ? 404 : 200, { 'Content-Type': 'application/json' }).end(body ?? '')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  server.unref()
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
