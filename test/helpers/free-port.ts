import { createServer } from 'node:net'

/**
 * A port nothing listens on now, for a server a child process starts later or a "connection
 * refused" case. It lies below the kernel's ephemeral range (32768+ here), so no server listening
 * on port 0 — this test's or one running beside it — takes it meanwhile (a port freed after
 * `listen(0)` can be handed out again at once), and below Kubernetes' NodePort range
 * (30000-32767), which kube-proxy answers without listening.
 */
export async function freePort(): Promise<number> {
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
