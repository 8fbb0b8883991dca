/**
 * Go's net.IP and net.IPNet as gin's trusted proxies use them: ParseIP (no zone, no leading zeros
 * in IPv4), ParseCIDR, and IPNet.Contains, whose byte-length rules differ from Node's BlockList: a
 * 16-byte network that is not IPv4-mapped (`::/0`, the `::ffff:127.0.0.1/32` gin makes of a plain
 * `::ffff:127.0.0.1`) holds no IPv4 address, and an IPv4-mapped one (`::ffff:0:0/96`) is read as
 * an IPv4 network with the mask's last four bytes.
 */
import { isIP } from 'node:net'

/** An address as Go's IP.To4 leaves it: 4 bytes for IPv4 and IPv4-mapped IPv6, else 16. */
export type GoIp = Uint8Array

export interface GoIpNet {
  ip: Uint8Array
  mask: Uint8Array
}

/** net.ParseIP followed by To4 where it applies; undefined where Go's ParseIP gives nil. */
export function parseGoIp(text: string): GoIp | undefined {
  const family = isIP(text)
  if (family === 0 || text.includes('%')) return undefined
  return to4(family === 4 ? v4Bytes(text) : v6Bytes(text))
}

function v4Bytes(text: string): Uint8Array {
  return Uint8Array.from(text.split('.'), Number)
}

/** The 16 bytes of an IPv6 address isIP accepted (with its optional dotted IPv4 tail). */
function v6Bytes(text: string): Uint8Array {
  const out = new Uint8Array(16)
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined]
  const groups = (part: string | undefined): number[] => {
    if (!part) return []
    const words: number[] = []
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const [a, b, c, d] = v4Bytes(piece) as unknown as number[]
        words.push(((a as number) << 8) | (b as number), ((c as number) << 8) | (d as number))
      } else words.push(Number.parseInt(piece, 16))
    }
    return words
  }
  const front = groups(head)
  const back = groups(tail)
  const words = [...front, ...new Array(8 - front.length - back.length).fill(0), ...back]
  for (const [i, word] of words.entries()) {
    out[2 * i] = word >> 8
    out[2 * i + 1] = word & 0xff
  }
  return out
}

/** IP.To4: the last four bytes of an IPv4-mapped address, else the address as it is. */
function to4(ip: Uint8Array): Uint8Array {
  if (ip.length === 4) return ip
  for (let i = 0; i < 10; i += 1) if (ip[i] !== 0) return ip
  return ip[10] === 0xff && ip[11] === 0xff ? ip.subarray(12) : ip
}

/** net.ParseCIDR's network (IP.Mask of the 16-byte address); undefined where Go fails. */
export function parseGoCidr(text: string): GoIpNet | undefined {
  const slash = text.indexOf('/')
  if (slash < 0) return undefined
  const addr = text.slice(0, slash)
  const bits = text.slice(slash + 1)
  const family = isIP(addr)
  if (family === 0 || addr.includes('%') || !/^\d+$/.test(bits)) return undefined
  const length = family === 4 ? 32 : 128
  const n = Number(bits)
  if (n > length) return undefined
  const mask = new Uint8Array(length / 8)
  for (let i = 0; i < mask.length; i += 1) mask[i] = 0xff & ~(0xff >> Math.max(0, Math.min(8, n - 8 * i)))
  const addr16 = family === 4 ? mapped(v4Bytes(addr)) : v6Bytes(addr)
  return { ip: maskIp(addr16, mask), mask }
}

const mapped = (v4: Uint8Array) => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4])

/** IP.Mask: a 4-byte mask over an IPv4-mapped address keeps the IPv4 part. */
function maskIp(ip: Uint8Array, mask: Uint8Array): Uint8Array {
  const source = mask.length === 4 && ip.length === 16 ? ip.subarray(12) : ip
  return source.map((byte, i) => byte & (mask[i] as number))
}

/** IPNet.Contains for an address from parseGoIp. */
export function goNetContains(net: GoIpNet, ip: GoIp): boolean {
  // networkNumberAndMask: the network as To4 leaves it, a 16-byte mask cut to its last four bytes
  // over an IPv4 network; a 4-byte mask over a 16-byte network matches nothing.
  const nn = to4(net.ip)
  let mask = net.mask
  if (mask.length === 4 && nn.length !== 4) return false
  if (mask.length === 16 && nn.length === 4) mask = mask.subarray(12)
  if (ip.length !== nn.length) return false
  for (let i = 0; i < ip.length; i += 1)
    if (((nn[i] as number) & (mask[i] as number)) !== ((ip[i] as number) & (mask[i] as number))) return false
  return true
}

/**
 * gin's prepareTrustedCIDRs: a plain IP becomes IP/32 or IP/128 by the length ParseIP+To4 gives it
 * (so `::ffff:1.2.3.4` is `::ffff:1.2.3.4/32`, an IPv6 prefix). `bad` is the first entry Go fails
 * on; gin keeps the networks before it and drops the rest.
 */
export function parseTrustedNets(list: readonly string[]): { nets: GoIpNet[]; bad?: number } {
  const nets: GoIpNet[] = []
  for (const [i, entry] of list.entries()) {
    let cidr = entry
    if (!entry.includes('/')) {
      const ip = parseGoIp(entry)
      if (ip === undefined) return { nets, bad: i }
      cidr = `${entry}/${ip.length === 4 ? 32 : 128}`
    }
    const net = parseGoCidr(cidr)
    if (net === undefined) return { nets, bad: i }
    nets.push(net)
  }
  return { nets }
}
