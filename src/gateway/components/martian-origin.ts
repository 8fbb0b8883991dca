// The backend URL's scheme and host as martian's url, port and stash packages read and change them
// (google/martian/v3 martianurl/host.go MatchHost, port/port_modifier.go ModifyRequest), and the
// URL's text as Go's url.URL.String writes it. Texts are byte strings (one character per byte).

/**
 * A backend origin (`scheme://host`) split into Go's URL.Scheme and URL.Host, as lura's request
 * carries them: http.NewRequest drops an empty port (`127.0.0.1:` is `127.0.0.1`, removeEmptyPort).
 */
export function splitOrigin(origin: string): { scheme: string; host: string } {
  const at = origin.indexOf('://')
  const host = origin.slice(at + 3)
  const emptyPort = host.endsWith(':') && host.lastIndexOf(':') > host.lastIndexOf(']')
  return { scheme: origin.slice(0, at), host: emptyPort ? host.slice(0, -1) : host }
}

/**
 * martianurl.MatchHost: `match` equals `host`, or matches it from the right where each `*` stands
 * for one dot-separated label (or, leftmost, for all that is left).
 */
export function matchHost(host: string, match: string): boolean {
  if (host === '') return false
  if (host === match) return true
  let hi = host.length - 1
  for (let mi = match.length - 1; mi >= 0; mi -= 1) {
    if (match[mi] === '*') {
      while (hi > 0 && host[hi] !== '.') hi -= 1
      if (mi === 0 && hi === 0) return true
      continue
    }
    if (host[hi] !== match[mi]) return false
    if (hi === 0) return mi === 0
    hi -= 1
  }
  return false
}

/** net.SplitHostPort's host for the hosts a config may hold here (no IPv6 literal): before the last `:`. */
const withoutPort = (host: string): string => {
  const colon = host.lastIndexOf(':')
  return colon === -1 ? host : host.slice(0, colon)
}

/** What port.Modifier does: `remove`, the scheme's default (`default`), or that port. */
export type PortChange = 'remove' | 'default' | number

/**
 * port.Modifier on URL.Host: the host without its port, with the scheme's default port (other
 * schemes: unchanged) or with the given one. It also writes that host into the header map's Host,
 * which Go's transport never sends (returned as `mapHost`, undefined when nothing changed).
 */
export function changePort(scheme: string, host: string, change: PortChange): string | undefined {
  const bare = withoutPort(host)
  if (change === 'remove') return bare
  if (change === 'default')
    return scheme === 'http' ? `${bare}:80` : scheme === 'https' ? `${bare}:443` : undefined
  return `${bare}:${change}`
}

/** The fragment of lura's generated path (`#...`), as its bytes; '' when there is none. */
export function fragmentOf(generated: string): string {
  const hash = generated.indexOf('#')
  if (hash === -1) return ''
  const text = generated.slice(hash + 1)
  return /[\u0080-\uffff]/.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text
}
