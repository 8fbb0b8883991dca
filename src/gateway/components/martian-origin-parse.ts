// Config checks of the martian modifiers that read or change the backend URL's scheme and host
// (url.Modifier and url.Filter's scheme and host, port.Modifier, stash.Modifier, url.RegexFilter):
// what google/martian/v3's JSON parsers accept (port/port_modifier.go modifierFromJSON,
// stash/stash_modifier.go modifierFromJSON) and what this runtime calls as Go's transport would.

import type { KeyPath } from '../../core/source-text.ts'
import { BODY_LENGTH, SENSITIVE_ON_OTHER_HOST } from '../backend-redirects.ts'
import { quoteUrl } from '../config/url-credentials.ts'
import type { PortChange } from './martian-origin.ts'

type Fail = (at: KeyPath, message: string, hint?: string) => void

const ALTERNATIVE = 'or use image.runtime: krakend'

/** url.Modifier's `scheme`: '' (unchanged), http or https. */
export function checkScheme(scheme: string, at: KeyPath, fail: Fail): void {
  if (scheme !== '' && scheme !== 'http' && scheme !== 'https')
    fail(
      at,
      `scheme ${JSON.stringify(scheme)}: Go's transport fails every call to it (unsupported protocol scheme)`,
      'write "http" or "https"',
    )
}

/** url.Modifier's `host`: '' (unchanged), or a host name or IPv4 address with an optional port. */
export function checkHost(host: string, at: KeyPath, fail: Fail): void {
  if (host === '') return
  const match = /^[A-Za-z0-9._-]+(?::([0-9]+))?$/.exec(host)
  const port = match?.[1] === undefined ? 1 : Number(match[1])
  if (!match || port < 1 || port > 65535)
    fail(
      at,
      `host ${quoteUrl(host)}: write a host name or IPv4 address, with a port from 1 to 65535 if any`,
      `IPv6 literals, user info and other forms are refused here; ${ALTERNATIVE}`,
    )
}

/**
 * port.Modifier's fields as modifierFromJSON reads them: exactly one of a non-zero `port`,
 * `defaultForScheme` and `remove` (else KrakenD drops the whole martian config).
 */
export function parsePortChange(
  body: Record<string, unknown>,
  at: KeyPath,
  fail: Fail,
): PortChange | undefined {
  const flag = (key: string): boolean | undefined => {
    const v = body[key]
    if (v === undefined || v === null) return false
    if (typeof v === 'boolean') return v
    fail([...at, key], `"${key}" must be true or false`, 'KrakenD drops the whole martian config otherwise')
    return undefined
  }
  const port = body.port ?? 0
  if (typeof port !== 'number' || !Number.isInteger(port)) {
    fail([...at, 'port'], '"port" must be a whole number', 'KrakenD drops the whole martian config otherwise')
    return undefined
  }
  const byDefault = flag('defaultForScheme')
  const remove = flag('remove')
  if (byDefault === undefined || remove === undefined) return undefined
  if ([port !== 0, byDefault, remove].filter(Boolean).length !== 1) {
    fail(
      at,
      'port.Modifier takes exactly one of "port", "defaultForScheme" and "remove"',
      'KrakenD drops the whole martian config otherwise (Must specify only one of port, defaultForScheme or remove)',
    )
    return undefined
  }
  if (port !== 0 && (port < 1 || port > 65535)) {
    fail([...at, 'port'], `port ${port}: Go's transport fails every call to it`, 'use a port from 1 to 65535')
    return undefined
  }
  return port !== 0 ? port : byDefault ? 'default' : 'remove'
}

/**
 * Headers Go's client changes on the way to a redirect's last hop, whose request the answer side
 * of stash.Modifier reads: the sensitive ones (dropped for another host), the body's length (dropped
 * for a GET) and Referer (set).
 */
const REDIRECT_CHANGED = new Set([...SENSITIVE_ON_OTHER_HOST, BODY_LENGTH, 'referer'])

/** stash.Modifier's `headerName`, beyond what any header modifier may write: why it is refused, if it is. */
export function stashNameProblem(name: string, response: boolean): string | undefined {
  const lower = name.toLowerCase()
  if (lower === 'host')
    return "stash.Modifier writes Host into the header map, which Go's transport never sends: the header would do nothing here"
  if (response && REDIRECT_CHANGED.has(lower))
    return `stash.Modifier's answer side reads ${name} from the request of a redirect's last hop, where Go's client changes it`
  return undefined
}
