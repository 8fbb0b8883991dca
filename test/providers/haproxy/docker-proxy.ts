/**
 * A Docker host that stops answering: an HTTP proxy on a unix socket in front of the test dockerd
 * that passes requests through until `hang` says otherwise, then accepts them and never answers
 * (a hung or overloaded dockerd, an ssh tunnel whose far end froze).
 */
import { createServer, request, type Server } from 'node:http'
import { join } from 'node:path'

export interface HangingDockerProxy {
  /** `unix://...`, as provider.haproxy.dockerHosts[].host spells it. */
  host: string
  /** Requests (`GET /v1.41/containers/json?...`) held unanswered so far. */
  held: string[]
  /** Which requests to hold from now on (none by default). */
  hang(predicate: (method: string, path: string) => boolean): void
  close(): Promise<void>
}

export async function hangingDockerProxy(dir: string, upstreamSocket: string): Promise<HangingDockerProxy> {
  const path = join(dir, 'docker-proxy.sock')
  let hang: (method: string, path: string) => boolean = () => false
  const held: string[] = []
  const server: Server = createServer((incoming, outgoing) => {
    const method = incoming.method ?? 'GET'
    const url = incoming.url ?? '/'
    if (hang(method, url)) {
      held.push(`${method} ${url}`)
      return
    }
    const upstream = request(
      { socketPath: upstreamSocket, method, path: url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
      },
    )
    upstream.on('error', () => outgoing.destroy())
    incoming.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(path, resolve))
  return {
    host: `unix://${path}`,
    held,
    hang: (predicate) => {
      hang = predicate
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
