/**
 * lura's `proxy` namespace keys: how an endpoint's backends run (the merge strategy and shadow
 * backends, called with a copy of the request, their answers ignored) and what is done to the
 * response (static data, flatmap operations).
 */
import type { KeyPath } from '../../core/source-text.ts'
import { isObject } from '../components/types.ts'
import { goDurationMs, MAX_TIMER_MS } from './duration.ts'
import type { ProblemAt } from './field-reader.ts'
import { type FlatmapOp, STATIC_STRATEGIES, type StaticResponse, type StaticStrategy } from './types.ts'

/** The `proxy` keys lura reads (map lookups by exact name: merging.go, static.go, formatter.go, shadow.go). */
export const PROXY_KEYS = [
  'sequential',
  'sequential_propagated_params',
  'combiner',
  'force_sandboxed_request',
  'static',
  'flatmap_filter',
  'shadow',
  'shadow_timeout',
]

/**
 * lura's getMergerFactory: a `strategy` key wins over `sequential` ("sequential" is the only other
 * merger KrakenD CE registers; anything else merges in parallel).
 */
export function isSequential(
  proxyNs: Record<string, unknown>,
  path: KeyPath,
  sequentialFlag: boolean,
  warn: ProblemAt,
): boolean {
  const strategy = proxyNs.strategy
  if (strategy === undefined) return sequentialFlag
  if (strategy === 'sequential') return true
  if (strategy !== 'parallel')
    warn(
      [...path, 'strategy'],
      `unknown merge strategy ${JSON.stringify(strategy)}: KrakenD merges the backends in parallel`,
      'use "parallel" or "sequential"',
    )
  else if (sequentialFlag)
    warn(
      [...path, 'sequential'],
      '"sequential" is ignored: "strategy": "parallel" wins',
      'remove one of them',
    )
  return false
}

/**
 * lura's isShadowBackend: a backend with `"shadow": true` is called in the background and its
 * answer ignored, for `shadow_timeout` (a Go duration; otherwise the endpoint's timeout).
 * Undefined for a regular backend.
 */
export function shadowTimeoutMs(
  backendProxyNs: Record<string, unknown>,
  endpointTimeoutMs: number,
): number | undefined {
  if (backendProxyNs.shadow !== true) return undefined
  const raw = backendProxyNs.shadow_timeout
  const ms = typeof raw === 'string' ? goDurationMs(raw) : undefined
  // lura takes the longest shadow timeout from 0 (a negative one: the copy is never sent).
  return ms === undefined ? endpointTimeoutMs : Math.min(Math.max(ms, 0), MAX_TIMER_MS)
}

/** proxy.static: `data` (an object) merged in when `strategy` matches (default "always"). */
export function staticAt(
  proxyNs: Record<string, unknown>,
  path: KeyPath,
  error: ProblemAt,
  warn: ProblemAt,
): StaticResponse | undefined {
  const raw = proxyNs.static
  if (raw === undefined) return undefined
  const sp = [...path, 'static']
  if (!isObject(raw) || !isObject(raw.data)) {
    error(
      isObject(raw) ? [...sp, 'data'] : sp,
      'proxy.static needs "data": an object merged into the response',
    )
    return undefined
  }
  let strategy: StaticStrategy = 'always'
  if (raw.strategy !== undefined) {
    if (typeof raw.strategy === 'string' && (STATIC_STRATEGIES as readonly string[]).includes(raw.strategy))
      strategy = raw.strategy as StaticStrategy
    else
      warn(
        [...sp, 'strategy'],
        `unknown static strategy ${JSON.stringify(raw.strategy)}: KrakenD applies the data always`,
        `use one of ${STATIC_STRATEGIES.join(', ')}`,
      )
  }
  return { strategy, data: raw.data }
}

/** proxy.flatmap_filter: [{type: move|del|append, args: [dot paths]}]. */
export function flatmapAt(
  proxyNs: Record<string, unknown>,
  path: KeyPath,
  error: ProblemAt,
): FlatmapOp[] | undefined {
  const raw = proxyNs.flatmap_filter
  if (raw === undefined) return undefined
  const fp = [...path, 'flatmap_filter']
  if (!Array.isArray(raw)) {
    error(fp, 'flatmap_filter must be a list of {"type", "args"} operations')
    return undefined
  }
  const ops: FlatmapOp[] = []
  for (const [i, op] of raw.entries()) {
    const args = isObject(op) ? op.args : undefined
    if (
      !isObject(op) ||
      (op.type !== 'move' && op.type !== 'del' && op.type !== 'append') ||
      !Array.isArray(args) ||
      args.some((a) => typeof a !== 'string') ||
      (op.type === 'del' ? args.length === 0 : args.length !== 2)
    ) {
      error(
        [...fp, i],
        'a flatmap operation is {"type": "move"|"append", "args": [from, to]} or {"type": "del", "args": [path, ...]}',
      )
      continue
    }
    ops.push({ type: op.type, args: (args as string[]).map((a) => a.split('.')) })
  }
  return ops.length > 0 ? ops : undefined
}
