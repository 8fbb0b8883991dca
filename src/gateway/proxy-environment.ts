/**
 * KrakenD's backend transport, JWKS client and OAuth2 token client read proxies from the
 * environment (Go's http.ProxyFromEnvironment): HTTP_PROXY for http URLs, HTTPS_PROXY for https,
 * except hosts NO_PROXY names and loopback. The rules are golang.org/x/net/http/httpproxy's;
 * proxy-connector.ts goes through the proxy they choose as Go's transport does.
 */
import { BlockList, isIP } from 'node:net'
import { configError } from '../core/errors.ts'
import type { GatewayConfig } from './config/types.ts'
import { goParseUrl } from './go-url-parse.ts'

export type Environ = Record<string, string | undefined>

/** A proxy from the environment, as Go's transport dials it. */
export interface ProxyServer {
  /** http and https (Go's HTTP proxying), socks5 and socks5h (its SOCKS5 client); any other is refused at start. */
  scheme: string
  /** What to dial: its host name (no brackets) and port (Go's canonicalAddr). */
  hostname: string
  port: number
  /** The proxy URL's user information, percent-decoded (Go's url.User): Basic auth or SOCKS5's. */
  user: { name: string; password: string } | undefined
  /** Go reads the value as a URL, this runtime cannot (a port beyond 65535...): refused at start. */
  unreadable?: true
}

interface ProxyEnvironment {
  http: ProxyServer | undefined
  https: ProxyServer | undefined
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
    http: env.REQUEST_METHOD ? undefined : parseProxy(any('HTTP_PROXY', 'http_proxy')),
    https: parseProxy(any('HTTPS_PROXY', 'https_proxy')),
    noProxy: any('NO_PROXY', 'no_proxy'),
  }
}

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, socks5: 1080, socks5h: 1080 }

/**
 * httpproxy's parseProxy: a value that does not parse as a URL with a scheme and a host is tried
 * again with `http://` in front ("proxy:3128" is an http proxy). One that parses neither way is
 * ignored: Go then connects directly.
 */
function parseProxy(raw: string): ProxyServer | undefined {
  if (raw === '') return undefined
  const bytes = Buffer.from(raw, 'utf8').toString('latin1')
  const parsed = goParseUrl(bytes)
  let text = raw
  let scheme = typeof parsed === 'string' ? '' : parsed.scheme
  if (typeof parsed === 'string' || parsed.scheme === '' || parsed.host === '') {
    if (typeof goParseUrl(`http://${bytes}`) !== 'string') {
      text = `http://${raw}`
      scheme = 'http'
    } else if (typeof parsed === 'string') return undefined
  }
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return { scheme, hostname: '', port: 0, user: undefined, unreadable: true }
  }
  return {
    scheme,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : (DEFAULT_PORTS[scheme] ?? 0),
    user:
      url.username || url.password
        ? { name: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
        : undefined,
  }
}

/**
 * Reads the environment once, as Go's ProxyFromEnvironment does, and answers for each URL: the
 * proxy Go would send a request for it through, or undefined for a direct connection. Undefined
 * when the environment names no proxy at all.
 */
export function proxyChooser(env: Environ): ((url: URL) => ProxyServer | undefined) | undefined {
  const cfg = fromEnvironment(env)
  if (cfg.http === undefined && cfg.https === undefined) return undefined
  return (url) => {
    const proxy = url.protocol === 'https:' ? cfg.https : url.protocol === 'http:' ? cfg.http : undefined
    if (proxy === undefined) return undefined
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
    const port = url.port || (url.protocol === 'https:' ? '443' : '80')
    return useProxy(cfg.noProxy, host, port) ? proxy : undefined
  }
}

export const goProxyFor = (env: Environ, url: URL): ProxyServer | undefined => proxyChooser(env)?.(url)

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
export function proxiedCalls(
  config: GatewayConfig,
  env: Environ,
): Array<{ url: string; proxy: ProxyServer }> {
  const proxyFor = proxyChooser(env)
  if (proxyFor === undefined) return []
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
  const out = new Map<string, { url: string; proxy: ProxyServer }>()
  for (const url of urls) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      continue
    }
    const proxy = proxyFor(parsed)
    // Origins only: a URL's path or query may carry what the logs should not.
    if (proxy !== undefined) out.set(parsed.origin, { url: parsed.origin, proxy })
  }
  return [...out.values()]
}

/**
 * The origin of `endpoint` when the environment's HTTP_PROXY / HTTPS_PROXY would carry calls to it
 * (as Go's ProxyFromEnvironment, which the Go AWS SDK's client uses, decides); else undefined.
 */
export function proxiedOrigin(endpoint: string, env: Environ): string | undefined {
  const choose = proxyChooser(env)
  if (choose === undefined) return undefined
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    return undefined
  }
  return choose(url) !== undefined ? url.origin : undefined
}

/** The proxies Go's transport speaks to (a proxy URL of another scheme is refused here). */
const SPOKEN_PROXY_SCHEMES = new Set(['http', 'https', 'socks5', 'socks5h'])

/**
 * Throws a configError (exit 2) when KrakenD would send some of the config's calls through a
 * proxy URL this runtime cannot use (a scheme other than http, https, socks5 and socks5h, or one
 * it cannot read), rather than go around it.
 */
export function refuseUnspokenProxies(config: GatewayConfig, env: Environ): void {
  const unspoken = proxiedCalls(config, env).filter(
    (call) => call.proxy.unreadable || !SPOKEN_PROXY_SCHEMES.has(call.proxy.scheme),
  )
  if (unspoken.length === 0) return
  const kinds = [
    ...new Set(unspoken.map((call) => (call.proxy.unreadable ? 'unreadable' : `${call.proxy.scheme}://`))),
  ].join(', ')
  throw configError(
    `KrakenD would call ${unspoken.length === 1 ? 'this URL' : 'these URLs'} through the ${kinds} proxy set in the environment (HTTP_PROXY / HTTPS_PROXY), which this runtime does not speak (http://, https://, socks5:// and socks5h:// proxies with a host and a port up to 65535): ${unspoken.map((p) => p.url).join(', ')}`,
    {
      hint: 'use an http://, https:// or socks5:// proxy, list those hosts in NO_PROXY, or set image.runtime: krakend to ship KrakenD',
    },
  )
}
