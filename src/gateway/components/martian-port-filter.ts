// martian's port.Filter (google/martian port/port_filter.go) on the URL's host: whether its port is
// the filter's, or the error that fails the call. Hosts are Go's URL.Host texts.

/** Go's net.SplitHostPort: the port text after the last `:`, or its error text. */
function splitHostPort(hostport: string): { port: string } | { error: string } {
  const fail = (why: string) => ({ error: `address ${hostport}: ${why}` })
  const i = hostport.lastIndexOf(':')
  if (i < 0) return fail('missing port in address')
  let from = 0
  let after = 0
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']')
    if (end < 0) return fail("missing ']' in address")
    if (end + 1 === hostport.length) return fail('missing port in address')
    if (end + 1 !== i)
      return fail(hostport[end + 1] === ':' ? 'too many colons in address' : 'missing port in address')
    from = 1
    after = end + 1
  } else if (hostport.slice(0, i).includes(':')) return fail('too many colons in address')
  if (hostport.slice(from).includes('[')) return fail("unexpected '[' in address")
  if (hostport.slice(after).includes(']')) return fail("unexpected ']' in address")
  return { port: hostport.slice(i + 1) }
}

const INT64_MAX = 2n ** 63n - 1n

/** Go's strconv.Atoi for the port texts a URL.Host holds (digits only, maybe none). */
function atoi(text: string): bigint | { error: string } {
  const match = /^[+-]?[0-9]+$/.exec(text)
  if (!match) return { error: `strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax` }
  const value = BigInt(text)
  if (value > INT64_MAX || value < -INT64_MAX - 1n)
    return { error: `strconv.Atoi: parsing ${JSON.stringify(text)}: value out of range` }
  return value
}

/**
 * Whether port.Filter's `port` is the port of `host` (the scheme's default when it has none): on
 * the request, a host without `:` is compared with the default; on the answer, such a host that
 * is not on `port` goes to net.SplitHostPort, whose error (like Atoi's) fails the call.
 */
export function portFilterMatches(
  port: number,
  scheme: string,
  host: string,
  request: boolean,
): boolean | { error: string } {
  const defaultPort = scheme === 'http' ? 80 : scheme === 'https' ? 443 : 0
  if (!host.includes(':') && (request || port === defaultPort)) return port === defaultPort
  const split = splitHostPort(host)
  if ('error' in split) return split
  const parsed = atoi(split.port)
  return typeof parsed === 'bigint' ? parsed === BigInt(port) : parsed
}
