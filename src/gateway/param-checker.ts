import { bytesOfText } from './byte-text.ts'
import { goQuoteBytes } from './go-quote.ts'
import { goUnescapePath, type RouteMatch } from './router.ts'

/** What the gateway's router holds (app.ts), as far as the checker reads it. */
type Routed = { kind: 'options' | 'health' | 'debug' | 'echo' | 'endpoint' }

/**
 * lura's paramChecker (left out by router.disable_path_decoding) on what gin routed: the endpoint's
 * or OPTIONS route's parameters, the catch-all of /__debug/*param and /__echo/*param (the decoded
 * path after the prefix), or on a 404 / 405 the parameters gin's lookup collected before it missed.
 * Without it nothing is refused here: a bad escape fails only the backend calls whose URL path it
 * lands in, as Go's url.Parse refuses that URL (backend-context.ts).
 */
export function paramCheckerRefusal(found: RouteMatch<Routed>, url: string): string | undefined {
  if (found.kind === 'redirect' || found.kind === 'dropped') return undefined
  if (found.kind === 'found') {
    const kind = found.store.kind
    // A route's parameters are gin's: `{p}` and `:p` written in an endpoint path alike (lura forwards
    // only the former, but its paramChecker reads every one gin collected), `:x` in health_path too.
    if (kind === 'debug' || kind === 'echo') {
      const q = url.indexOf('?')
      const decoded = goUnescapePath(q === -1 ? url : url.slice(0, q))
      if (decoded === undefined) return undefined // Go's server refused it before routing
      return paramRefusal(decoded.slice(decoded.indexOf('/', 1)))
    }
  }
  const params = found.params
  if (params === undefined) return undefined
  for (const key in params) {
    const value = params[key]
    const refused = value === undefined ? undefined : paramRefusal(value)
    if (refused) return refused
  }
  return undefined
}

/** One parameter (decoded): it must not unescape any further (url.PathUnescape) nor hold `?` or `#`. */
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/

function paramRefusal(param: string): string | undefined {
  if (!param.includes('%') && !param.includes('?') && !param.includes('#')) return undefined
  if (BAD_ESCAPE.test(param)) {
    // Go's EscapeError holds the 3 bytes from the `%`.
    const bytes = bytesOfText(param)
    const at = bytes.search(BAD_ESCAPE)
    return `error: invalid URL escape ${goQuoteBytes(bytes.slice(at, at + 3))}`
  }
  return 'error: encoded url params'
}
