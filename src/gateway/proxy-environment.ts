/**
 * KrakenD's backend transport, JWKS client and OAuth2 token client read proxies from the
 * environment (Go's http.ProxyFromEnvironment): HTTP_PROXY for http URLs, HTTPS_PROXY for https,
 * except hosts NO_PROXY names and loopback. This runtime connects to backends directly, so a
 * config whose calls KrakenD would send through a proxy is refused at start (exit 2) rather than
 * run around the proxy. The rules are golang.org/x/net/http/httpproxy's.
 */
import { BlockList, isIP } from 'node:net'
import { configError } from '../core/errors.ts'
import type { GatewayConfig } from './config/types.ts'

type Environ = Record<string, string | undefined>

interface ProxyEnvironment {
  http: string
  https: string
  noProxy: string
}

/** httpproxy.FromEnvironment: the upper-case name first, then the lower-case one. */
function fromEnvironment(env: Environ): ProxyEnvironment {
  const any = (...names: string[]) => {
    for (const name of names) {
      const value = env[name]
      if (value) return value
    }
    return ''
  }
  return {
    // Under CGI (REQUEST_METHOD set) HTTP_PROXY may come from a client's Proxy header: Go ignores it.
    http: env.REQUEST_METHOD ? '' : any('HTTP_PROXY', 'http_proxy'),
    https: any('HTTPS_PROXY', 'https_proxy'),
    noProxy: any('NO_PROXY', 'no_proxy'),
  }
}

/** The proxy Go would send a request for `url` through, or undefined for a direct connection. */
export function goProxyFor(env: Environ, url: URL): string | undefined {
  const cfg = fromEnvironment(env)
  const proxy = url.protocol === 'https:' ? cfg.https : url.protocol === 'http:' ? cfg.http : ''
  if (proxy === '') return undefined
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  return useProxy(cfg.noProxy, host, port) ? proxy : undefined
}

function useProxy(noProxy: string, host: string, port: string): boolean {
  if (host === 'localhost') return false
  const ipVersion = isIP(host)
  const family = ipVersion === 6 ? 'ipv6' : 'ipv4'
  if (ipVersion !== 0 && loopback().check(host, family)) return false
  for (const raw of noProxy.split(',')) {
    let entry = raw.trim().toLowerCase()
    if (entry === '') continue
    if (entry === '*') return false
    if (entry.includes('/')) {
      if (ipVersion !== 0 && matches(entry, host, family)) return false
      continue
    }
    let entryPort = ''
    const colon = entry.lastIndexOf(':')
    if (colon !== -1 && !entry.endsWith(']') && isIP(entry) === 0) {
      entryPort = entry.slice(colon + 1)
      entry = entry.slice(0, colon)
    }
    entry = entry.replace(/^\[|\]$/g, '')
    if (entryPort !== '' && entryPort !== port) continue
    if (isIP(entry) !== 0) {
      if (ipVersion !== 0 && matches(entry, host, family)) return false
      continue
    }
    // "example.com" matches it and its subdomains, ".example.com" and "*.example.com" subdomains
    // only; a name never matches an address.
    if (ipVersion !== 0) continue
    if (entry.startsWith('*.')) entry = entry.slice(1)
    if (entry.startsWith('.') ? host.endsWith(entry) : host === entry || host.endsWith(`.${entry}`))
      return false
  }
  return true
}

let loopbackList: BlockList | undefined
/** net.IP.IsLoopback: 127.0.0.0/8 and ::1 (BlockList also matches their IPv4-mapped forms). */
function loopback(): BlockList {
  if (!loopbackList) {
    loopbackList = new BlockList()
    loopbackList.addSubnet('127.0.0.0', 8, 'ipv4')
    loopbackList.addAddress('::1', 'ipv6')
  }
  return loopbackList
}

/** Whether `ip` is the address or in the CIDR `entry`, as Go's IP.Equal / IPNet.Contains read them. */
function matches(entry: string, ip: string, family: 'ipv4' | 'ipv6'): boolean {
  const [base, bits] = entry.split('/') as [string, string | undefined]
  const baseVersion = isIP(base)
  if (baseVersion === 0) return false
  const list = new BlockList()
  const baseFamily = baseVersion === 6 ? 'ipv6' : 'ipv4'
  if (bits === undefined) list.addAddress(base, baseFamily)
  else {
    const prefix = Number(bits)
    if (!/^\d+$/.test(bits) || prefix > (baseVersion === 6 ? 128 : 32)) return false
    list.addSubnet(base, prefix, baseFamily)
  }
  return list.check(ip, family)
}

/** The origin of every URL the gateway calls that KrakenD would call through a proxy, with that proxy. */
export function proxiedCalls(config: GatewayConfig, env: Environ): Array<{ url: string; proxy: string }> {
  const urls = new Set<string>()
  for (const endpoint of config.endpoints) {
    if (endpoint.components?.jwt?.jwkUrl) urls.add(endpoint.components.jwt.jwkUrl)
    if (endpoint.components?.signer?.jwkUrl) urls.add(endpoint.components.signer.jwkUrl)
    for (const backend of endpoint.backends) {
      for (const host of backend.hosts) urls.add(host)
      if (backend.components?.clientCredentials?.tokenUrl)
        urls.add(backend.components.clientCredentials.tokenUrl)
    }
  }
  const out = new Map<string, { url: string; proxy: string }>()
  for (const url of urls) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      continue
    }
    const proxy = goProxyFor(env, parsed)
    // Origins only: a URL's path or query may carry what the logs should not.
    if (proxy !== undefined) out.set(parsed.origin, { url: parsed.origin, proxy })
  }
  return [...out.values()]
}

/** Throws a configError (exit 2) when KrakenD would send some of the config's calls through a proxy. */
export function refuseEnvironmentProxies(config: GatewayConfig, env: Environ): void {
  const proxied = proxiedCalls(config, env)
  if (proxied.length === 0) return
  throw configError(
    `KrakenD would call ${proxied.length === 1 ? 'this URL' : 'these URLs'} through the proxy set in the environment (HTTP_PROXY / HTTPS_PROXY), which this runtime does not use: ${proxied.map((p) => p.url).join(', ')}`,
    {
      hint: 'list those hosts in NO_PROXY, unset the proxy variables, or set image.runtime: krakend to ship KrakenD',
    },
  )
}
