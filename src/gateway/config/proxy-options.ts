/**
 * lura's `proxy` namespace keys that choose how an endpoint's backends run: the merge strategy and
 * shadow backends (called with a copy of the request, their answers ignored).
 */
import type { KeyPath } from '../../core/source-text.ts'
import { MAX_TIMER_MS, parseDuration } from './duration.ts'

type Warn = (path: KeyPath, message: string, hint?: string) => void

/**
 * lura's getMergerFactory: a `strategy` key wins over `sequential` ("sequential" is the only other
 * merger KrakenD CE registers; anything else merges in parallel).
 */
export function isSequential(
  proxyNs: Record<string, unknown>,
  path: KeyPath,
  sequentialFlag: boolean,
  warn: Warn,
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
  const ms = typeof raw === 'string' ? parseDuration(raw) : undefined
  return ms === undefined ? endpointTimeoutMs : Math.min(ms, MAX_TIMER_MS)
}
