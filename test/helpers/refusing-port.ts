import { createServer } from 'node:net'

/**
 * A port nothing listens on, for "connection refused" cases. It lies below the kernel's ephemeral
 * range (32768+ here), so no server listening on port 0 — this file's or a test running beside it —
 * can take it after the check (a port freed by `freePort` can be handed out again at once), and
 * below Kubernetes' NodePort range (30000-32767), which kube-proxy answers without listening.
 */
export async function refusingPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000)
    const server = createServer()
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => resolve(true))
    })
    if (free) {
      await new Promise((resolve) => server.close(resolve))
      return port
    }
  }
}
