/**
 * The front proxy's routing table and its nodes: which colour and node a request goes to (by
 * weight between the colours, round-robin among a colour's nodes, skipping nodes that refused a
 * connection lately or fail their health checks), and one undici pool per node. The table is
 * replaced in one assignment, so a request picks its colour from exactly one table.
 */
import { Pool } from 'undici'
import { NodeChecks } from './node-checks.ts'
import { EMPTY_TABLE, type RouteColour, type RouteTable } from './router-protocol.ts'

/** How long a node that refused a connection is skipped while others answer. */
const DOWN_MS = 2_000

export class NodePicker {
  #table: RouteTable = EMPTY_TABLE
  readonly #pools = new Map<string, Pool>()
  readonly #down = new Map<string, number>()
  readonly #cursor = new Map<RouteColour, number>()
  readonly #checks = new NodeChecks()

  get table(): RouteTable {
    return this.#table
  }

  /** Origins skipped now (refused a connection within DOWN_MS, or failing their health checks). */
  down(): string[] {
    const refused = [...this.#down].filter(([, until]) => until > Date.now()).map(([origin]) => origin)
    return [...new Set([...refused, ...this.#checks.down()])]
  }

  /** Replaces the table in one assignment; pools of nodes that left are closed gracefully. */
  apply(table: RouteTable): void {
    const next: RouteTable = {
      revision: table.revision,
      preview: table.preview ?? null,
      colours: {},
    }
    for (const colour of ['blue', 'green'] as const) {
      const entry = table.colours[colour]
      if (entry) next.colours[colour] = { ...entry, nodes: [...entry.nodes] }
    }
    const keep = new Set(Object.values(next.colours).flatMap((entry) => entry?.nodes ?? []))
    this.#table = next
    const checked = new Map<string, string>()
    for (const entry of Object.values(next.colours)) {
      const health = entry?.health
      if (health !== undefined) for (const origin of entry?.nodes ?? []) checked.set(origin, health)
    }
    this.#checks.track(checked)
    for (const [origin, pool] of this.#pools) {
      if (!keep.has(origin)) {
        this.#pools.delete(origin)
        void pool.close().catch(() => {})
      }
    }
  }

  pool(origin: string): Pool {
    let pool = this.#pools.get(origin)
    if (!pool) {
      pool = new Pool(origin, { connections: 128, pipelining: 1, keepAliveTimeout: 4_000 })
      this.#pools.set(origin, pool)
    }
    return pool
  }

  /** The node answered: it is no longer skipped. */
  answered(origin: string): void {
    this.#down.delete(origin)
  }

  /** The node refused a connection (passive health check). */
  refused(origin: string): void {
    this.#down.set(origin, Date.now() + DOWN_MS)
  }

  /** Origins that refused a connection recently or fail their checks: skipped while others answer. */
  #liveNodes(nodes: string[], tried: Set<string>): string[] {
    const untried = nodes.filter((n) => !tried.has(n))
    const now = Date.now()
    const up = untried.filter((n) => (this.#down.get(n) ?? 0) <= now && !this.#checks.isDown(n))
    return up.length > 0 ? up : untried
  }

  /** A colour (by weight, or the preview colour) and a node of it not in `tried`; undefined when none can serve. */
  pick(preview: boolean, tried: Set<string>): { colour: RouteColour; origin: string } | undefined {
    const table = this.#table
    let colour: RouteColour | undefined
    if (preview) colour = table.preview ?? undefined
    else {
      const blue = table.colours.blue?.nodes.length ? (table.colours.blue.weight ?? 0) : 0
      const green = table.colours.green?.nodes.length ? (table.colours.green.weight ?? 0) : 0
      if (blue + green <= 0) return undefined
      colour = Math.random() * (blue + green) < blue ? 'blue' : 'green'
    }
    if (!colour) return undefined
    const nodes = this.#liveNodes(table.colours[colour]?.nodes ?? [], tried)
    if (nodes.length === 0) return undefined
    const index = (this.#cursor.get(colour) ?? 0) % nodes.length
    this.#cursor.set(colour, index + 1)
    const origin = nodes[index]
    return origin === undefined ? undefined : { colour, origin }
  }

  /** Closes every pool gracefully (queued and in-flight requests complete). */
  async close(): Promise<void> {
    await this.#checks.close()
    await Promise.all([...this.#pools.values()].map((pool) => pool.close().catch(() => {})))
  }
}
