/**
 * The loopback listeners gwdeploy opens into the cluster through the API server: HTTP tunnels
 * (pod and Service proxies, tunnel.ts) and pods/portforward listeners (port-forward.ts). One per
 * target, reused while the provider lives, all closed by close().
 */
import type { KubeClient } from './client.ts'
import { openPortForward, type PortForwarder } from './port-forward.ts'
import { openTunnel, type Tunnel } from './tunnel.ts'

export class Loopbacks {
  readonly #client: () => Promise<KubeClient>
  readonly #tunnels = new Map<string, Promise<Tunnel>>()
  readonly #forwards = new Map<string, Promise<PortForwarder>>()
  #forwardProgress: ((message: string) => void) | undefined

  constructor(client: () => Promise<KubeClient>) {
    this.#client = client
  }

  /** A loopback URL for an API server proxy path (podProxyPath, serviceProxyPath). */
  async tunnel(path: string): Promise<URL> {
    let tunnel = this.#tunnels.get(path)
    if (!tunnel) {
      tunnel = this.#client().then((client) => openTunnel(client, path))
      this.#tunnels.set(path, tunnel)
      tunnel.catch(() => this.#tunnels.delete(path))
    }
    return (await tunnel).url
  }

  /** Who hears why a forwarded connection failed (every listener, reused ones too). */
  set forwardProgress(progress: ((message: string) => void) | undefined) {
    this.#forwardProgress = progress
  }

  /** The loopback port that forwards to a pod's port. */
  async portForward(target: { namespace: string; pod: string; port: number }): Promise<number> {
    const key = `${target.pod}:${target.port}`
    let forward = this.#forwards.get(key)
    if (!forward) {
      // A reused listener reports to whoever asked for the endpoints last.
      forward = this.#client().then((client) =>
        openPortForward(client, target, (m) => this.#forwardProgress?.(m)),
      )
      this.#forwards.set(key, forward)
      forward.catch(() => this.#forwards.delete(key))
    }
    return (await forward).port
  }

  async close(): Promise<void> {
    const tunnels: Array<Promise<{ close(): Promise<void> }>> = [
      ...this.#tunnels.values(),
      ...this.#forwards.values(),
    ]
    this.#tunnels.clear()
    this.#forwards.clear()
    await Promise.all(
      tunnels.map((t) =>
        t.then(
          (tunnel) => tunnel.close(),
          () => {},
        ),
      ),
    )
  }
}
