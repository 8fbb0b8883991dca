// A DNS server on 127.0.0.1 (UDP) answering SRV and A questions from tables the test changes as it
// goes: what the gateway's `sd: "dns"` discovery asks, over the wire as any resolver would.
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import type { SrvRecord } from '../../src/gateway/srv-discovery.ts'

export interface TestDnsServer {
  /** `127.0.0.1:port`, for dnsServers. */
  address: string
  /** SRV records by rooted name; `'servfail'` a server failure. */
  records: Map<string, SrvRecord[] | 'servfail'>
  /** IPv4 addresses (A records) by rooted name. A name in neither table is NXDOMAIN. */
  addresses: Map<string, string>
  /** The names asked so far (SRV questions), in order. */
  asked: string[]
  close(): Promise<void>
}

const TYPE_A = 1
const TYPE_SRV = 33

function encodeName(name: string): Buffer {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l !== '')
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0]),
  ])
}

/** The question's name (rooted) and where the question ends. */
function readQuestion(query: Buffer): { name: string; end: number; type: number } {
  let at = 12
  const labels: string[] = []
  for (let length = query[at] as number; length > 0; length = query[at] as number) {
    labels.push(query.subarray(at + 1, at + 1 + length).toString('latin1'))
    at += 1 + length
  }
  return { name: `${labels.join('.')}.`, end: at + 5, type: query.readUInt16BE(at + 1) }
}

function answer(
  query: Buffer,
  end: number,
  type: number,
  srv: SrvRecord[] | 'servfail' | undefined,
  ipv4: string | undefined,
): Buffer {
  const header = Buffer.alloc(12)
  query.copy(header, 0, 0, 2)
  const rcode = srv === 'servfail' ? 2 : srv === undefined && ipv4 === undefined ? 3 : 0
  const rdatas: Buffer[] = []
  if (type === TYPE_SRV && Array.isArray(srv))
    for (const r of srv) {
      const rdata = Buffer.concat([Buffer.alloc(6), encodeName(r.name)])
      rdata.writeUInt16BE(r.priority, 0)
      rdata.writeUInt16BE(r.weight, 2)
      rdata.writeUInt16BE(r.port, 4)
      rdatas.push(rdata)
    }
  if (type === TYPE_A && ipv4 !== undefined) rdatas.push(Buffer.from(ipv4.split('.').map(Number)))
  header.writeUInt16BE(0x8180 | rcode, 2)
  header.writeUInt16BE(1, 4)
  header.writeUInt16BE(rdatas.length, 6)
  const rrs = rdatas.map((rdata) => {
    const fixed = Buffer.alloc(12)
    fixed.writeUInt16BE(0xc00c, 0)
    fixed.writeUInt16BE(type, 2)
    fixed.writeUInt16BE(1, 4)
    fixed.writeUInt32BE(5, 6)
    fixed.writeUInt16BE(rdata.length, 10)
    return Buffer.concat([fixed, rdata])
  })
  return Buffer.concat([header, query.subarray(12, end), ...rrs])
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const socket = createSocket('udp4')
  const records = new Map<string, SrvRecord[] | 'servfail'>()
  const addresses = new Map<string, string>()
  const asked: string[] = []
  socket.on('message', (query, peer) => {
    const { name, end, type } = readQuestion(query)
    if (type === TYPE_SRV) asked.push(name)
    const key = name.toLowerCase()
    socket.send(answer(query, end, type, records.get(key), addresses.get(key)), peer.port, peer.address)
  })
  socket.bind(0, '127.0.0.1')
  await once(socket, 'listening')
  return {
    address: `127.0.0.1:${socket.address().port}`,
    records,
    addresses,
    asked,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  }
}
