/**
 * `gwdeploy logs`: which nodes (by colour, role and node), and their log lines merged as they
 * arrive, filtered by time and a pattern. The lines go to a callback; nothing here prints.
 */
import { parseDuration } from '../config/duration.ts'
import { COLOURS, type Colour, type FleetNode, type Provider, type TargetState } from '../providers/types.ts'
import { isGwError, providerError, usageError } from './errors.ts'
import { servingColour } from './release/plan.ts'

export const LOG_COLOURS = ['blue', 'green', 'live', 'previous'] as const
export type LogColour = (typeof LOG_COLOURS)[number]

export interface LogNode {
  colour: Colour
  node: FleetNode
}

export interface LogLine {
  colour: Colour
  node: string
  line: string
}

export interface LogsRequest {
  colour?: LogColour | undefined
  /** A node id, a unique prefix of one, or its 1-based position among the selected nodes. */
  node?: string | undefined
  /** Per node: the last N lines (0: every line, e.g. with `sinceMs`). */
  lines: number
  sinceMs?: number | undefined
  grep?: RegExp | undefined
  follow: boolean
  signal?: AbortSignal | undefined
}

function coloursFor(selector: LogColour | undefined, state: TargetState): Colour[] {
  if (selector === 'blue' || selector === 'green') return [selector]
  if (selector === undefined) return [...COLOURS]
  const serving = servingColour(state.weights)
  if (!serving) throw usageError(`no colour is serving, so there is no ${selector} colour`)
  if (selector === 'live') return [serving]
  const previous = COLOURS.find((c) => c !== serving && state.fleets[c])
  if (!previous) throw usageError('there is no previous colour: only the live one is up')
  return [previous]
}

/** The nodes `gwdeploy logs` reads, in colour order; a usage error (exit 2) names what exists. */
export function selectLogNodes(state: TargetState, request: Pick<LogsRequest, 'colour' | 'node'>): LogNode[] {
  const nodes = coloursFor(request.colour, state).flatMap((colour) =>
    (state.fleets[colour]?.nodes ?? []).map((node) => ({ colour, node })),
  )
  if (nodes.length === 0) {
    throw usageError(`no ${request.colour ?? ''} nodes are running`.replace('  ', ' '), {
      hint: 'See `gwdeploy status`; a release brings nodes up.',
    })
  }
  const wanted = request.node
  if (wanted === undefined) return nodes
  const exact = nodes.filter((n) => n.node.id === wanted)
  if (exact.length) return exact
  const prefixed = nodes.filter((n) => n.node.id.startsWith(wanted))
  if (prefixed.length === 1) return prefixed
  const position = /^\d+$/.test(wanted) ? nodes[Number(wanted) - 1] : undefined
  if (prefixed.length === 0 && position) return [position]
  throw usageError(`--node ${wanted} ${prefixed.length > 1 ? 'matches several nodes' : 'matches no node'}`, {
    hint: `Nodes: ${nodes.map((n, i) => `${i + 1}. ${n.node.id} (${n.colour})`).join(', ')}.`,
  })
}

/**
 * The selected nodes that are not running any more (a process exited, a container or pod removed, an
 * instance terminated), in the provider's words: their lines stop where they stopped, and at 3 a.m.
 * a last healthy line must not read as a node that is fine. A provider that cannot tell says nothing.
 */
export async function stoppedNodes(
  provider: Provider,
  state: TargetState,
  nodes: LogNode[],
  signal?: AbortSignal,
): Promise<string[]> {
  const colours = [...new Set(nodes.map((n) => n.colour))]
  const views = await Promise.all(
    colours.map(async (colour) => {
      const fleet = state.fleets[colour]
      if (!fleet) return []
      const health = await provider.nodeHealth(fleet, signal ? { signal } : {}).catch(() => [])
      return health.map((h) => ({ ...h, colour }))
    }),
  )
  const wanted = new Set(nodes.map((n) => n.node.id))
  return views
    .flat()
    .filter((h) => h.status === 'gone' && wanted.has(h.node))
    .map(
      (h) =>
        `${h.colour} node ${h.node} is not running${h.detail ? ` (${h.detail})` : ''}: its lines end where it stopped; \`gwdeploy status\` says what serves and what \`gwdeploy rollback\` would do`,
    )
}

const JSON_TIME = /"time"\s*:\s*"([^"]+)"/
const ISO_START = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)/
/** KrakenD's text format: `2026/12/01 15:27:04.123` in local time. */
const KRAKEND_START = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?/

/** When a log line was written, if it says (JSON `time`, a leading ISO or KrakenD timestamp). */
export function lineTime(line: string): number | undefined {
  const krakend = KRAKEND_START.exec(line)
  if (krakend) {
    const [, y, mo, d, h, mi, s, ms] = krakend.map(Number) as number[]
    return new Date(y ?? 0, (mo ?? 1) - 1, d, h, mi, s, Number.isNaN(ms) ? 0 : ms).getTime()
  }
  const iso = ISO_START.exec(line)?.[1] ?? (line.startsWith('{') ? JSON_TIME.exec(line)?.[1] : undefined)
  if (iso === undefined) return undefined
  const time = Date.parse(iso)
  return Number.isNaN(time) ? undefined : time
}

/** Keeps lines from `sinceMs` on; a line without a time (a stack trace, say) goes with the line before it. */
function sinceFilter(sinceMs: number | undefined): (line: string) => boolean {
  if (sinceMs === undefined) return () => true
  let keep = true
  return (line) => {
    const time = lineTime(line)
    if (time !== undefined) keep = time >= sinceMs
    return keep
  }
}

/**
 * Streams the selected nodes' logs to `onLine` until every stream ends (or, following, until
 * the signal aborts). A node whose log cannot be read fails the whole command (exit 6).
 */
export async function streamLogs(
  provider: Provider,
  nodes: LogNode[],
  request: LogsRequest,
  onLine: (line: LogLine) => void,
): Promise<void> {
  const read = provider.streamLogs?.bind(provider)
  if (!read) throw usageError(`the ${provider.id} provider cannot read node logs`)
  await Promise.all(
    nodes.map(async ({ colour, node }) => {
      const since = sinceFilter(request.sinceMs)
      try {
        for await (const line of read(node, {
          lines: request.lines,
          follow: request.follow,
          ...(request.sinceMs !== undefined ? { sinceMs: request.sinceMs } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
        })) {
          if (!since(line)) continue
          if (request.grep && !request.grep.test(line)) continue
          onLine({ colour, node: node.id, line })
        }
      } catch (error) {
        // Ctrl-C is how following ends; a one-shot read it stops ends with the interrupt (exit 130).
        if (request.signal?.aborted && request.follow) return
        if (isGwError(error)) throw error
        throw providerError(`cannot read the log of ${node.id}: ${(error as Error).message}`, {
          cause: error,
        })
      }
    }),
  )
}

/** `--since`: a duration back from now (`10m`, `1h30m`) or a point in time (ISO 8601). */
export function parseSince(text: string, now = Date.now()): number {
  const ago = parseDuration(text)
  if (ago !== undefined) return now - ago
  const at = Date.parse(text)
  if (!Number.isNaN(at) && /\d{4}-\d{2}-\d{2}/.test(text)) return at
  throw usageError(`--since ${text} is neither a duration nor a time`, {
    hint: 'Use e.g. --since 10m, --since 1h30m or --since 2026-01-31T12:00:00Z.',
  })
}
