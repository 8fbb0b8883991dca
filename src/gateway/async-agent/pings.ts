// The `agents` of /__health: each agent's last report (lura's healthEndpoint keeps, per agent name,
// time.Now().String() of its last ping: at each connection and every health interval).

import { goNowString } from '../go-time-string.ts'

export class AgentPings {
  readonly #last = new Map<string, string>()

  ping(name: string): void {
    this.#last.set(name, goNowString())
  }

  /** The agents' last pings, keys in Go's map order for JSON (sorted bytewise). */
  report(): Record<string, string> {
    const names = [...this.#last.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    const out: Record<string, string> = {}
    for (const name of names) out[name] = this.#last.get(name) as string
    return out
  }
}
