/**
 * The client IP as KrakenD's gin engine computes it (`c.ClientIP()`): with the router's
 * `forwarded_by_client_ip` (gin's default: on) the first address of `X-Forwarded-For` /
 * `X-Real-IP` that is not a trusted proxy, reading right to left (gin trusts every proxy unless
 * `trusted_proxies` is set), else the socket's address.
 */
import { BlockList, isIP } from 'node:net'
import type { Fields } from './fields.ts'
import type { IncomingLike } from './types.ts'

export interface ClientIpConfig {
  forwarded: boolean
  headers: string[]
  trusted: string[] | undefined
}

export const GIN_CLIENT_IP: ClientIpConfig = {
  forwarded: true,
  headers: ['x-forwarded-for', 'x-real-ip'],
  trusted: undefined,
}

/** Reads the three gin options from the service's `router` namespace; undefined when none is set. */
export function parseClientIp(fields: Fields): ClientIpConfig | undefined {
  if (!['forwarded_by_client_ip', 'remote_ip_headers', 'trusted_proxies'].some((k) => fields.has(k)))
    return undefined
  const headers = fields.strings('remote_ip_headers')
  const trusted = fields.strings('trusted_proxies')
  for (const [i, cidr] of (trusted ?? []).entries())
    if (!isIP(cidr.split('/')[0] ?? ''))
      fields.report.error(
        [...fields.at('trusted_proxies'), i],
        `"${cidr}" is not an IP address or CIDR range`,
      )
  return {
    forwarded: fields.bool('forwarded_by_client_ip', true),
    headers: headers && headers.length > 0 ? headers.map((h) => h.toLowerCase()) : GIN_CLIENT_IP.headers,
    trusted,
  }
}

const stripMapped = (ip: string) => (ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip)

export function compileClientIp(cfg: ClientIpConfig): (req: IncomingLike) => string {
  let isTrusted: (ip: string) => boolean = () => true
  if (cfg.trusted) {
    const list = new BlockList()
    for (const entry of cfg.trusted) {
      const [address, bits] = entry.split('/') as [string, string | undefined]
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4'
      if (bits === undefined) list.addAddress(address, family)
      else list.addSubnet(address, Number(bits), family)
    }
    isTrusted = (ip) => list.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4')
  }
  return (req) => {
    const remote = stripMapped(req.socket?.remoteAddress ?? '')
    if (cfg.forwarded && isTrusted(remote)) {
      for (const name of cfg.headers) {
        const raw = req.headers[name]
        const value = Array.isArray(raw) ? raw[0] : raw
        if (!value) continue
        const items = value.split(',')
        for (let i = items.length - 1; i >= 0; i -= 1) {
          const ip = (items[i] as string).trim()
          if (!isIP(ip)) break
          if (i === 0 || !isTrusted(ip)) return ip
        }
      }
    }
    return remote
  }
}
