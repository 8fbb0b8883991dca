// The gateway listens on an IP literal without Node's host lookup (listen-literal.ts), and binds
// exactly what net.Server#listen({ host }) binds: the same address and family, the same dual-stack
// behaviour (which loopback addresses reach it), for IPv4, IPv6, the unspecified addresses and a name.
import assert from 'node:assert/strict'
import dns from 'node:dns'
import { type AddressInfo, connect, createServer, type Server } from 'node:net'
import { describe, test } from 'node:test'
import { createGateway } from '../../src/gateway/app.ts'
import { listenAt } from '../../src/gateway/listen-literal.ts'
import { listen } from '../../src/gateway/server.ts'
import { mustConfig, quietLogger } from './helpers.ts'

const HOSTS = ['127.0.0.1', '::1', '0.0.0.0', '::', 'localhost']
const CLIENTS = ['127.0.0.1', '::1']

const listening = (start: (server: Server, done: () => void) => void) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer((socket) => socket.end())
    server.once('error', reject)
    start(server, () => resolve(server))
  })
const closed = (server: Server) => new Promise((resolve) => server.close(resolve))

/** Whether a client from `from` reaches the server's port (refused otherwise). */
const reaches = (from: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: from, port }, () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })

/** What a server bound: its address and family, and which loopback addresses reach it. */
async function bound(server: Server) {
  const { address, family, port } = server.address() as AddressInfo
  const reachable: Record<string, boolean> = {}
  for (const from of CLIENTS) reachable[from] = await reaches(from, port)
  return { address, family, reachable }
}

/** Counts dns.lookup calls (net's listen reads dns.lookup when it is called) while `run` runs. */
async function lookupsDuring(run: () => Promise<void>): Promise<string[]> {
  const original = dns.lookup
  const seen: string[] = []
  dns.lookup = ((hostname: string, ...rest: unknown[]) => {
    seen.push(hostname)
    return (original as (...args: unknown[]) => unknown)(hostname, ...rest)
  }) as typeof dns.lookup
  try {
    await run()
  } finally {
    dns.lookup = original
  }
  return seen
}

describe('listening on an IP literal', () => {
  for (const host of HOSTS) {
    test(`${host}: the same address, family and reachability as net's listen`, async () => {
      const ours = await listening((server, done) => listenAt(server, { port: 0, host }, done))
      const nodes = await listening((server, done) => server.listen({ port: 0, host }, done))
      try {
        assert.deepEqual(await bound(ours), await bound(nodes))
      } finally {
        await Promise.all([closed(ours), closed(nodes)])
      }
    })
  }

  test('the gateway looks up a listen host only when it is a name', async () => {
    const gateway = createGateway(
      mustConfig({
        version: 3,
        endpoints: [{ endpoint: '/a', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }] }],
      }),
      { logger: quietLogger() },
    )
    for (const [host, expected] of [
      ['127.0.0.1', []],
      ['::1', []],
      ['localhost', ['localhost']],
    ] as const) {
      const seen = await lookupsDuring(async () => {
        const server = await listen(gateway, { port: 0, host })
        await server.close()
      })
      assert.deepEqual(seen, expected, host)
    }
  })

  test('a port in use fails the listen with EADDRINUSE, as before', async () => {
    const taken = await listening((server, done) => server.listen({ port: 0, host: '127.0.0.1' }, done))
    const { port } = taken.address() as AddressInfo
    try {
      const second = createServer()
      const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
        second.once('error', resolve)
        listenAt(second, { port, host: '127.0.0.1' }, () =>
          resolve(new Error('listened') as NodeJS.ErrnoException),
        )
      })
      assert.equal(error.code, 'EADDRINUSE')
    } finally {
      await closed(taken)
    }
  })
})
