/**
 * What gwdeploy and the front proxy exchange over its admin socket (admin.ts, router-proxy.ts):
 * the routing table, the state snapshot, and the checks a table or maintenance page must pass.
 */
import type { MaintenanceState } from '../types.ts'

export type RouteColour = 'blue' | 'green'

export interface RouteEntry {
  weight: number
  nodes: string[]
  /** The path the front proxy checks each node at (absent: no active check, as tables before it). */
  health?: string
}

export interface RouteTable {
  /** Incremented by the client on every change; informational. */
  revision: number
  colours: Partial<Record<RouteColour, RouteEntry>>
  /** Colour served by the preview listener (null: preview answers 503). */
  preview: RouteColour | null
}

export interface RouterStats {
  requests: number
  errors: number
}

export interface RouterSnapshot {
  pid: number
  listen: string
  previewPort: number
  table: RouteTable
  stats: Record<RouteColour, RouterStats>
  /** Nodes out of rotation: refused a connection in the last few seconds, or failing their health checks. */
  down: string[]
  /** The page every request on the main listener gets, or null. */
  maintenance: MaintenanceState | null
}

export const EMPTY_TABLE: RouteTable = { revision: 0, colours: {}, preview: null }

export function validTable(table: RouteTable): boolean {
  if (!table || typeof table !== 'object' || typeof table.colours !== 'object') return false
  for (const entry of Object.values(table.colours)) {
    if (!entry) continue
    if (typeof entry.weight !== 'number' || entry.weight < 0 || entry.weight > 100) return false
    if (!Array.isArray(entry.nodes) || !entry.nodes.every((n) => /^http:\/\/[^/]+$/.test(n))) return false
    if (entry.health !== undefined && (typeof entry.health !== 'string' || !entry.health.startsWith('/')))
      return false
  }
  return table.preview === null || table.preview === 'blue' || table.preview === 'green'
}

export function validMaintenance(page: MaintenanceState | null | undefined): page is MaintenanceState {
  return (
    typeof page === 'object' &&
    page !== null &&
    Number.isInteger(page.status) &&
    page.status >= 400 &&
    page.status <= 599 &&
    typeof page.contentType === 'string' &&
    typeof page.body === 'string' &&
    (page.retryAfter === undefined || Number.isInteger(page.retryAfter))
  )
}
