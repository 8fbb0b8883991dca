/**
 * Loopback tunnels through the API server's proxy subresource, the way `kubectl proxy` does:
 * a plain HTTP listener on 127.0.0.1 that forwards every request to
 * `<server>/api/v1/namespaces/NS/{pods|services}/NAME:PORT/proxy<path>` with the kubeconfig's
 * credentials. The health gate and smoke checks then talk to pods and the preview Service as
 * if they were local, and gwdeploy needs no network route into the cluster.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import type { KubeClient } from './client.ts'

export interface Tunnel {
  url: URL
  close(): Promise<void>
}

export async function openTunnel(client: KubeClient, proxyPath: string): Promise<Tunnel> {
  const base = new URL(client.server)
  const transport = base.protocol === 'https:' ? https : http
  const auth: https.RequestOptions = {}
  await client.config.applyToHTTPSOptions(auth)
  const prefix = `${base.pathname.replace(/\/$/, '')}${proxyPath}`
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const headers: http.OutgoingHttpHeaders = {
      ...req.headers,
      ...(auth.headers as http.OutgoingHttpHeaders | undefined),
    }
    delete headers.host
    const upstream = transport.request(
      {
        ...auth,
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port,
        method: req.method,
        path: `${prefix}${req.url ?? '/'}`,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`tunnel to ${base.origin}${prefix}: ${error.message}`)
    })
    // A client that goes away first (a probe stopped by its timeout or the run's interrupt) takes
    // the upstream request with it: one the API server never answers would keep the process alive.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy()
    })
    req.pipe(upstream)
  }
  const server = http.createServer(forward)
  server.keepAliveTimeout = 1_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  server.unref()
  const { port } = server.address() as AddressInfo
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export const podProxyPath = (namespace: string, pod: string, port: string | number) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}:${port}/proxy`

export const serviceProxyPath = (namespace: string, service: string, port: string | number) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(service)}:${port}/proxy`
