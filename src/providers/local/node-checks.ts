/**
 * The front proxy's active health checks, as HAProxy's `check inter 1s rise 2 fall 3`: every
 * node of the routing table is asked `GET <health path>` each second; three failed checks in a
 * row (no answer within CHECK_TIMEOUT_MS, a connection failure, a status other than 200) take it
 * out of rotation, two good ones in a row put it back. The passive check (a refused connection)
 * sees a dead node at once; only this sees a hung one, which accepts connections and never
 * answers (a stopped process, a blocked event loop). Client requests are never timed out: a slow
 * endpoint is not a sick node.
 */
import { Client } from 'undici'

export const CHECK_INTERVAL_MS = 1_000
export const CHECK_TIMEOUT_MS = 1_500
const FALL = 3
const RISE = 2

interface NodeCheck {
  path: string
  client: Client
  /** Consecutive results of the current kind (failures while up, successes while down). */
  streak: number
  down: boolean
  inFlight: boolean
}

export class NodeChecks {
  readonly #nodes = new Map<string, NodeCheck>()
  #timer: NodeJS.Timeout | undefined

  /** Checks exactly these origins (origin -> health path); others are forgotten. */
  track(paths: Map<string, string>): void {
    for (const [origin, check] of this.#nodes) {
      if (paths.get(origin) === check.path) continue
      this.#nodes.delete(origin)
      void check.client.destroy().catch(() => {})
    }
    for (const [origin, path] of paths) {
      if (this.#nodes.has(origin)) continue
      const client = new Client(origin, {
        connectTimeout: CHECK_TIMEOUT_MS,
        headersTimeout: CHECK_TIMEOUT_MS,
        bodyTimeout: CHECK_TIMEOUT_MS,
        keepAliveTimeout: 4 * CHECK_INTERVAL_MS,
      })
      // A node joins the table after the health gate passed it: up until checks say otherwise.
      this.#nodes.set(origin, { path, client, streak: 0, down: false, inFlight: false })
    }
    if (this.#nodes.size > 0 && !this.#timer) {
      this.#timer = setInterval(() => this.#checkAll(), CHECK_INTERVAL_MS)
      this.#timer.unref()
    } else if (this.#nodes.size === 0) this.#stop()
  }

  /** Whether checks have taken the origin out of rotation. */
  isDown(origin: string): boolean {
    return this.#nodes.get(origin)?.down ?? false
  }

  down(): string[] {
    return [...this.#nodes].filter(([, check]) => check.down).map(([origin]) => origin)
  }

  async close(): Promise<void> {
    this.#stop()
    const clients = [...this.#nodes.values()].map((check) => check.client)
    this.#nodes.clear()
    await Promise.all(clients.map((client) => client.destroy().catch(() => {})))
  }

  #stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  #checkAll(): void {
    for (const check of this.#nodes.values()) {
      // A check still waiting for its answer is not doubled: a hung node fails once per timeout.
      if (check.inFlight) continue
      check.inFlight = true
      void passes(check).then((ok) => {
        check.inFlight = false
        record(check, ok)
      })
    }
  }
}

async function passes(check: NodeCheck): Promise<boolean> {
  const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS)
  try {
    // The node's own address as Host, as the health gate asks it.
    const answer = await check.client.request({ method: 'GET', path: check.path, signal })
    await answer.body.dump()
    return answer.statusCode === 200
  } catch {
    return false
  }
}

function record(check: NodeCheck, ok: boolean): void {
  if (ok === !check.down) {
    check.streak = 0
    return
  }
  check.streak += 1
  if (check.streak >= (check.down ? RISE : FALL)) {
    check.down = !check.down
    check.streak = 0
  }
}
