import type { Server } from 'node:http'
import { listenAt } from './listen-literal.ts'
import { createServer } from './node-http.ts'

/** A tiny HTTP server answering GET /metrics (Prometheus text) on its own port. */
export async function listenMetrics(
  collect: () => Promise<string>,
  /** prom-client's content type, or a function giving it when a scrape comes (its registry loaded then). */
  contentType: string | (() => string),
  port: number,
  host: string,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics' && !req.url?.startsWith('/metrics?')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('see /metrics\n')
      return
    }
    collect().then(
      (text) =>
        res
          .writeHead(200, { 'content-type': typeof contentType === 'string' ? contentType : contentType() })
          .end(text),
      (error: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
    )
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    listenAt(server, { port, host }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  return {
    server,
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
