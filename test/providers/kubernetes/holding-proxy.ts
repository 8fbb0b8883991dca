import { readFile, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { request } from 'node:https'
import type { Socket } from 'node:net'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'

export interface HeldRequest {
  method: string
  path: string
  body: string
}

export interface HoldingProxy {
  /** The proxy's plain-HTTP URL (127.0.0.1). */
  url: string
  /** From now on, requests for which `hold` is true get no answer (and never reach the API server). */
  holdWhen(hold: ((request: HeldRequest) => boolean) | undefined): void
  /** The requests held so far. */
  held(): HeldRequest[]
  /** Writes `<dir>/<name>`: `dir`'s kubeconfig.yaml with its server replaced by this proxy. */
  writeKubeconfig(dir: string, name: string): Promise<void>
  close(): Promise<void>
}

/**
 * A plain-HTTP front to a real API server that stops answering chosen calls (an API server that
 * hangs on one request while the run's earlier ones went through): every request is forwarded
 * with its own credentials (the bearer token in its Authorization header) over TLS trusting `ca`,
 * except those `holdWhen`'s predicate picks (by method, path and body), which are held unanswered
 * until `close()`. An upgrade (a port-forward's websocket) is held when picked (its body is empty)
 * and refused otherwise.
 */
export async function holdingProxy(server: string, ca: Buffer): Promise<HoldingProxy> {
  const upstream = new URL(server)
  let hold: ((request: HeldRequest) => boolean) | undefined
  const held: HeldRequest[] = []
  const sockets = new Set<Socket>()
  const forward = (incoming: IncomingMessage, answer: ServerResponse, body: Buffer) => {
    const out = request(
      {
        host: upstream.hostname,
        port: Number(upstream.port || 443),
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: upstream.host },
        ca,
      },
      (response) => {
        answer.writeHead(response.statusCode ?? 502, response.headers)
        response.pipe(answer)
      },
    )
    out.on('error', () => answer.destroy())
    out.end(body)
  }
  const proxy = createServer((incoming, answer) => {
    const chunks: Buffer[] = []
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
    incoming.on('end', () => {
      const body = Buffer.concat(chunks)
      const seen = { method: incoming.method ?? '', path: incoming.url ?? '', body: body.toString() }
      if (hold?.(seen)) held.push(seen)
      else forward(incoming, answer, body)
    })
  })
  proxy.on('upgrade', (incoming: IncomingMessage, socket: Socket) => {
    const seen = { method: incoming.method ?? '', path: incoming.url ?? '', body: '' }
    if (hold?.(seen)) held.push(seen)
    else socket.destroy()
  })
  proxy.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`
  return {
    url,
    holdWhen(predicate) {
      hold = predicate
    },
    held: () => [...held],
    async writeKubeconfig(dir, name) {
      const config = parse(await readFile(join(dir, 'kubeconfig.yaml'), 'utf8'))
      // client-node refuses http:// unless told the connection is not verified.
      for (const cluster of config.clusters)
        cluster.cluster = { server: url, 'insecure-skip-tls-verify': true }
      await writeFile(join(dir, name), stringify(config), { mode: 0o600 })
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => proxy.close(resolve))
    },
  }
}
