// Go's resolver rules for a name it looks up (net/dnsclient.go isDomainName, net/dnsconfig_unix.go
// nameList and the resolv.conf settings it reads): what lura's DNS SRV discovery asks for.

/** net.isDomainName: a presentation-format domain name Go sends to DNS (letters, digits, `_`, `-`, labels of 1-63). */
export function goIsDomainName(name: string): boolean {
  if (name === '.') return true
  const l = name.length
  if (l === 0 || l > 254 || (l === 254 && !name.endsWith('.'))) return false
  let last = '.'
  let nonNumeric = false
  let partLength = 0
  for (const c of name) {
    if (/[A-Za-z_]/.test(c)) {
      nonNumeric = true
      partLength++
    } else if (c >= '0' && c <= '9') partLength++
    else if (c === '-') {
      if (last === '.') return false
      partLength++
      nonNumeric = true
    } else if (c === '.') {
      if (last === '.' || last === '-' || partLength > 63 || partLength === 0) return false
      partLength = 0
    } else return false
    last = c
  }
  return last !== '-' && partLength <= 63 && nonNumeric
}

export interface ResolvConf {
  /** Search domains, rooted (`ns.svc.cluster.local.`). */
  search: string[]
  ndots: number
}

/**
 * The resolv.conf settings Go's resolver reads: the last `search` or `domain` line, `options ndots:N`
 * (1 unset, at most 15); without either line, the domain of the machine's host name.
 */
export function parseResolvConf(text: string, hostname: string): ResolvConf {
  let search: string[] | undefined
  let ndots = 1
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/[ \t]+/)
    const [keyword, ...rest] = fields
    if (keyword === 'search') search = rest.filter((s) => s !== '').map(rooted)
    else if (keyword === 'domain' && rest[0] !== undefined) search = [rooted(rest[0])]
    else if (keyword === 'options')
      for (const option of rest) {
        const match = /^ndots:(\d+)$/.exec(option)
        if (match) ndots = Math.min(Number(match[1]), 15)
      }
  }
  if (search === undefined) {
    const dot = hostname.indexOf('.')
    search = dot > 0 && dot < hostname.length - 1 ? [rooted(hostname.slice(dot + 1))] : []
  }
  return { search, ndots }
}

const rooted = (name: string) => (name.endsWith('.') ? name : `${name}.`)
const avoided = (name: string) => /\.onion\.?$/i.test(name)

/** dnsConfig.nameList: the rooted names Go tries in turn for `name`, search domains applied by ndots. */
export function goNameList(name: string, conf: ResolvConf): string[] {
  const l = name.length
  const isRooted = name.endsWith('.')
  if (l > 254 || (l === 254 && !isRooted)) return []
  if (isRooted) return avoided(name) ? [] : [name]
  const hasNdots = name.split('.').length - 1 >= conf.ndots
  const fqdn = `${name}.`
  const names: string[] = []
  if (hasNdots && !avoided(fqdn)) names.push(fqdn)
  for (const suffix of conf.search) {
    const candidate = fqdn + suffix
    if (!avoided(candidate) && candidate.length <= 254) names.push(candidate)
  }
  if (!hasNdots && !avoided(fqdn)) names.push(fqdn)
  return names
}

/**
 * The server Go's resolver names in a lookup error (`lookup x on 10.0.0.2:53: no such host`): the
 * first `nameserver` of resolv.conf, which answers a name that does not exist; Go's default
 * 127.0.0.1:53 without one.
 */
export function goResolverServer(resolvConf: string): string {
  for (const line of resolvConf.split('\n')) {
    const [keyword, address] = line.trim().split(/[ \t]+/)
    if (keyword === 'nameserver' && address !== undefined && address !== '')
      return address.includes(':') ? `[${address}]:53` : `${address}:53`
  }
  return '127.0.0.1:53'
}
