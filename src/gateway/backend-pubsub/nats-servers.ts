/**
 * NATS_SERVER_URL as nats.go's Connect reads it: a comma-separated list of servers, `nats://`
 * added where a server names no scheme, credentials from the URL (user and password, or a lone
 * user as the token). Only nats:// servers here: tls://, ws:// and wss:// are refused at start.
 */
export interface NatsServers {
  servers: string[]
  auth: { user: string; pass: string } | { token: string } | Record<string, never>
  /** A server URL this runtime does not dial as nats.go would (its scheme), or one that does not parse. */
  unsupported?: string
}

export function natsServers(serverUrl: string): NatsServers {
  const out: NatsServers = { servers: [], auth: {} }
  for (const raw of serverUrl.split(',')) {
    const text = raw.trim()
    if (text === '') continue
    let url: URL
    try {
      url = new URL(text.includes('://') ? text : `nats://${text}`)
    } catch {
      out.unsupported ??= 'a server URL that does not parse'
      continue
    }
    if (url.protocol !== 'nats:') out.unsupported ??= `the scheme ${url.protocol}//`
    if (Object.keys(out.auth).length === 0 && url.username !== '')
      out.auth =
        url.password !== ''
          ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
          : { token: decodeURIComponent(url.username) }
    out.servers.push(url.host)
  }
  return out
}
