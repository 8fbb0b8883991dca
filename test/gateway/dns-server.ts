// A DNS server on 127.0.0.1 (UDP) answering SRV questions from a table the test changes as it
// goes: what the gateway's `sd: "dns"` discovery asks, over the wire as any resolver would.
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import type { SrvRecord } from '../../src/gateway/srv-discovery.ts'

export interface TestDnsServer {
  /** `127.0.0.1:port`, for dnsServers. */
  address: string
  /** SRV records by rooted name; a name missing is NXDOMAIN, `'servfail'` a server failure. */
  records: Map<string, SrvRecord[] | 'servfail'>
  /** The names asked so far (SRV questions), in order. */
  asked: string[]
  close(): Promise<void>
}

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
  records: SrvRecord[] | 'servfail' | undefined,
  type: number,
  end: number,
): Buffer {
  const header = Buffer.alloc(12)
  query.copy(header, 0, 0, 2)
  const rcode = records === 'servfail' ? 2 : records === undefined ? 3 : 0
  const answers = type === TYPE_SRV && Array.isArray(records) ? records : []
  header.writeUInt16BE(0x8180 | rcode, 2)
  header.writeUInt16BE(1, 4)
  header.writeUInt16BE(answers.length, 6)
  const rrs = answers.map((r) => {
    const rdata = Buffer.concat([Buffer.alloc(6), encodeName(r.name)])
    rdata.writeUInt16BE(r.priority, 0)
    rdata.writeUInt16BE(r.weight, 2)
    rdata.writeUInt16BE(r.port, 4)
    const fixed = Buffer.alloc(12)
    fixed.writeUInt16BE(0xc00c, 0)
    fixed.writeUInt16BE(TYPE_SRV, 2)
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
  const asked: string[] = []
  socket.on('message', (query, peer) => {
    const { name, end, type } = readQuestion(query)
    if (type === TYPE_SRV) asked.push(name)
    socket.send(answer(query, records.get(name.toLowerCase()), type, end), peer.port, peer.address)
  })
  socket.bind(0, '127.0.0.1')
  await once(socket, 'listening')
  return {
    address: `127.0.0.1:${socket.address().port}`,
    records,
    asked,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  }
}
