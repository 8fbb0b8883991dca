/**
 * A fleet's nodes as HAProxy sees them: on every instance the node's slot server must point at it,
 * be out of maintenance and UP, and pass its check when serverOptions ask for `check`. What the
 * fleet driver knows of a node (its container) counts first.
 */
import type { Fleet, NodeHealth } from '../types.ts'
import { slotName } from './config-file.ts'
import type { InstanceView } from './instance.ts'
import type { ServerState } from './runtime-api.ts'
import type { FleetRecord } from './state.ts'

/** Forced, inherited or resolver maintenance (0x04 only records that haproxy.cfg said `disabled`). */
const MAINTENANCE = 0x23

const CHECK_FAILED = 2
const CHECK_PASSED = 3
const CHECK_CONDPASS = 4
/** HCHK_STATUS_CHECKED: the statuses above it are those of a finished check. */
const FINISHED_STATUSES_ABOVE = 3
/** L4OK, L6OK, L7OKD, PROCOK pass; L7OKCD passes conditionally; every other finished status failed. */
const PASSED_STATUSES = new Set([6, 9, 15, 20])
const CONDPASS_STATUS = 16

/**
 * HAProxy clears a check's result when the next check starts (every `inter`), so a server whose
 * check is in flight reads "unknown" although its last check passed or failed. Its last finished
 * status stands until the new check ends; only a server never checked yet is still pending.
 */
function lastCheckResult(server: ServerState): number {
  if (server.checkResult !== 0 || server.checkStatus <= FINISHED_STATUSES_ABOVE) return server.checkResult
  if (PASSED_STATUSES.has(server.checkStatus)) return CHECK_PASSED
  return server.checkStatus === CONDPASS_STATUS ? CHECK_CONDPASS : CHECK_FAILED
}

export function healthOnInstances(
  fleet: Fleet,
  record: FleetRecord | undefined,
  own: Map<string, NodeHealth>,
  views: InstanceView[],
  serverOptions: string,
): NodeHealth[] {
  const checks = /\bcheck\b/.test(serverOptions)
  return fleet.nodes.map((node): NodeHealth => {
    const known = record?.nodes.find((n) => n.id === node.id)
    if (!known) return { node: node.id, status: 'gone', detail: 'not in the fleet any more' }
    const mine = own.get(node.id)
    if (mine && mine.status !== 'healthy') return mine
    const name = slotName(fleet.colour, known.slot)
    // Every instance is looked at: one refusing requests outweighs another whose check is pending.
    let pending: NodeHealth | undefined
    for (const view of views) {
      const verdict = onInstance(view, { node: node.id, colour: fleet.colour, name, known, checks })
      if (verdict?.status === 'unhealthy') return verdict
      pending ??= verdict
    }
    if (pending) return pending
    return {
      node: node.id,
      status: 'healthy',
      detail: `${mine ? `${mine.detail}; ` : ''}HAProxy ${name} UP on ${views.length} instance(s)`,
    }
  })
}

interface Slot {
  node: string
  colour: Fleet['colour']
  /** The slot server's name on every instance. */
  name: string
  known: { address: string; port: number }
  checks: boolean
}

/** What one instance says of a node's slot; undefined when it serves the node. */
function onInstance(view: InstanceView, { node, colour, name, known, checks }: Slot): NodeHealth | undefined {
  const server = view.servers[colour].find((s) => s.name === name)
  // A slot not (yet) serving its node is `starting` while it is being set up (no traffic), but
  // on an instance that sends the colour requests it is refusing them (e.g. put in maintenance
  // by hand): unhealthy, so `status` exits 4 and a bake fails.
  const share = view.weights[colour]
  const off = share > 0 ? 'unhealthy' : 'starting'
  const since = share > 0 ? ` while ${view.name} sends ${colour} ${share}% of requests` : ''
  if (!server || server.address !== known.address || server.port !== known.port)
    return {
      node,
      status: off,
      detail: `${view.name}: ${name} does not point at ${known.address}:${known.port}${since}`,
    }
  if (server.adminState & MAINTENANCE)
    return { node, status: off, detail: `${view.name}: ${name} in maintenance${since}` }
  // `set weight ... 0` by hand: UP and checked, yet HAProxy sends it no request.
  if (server.weight === 0)
    return { node, status: off, detail: `${view.name}: ${name} has weight 0 (gets no requests)${since}` }
  const result = lastCheckResult(server)
  if (checks && result === CHECK_FAILED)
    return { node, status: 'unhealthy', detail: `${view.name}: ${name} HAProxy check failed` }
  if (server.opState !== 2 || (checks && result !== CHECK_PASSED && result !== CHECK_CONDPASS))
    return { node, status: 'starting', detail: `${view.name}: ${name} HAProxy check pending` }
  return undefined
}
