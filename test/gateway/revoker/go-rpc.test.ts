// The revoker's net/rpc server against Go's own client (test/fixtures/go-rpc/rpc-client: rpc.Dial
// over TCP, gob codec, its own copies of the bloomfilter's types), and against raw sockets for
// what a Go client never sends.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { type AddressInfo, connect, type Server, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { createGoRpcServer, GoRpcError, type GoRpcMethod } from '../../../src/gateway/revoker/go-rpc.ts'
import {
  GobDecoder,
  GobEncoder,
  type GobStruct,
  type GobType,
  type GobValue,
} from '../../../src/gateway/revoker/gob.ts'
import { GobReader } from '../../../src/gateway/revoker/gob-wire.ts'
import { buildGoFixture, runProgram } from '../../helpers/go.ts'

const AddOutput: GobType = { struct: 'AddOutput', fields: [['Count', 'int']] }
const CheckOutput: GobType = { struct: 'CheckOutput', fields: [['Checks', { slice: 'bool' }]] }
const Request: GobType = {
  struct: 'Request',
  fields: [
    ['ServiceMethod', 'string'],
    ['Seq', 'uint'],
  ],
}
const AddInput: GobType = { struct: 'AddInput', fields: [['Elems', { slice: 'bytes' }]] }
const text = (bytes: GobValue) => Buffer.from(bytes as Uint8Array).toString()
const elems = (args: GobValue) => (args as GobStruct).Elems as Uint8Array[]

function methods(filter: Set<string>): Record<string, GoRpcMethod> {
  return {
    'BloomfilterRPC.Add': {
      reply: AddOutput,
      call(args) {
        for (const elem of elems(args)) filter.add(text(elem))
        return { Count: elems(args).length }
      },
    },
    'BloomfilterRPC.Check': {
      reply: CheckOutput,
      call: (args) => ({ Checks: elems(args).map((elem) => filter.has(text(elem))) }),
    },
    'BloomfilterRPC.Union': {
      reply: AddOutput,
      call() {
        throw new GoRpcError('Bloomfilter not initialized')
      },
    },
    /** Waits the milliseconds its first element says, then counts the elements. */
    'Slow.Add': {
      reply: AddOutput,
      async call(args) {
        await delay(Number(text(elems(args)[0] ?? new Uint8Array())))
        return { Count: elems(args).length }
      },
    },
    'Broken.Bug': {
      reply: AddOutput,
      call() {
        throw new TypeError('cannot read properties of undefined')
      },
    },
    'Broken.Reply': { reply: AddOutput, call: () => ({ Count: 'many' }) },
  }
}

interface Call {
  method: string
  args?: 'add' | 'check'
  elems?: string[]
}
interface CallResult {
  method: string
  error?: string
  reply?: unknown
  order: number
}

let client: string
let server: Server
let port: number
const filter = new Set<string>()
const errors: Error[] = []

async function listen(s: Server): Promise<number> {
  s.listen(0, '127.0.0.1')
  await once(s, 'listening')
  return (s.address() as AddressInfo).port
}

async function goCalls(
  connections: Array<{ concurrent?: boolean; calls: Call[] }>,
  to = port,
): Promise<Array<{ dialError?: string; results: CallResult[] }>> {
  const input = JSON.stringify({ addr: `127.0.0.1:${to}`, connections })
  const result = await runProgram(client, [], { input, timeoutMs: 30_000 })
  assert.equal(result.code, 0, result.stderr)
  return JSON.parse(result.stdout).connections
}

/** A client writing whatever it is given and reading gob values back. */
class RawClient {
  readonly socket: Socket
  readonly decoder = new GobDecoder()
  readonly values: GobValue[] = []
  readonly received: Buffer[] = []
  readonly closed: Promise<void>
  readonly encoder: GobEncoder

  constructor(to: number) {
    this.socket = connect(to, '127.0.0.1')
    this.socket.on('error', () => {})
    this.closed = once(this.socket, 'close').then(() => {})
    this.encoder = new GobEncoder((bytes) => this.socket.write(bytes))
    this.socket.on('data', (chunk: Buffer) => {
      this.received.push(chunk)
      this.decoder.push(chunk)
      for (let next = this.decoder.next(); next; next = this.decoder.next()) this.values.push(next.value)
    })
  }

  call(serviceMethod: string, seq: bigint, body: [GobType, GobValue]): void {
    this.encoder.encode(Request, { ServiceMethod: serviceMethod, Seq: seq })
    this.encoder.encode(...body)
  }

  async read(count: number, timeoutMs = 5000): Promise<GobValue[]> {
    const deadline = Date.now() + timeoutMs
    while (this.values.length < count) {
      if (Date.now() > deadline)
        assert.fail(`got ${this.values.length} of ${count} values in ${timeoutMs} ms`)
      await delay(5)
    }
    return this.values.splice(0, count)
  }

  async closedWithin(timeoutMs = 5000): Promise<void> {
    const timeout = delay(timeoutMs).then(() =>
      assert.fail(`the server did not close within ${timeoutMs} ms`),
    )
    await Promise.race([this.closed, timeout])
  }
}

const response = (serviceMethod: string, seq: bigint, error = '') =>
  Object.assign(Object.create(null), { ServiceMethod: serviceMethod, Seq: seq, Error: error })

before(async () => {
  client = await buildGoFixture('rpc-client')
  server = createGoRpcServer(methods(filter), { onError: (error) => errors.push(error) })
  port = await listen(server)
})

after(() => {
  server.close()
})

describe('a Go net/rpc client (rpc.Dial, gob)', () => {
  test('sequential calls on one connection: replies, method errors, Go texts for unknown names', async () => {
    const [connection] = await goCalls([
      {
        calls: [
          { method: 'BloomfilterRPC.Add', elems: ['jti-1', 'jti-2', ''] },
          { method: 'BloomfilterRPC.Check', args: 'check', elems: ['jti-2', 'jti-3', ''] },
          { method: 'BloomfilterRPC.Union', elems: ['x'] },
          { method: 'Nope.Add', elems: ['x'] },
          { method: 'BloomfilterRPC.Nope', elems: ['x'] },
          { method: 'NoDot', elems: ['x'] },
          { method: 'BloomfilterRPC.Add', elems: [] },
          { method: 'BloomfilterRPC.Check', args: 'check', elems: ['jti-1'] },
        ],
      },
    ])
    assert.deepEqual(
      connection?.results.map(({ method, error, reply }) => ({ method, error, reply })),
      [
        { method: 'BloomfilterRPC.Add', error: undefined, reply: { Count: 3 } },
        { method: 'BloomfilterRPC.Check', error: undefined, reply: { Checks: [true, false, true] } },
        { method: 'BloomfilterRPC.Union', error: 'Bloomfilter not initialized', reply: undefined },
        { method: 'Nope.Add', error: "rpc: can't find service Nope.Add", reply: undefined },
        {
          method: 'BloomfilterRPC.Nope',
          error: "rpc: can't find method BloomfilterRPC.Nope",
          reply: undefined,
        },
        { method: 'NoDot', error: 'rpc: service/method request ill-formed: NoDot', reply: undefined },
        { method: 'BloomfilterRPC.Add', error: undefined, reply: { Count: 0 } },
        { method: 'BloomfilterRPC.Check', error: undefined, reply: { Checks: [true] } },
      ],
    )
  })

  test('concurrent calls on one connection (client.Go): a slow call holds up none of the others', async () => {
    const fast = Array.from(
      { length: 20 },
      (_, i): Call => ({ method: 'BloomfilterRPC.Add', elems: [`c${i}`] }),
    )
    const [connection] = await goCalls([
      { concurrent: true, calls: [{ method: 'Slow.Add', elems: ['400', 'b'] }, ...fast] },
    ])
    const [slow, ...others] = connection?.results ?? []
    assert.deepEqual(slow?.reply, { Count: 2 })
    assert.equal(others.length, 20)
    for (const other of others) assert.deepEqual([other.error, other.reply], [undefined, { Count: 1 }])
    assert.equal(slow?.order, 21, 'the slow call finishes last')
  })

  test('more concurrent calls than a connection runs at once (256): every one answered', async () => {
    const calls = Array.from(
      { length: 400 },
      (_, i): Call => ({ method: 'Slow.Add', elems: ['100', `${i}`] }),
    )
    const [connection] = await goCalls([{ concurrent: true, calls }])
    assert.equal(connection?.results.length, 400)
    for (const result of connection?.results ?? [])
      assert.deepEqual([result.error, result.reply], [undefined, { Count: 2 }])
  })

  test('two connections at once: a slow call on one does not hold up the other', async () => {
    const [slowConnection, other] = await goCalls([
      { calls: [{ method: 'Slow.Add', elems: ['600'] }] },
      {
        calls: [
          { method: 'BloomfilterRPC.Add', elems: ['two-1'] },
          { method: 'BloomfilterRPC.Check', args: 'check', elems: ['two-1', 'two-2'] },
        ],
      },
    ])
    assert.deepEqual(slowConnection?.results[0]?.reply, { Count: 1 })
    assert.deepEqual(
      other?.results.map((r) => [r.reply, r.order]),
      [
        [{ Count: 1 }, 1],
        [{ Checks: [true, false] }, 2],
      ],
    )
    assert.equal(slowConnection?.results[0]?.order, 3)
  })

  test('a method that fails unexpectedly answers with its message and tells onError', async () => {
    const before = errors.length
    const [connection] = await goCalls([
      { calls: [{ method: 'Broken.Bug' }, { method: 'BloomfilterRPC.Add' }] },
    ])
    assert.equal(connection?.results[0]?.error, 'cannot read properties of undefined')
    assert.deepEqual(connection?.results[1]?.reply, { Count: 0 })
    assert.ok(errors.slice(before).some((e) => e instanceof TypeError))
  })

  test('a reply that does not fit its type: the header goes out, then the connection closes (as Go)', async () => {
    const before = errors.length
    const [connection] = await goCalls([{ calls: [{ method: 'Broken.Reply' }] }])
    assert.match(connection?.results[0]?.error ?? '', /^reading body (unexpected )?EOF$/)
    assert.ok(errors.slice(before).some((e) => /rpc: gob error encoding body/.test(e.message)))
  })

  test('a body over maxMessageBytes is answered with the reason, then the connection closes', async () => {
    const small = createGoRpcServer(methods(new Set()), { maxMessageBytes: 1024, onError: () => {} })
    const smallPort = await listen(small)
    try {
      const [connection] = await goCalls(
        [{ calls: [{ method: 'BloomfilterRPC.Add', elems: ['x'.repeat(2000)] }] }],
        smallPort,
      )
      assert.match(connection?.results[0]?.error ?? '', /exceeds the limit of 1024 bytes/)
      const [next] = await goCalls(
        [{ calls: [{ method: 'BloomfilterRPC.Add', elems: ['x'.repeat(900)] }] }],
        smallPort,
      )
      assert.deepEqual(next?.results[0]?.reply, { Count: 1 })
    } finally {
      small.close()
    }
  })
})

describe('what a Go client never sends', () => {
  test('garbage gets the connection closed unanswered while the Go client is served', async () => {
    const before = errors.length
    const garbage = [
      Buffer.from('f8ffffffffffffffff', 'hex'), // a message of 2^64-1 bytes
      Buffer.from('05ffffffffff', 'hex'), // a message that is no gob
      Buffer.alloc(4096, 0xff),
      Buffer.from('0304000a', 'hex'), // a header that is an int, not a Request
    ]
    const raws = garbage.map((bytes) => {
      const raw = new RawClient(port)
      raw.socket.write(bytes)
      return raw
    })
    const served = goCalls([
      {
        concurrent: true,
        calls: [
          { method: 'BloomfilterRPC.Add', elems: ['g1'] },
          { method: 'Slow.Add', elems: ['50'] },
        ],
      },
    ])
    for (const raw of raws) {
      await raw.closedWithin()
      assert.equal(Buffer.concat(raw.received).length, 0)
    }
    const [connection] = await served
    assert.deepEqual(
      connection?.results.map((r) => r.reply),
      [{ Count: 1 }, { Count: 1 }],
    )
    const reasons = errors.slice(before).map((e) => e.message)
    assert.equal(
      reasons.filter((m) => m.startsWith('rpc: server cannot decode request: ')).length,
      4,
      reasons.join('\n'),
    )
  })

  test('a header gob cannot read: the calls already running are answered, then the connection closes', async () => {
    const raw = new RawClient(port)
    raw.call('Slow.Add', 1n, [AddInput, { Elems: [Buffer.from('200')] }])
    await delay(50)
    raw.socket.write(Buffer.from('0304000a', 'hex'))
    assert.deepEqual(await raw.read(2), [
      response('Slow.Add', 1n),
      Object.assign(Object.create(null), { Count: 1n }),
    ])
    await raw.closedWithin()
  })

  test('type definitions go out once per connection; Seq comes back unchanged, uint64 max included', async () => {
    const raw = new RawClient(port)
    try {
      const maxSeq = 2n ** 64n - 1n
      raw.call('BloomfilterRPC.Add', maxSeq, [AddInput, { Elems: [Buffer.from('once')] }])
      raw.call('BloomfilterRPC.Add', 0n, [AddInput, { Elems: [] }])
      raw.call('Nope.X', 5n, [AddInput, {}])
      const values = await raw.read(6)
      // Pairs of header and body, in the order the answers were ready (not necessarily the requests').
      const pairs = [0, 2, 4].map((i) => values.slice(i, i + 2))
      const rank = (pair: GobValue[]) => [maxSeq, 0n, 5n].indexOf((pair[0] as GobStruct).Seq as bigint)
      pairs.sort((a, b) => rank(a) - rank(b))
      assert.deepEqual(pairs.flat(), [
        response('BloomfilterRPC.Add', maxSeq),
        Object.assign(Object.create(null), { Count: 1n }),
        response('BloomfilterRPC.Add', 0n),
        Object.assign(Object.create(null), { Count: 0n }),
        response('Nope.X', 5n, "rpc: can't find service Nope.X"),
        Object.create(null),
      ])
      // Response, AddOutput, then struct{} for the error: three definitions in all.
      const bytes = Buffer.concat(raw.received)
      let definitions = 0
      for (let at = 0; at < bytes.length; ) {
        const length = bytes[at] as number
        assert.ok(length < 0x80, 'every message here is shorter than 128 bytes')
        if (new GobReader(bytes.subarray(at + 1, at + 1 + length)).int() < 0n) definitions++
        at += 1 + length
      }
      assert.equal(definitions, 3)
    } finally {
      raw.socket.destroy()
    }
  })

  test('a body gob cannot read is answered with the reason and the connection kept', async () => {
    const raw = new RawClient(port)
    try {
      raw.encoder.encode(Request, { ServiceMethod: 'BloomfilterRPC.Add', Seq: 1n })
      raw.socket.write(Buffer.from('03ffc600', 'hex')) // a value of type 99, never defined
      raw.encoder.encode(Request, { ServiceMethod: 'BloomfilterRPC.Nope', Seq: 2n })
      raw.socket.write(Buffer.from('03ffc600', 'hex'))
      raw.call('BloomfilterRPC.Check', 3n, [AddInput, { Elems: [Buffer.from('jti-1')] }])
      const values = await raw.read(6)
      assert.deepEqual(
        values[0],
        response('BloomfilterRPC.Add', 1n, 'gob: unknown type id or corrupted data'),
      )
      assert.deepEqual(
        values[2],
        response('BloomfilterRPC.Nope', 2n, "rpc: can't find method BloomfilterRPC.Nope"),
      )
      assert.deepEqual(values[4], response('BloomfilterRPC.Check', 3n))
      assert.equal(raw.socket.destroyed, false)
    } finally {
      raw.socket.destroy()
    }
  })

  test('the client closing its side after a header: answered "EOF" (ReadRequestBody), then closed', async () => {
    const raw = new RawClient(port)
    raw.encoder.encode(Request, { ServiceMethod: 'BloomfilterRPC.Add', Seq: 9n })
    raw.socket.end()
    assert.deepEqual((await raw.read(2))[0], response('BloomfilterRPC.Add', 9n, 'EOF'))
    await raw.closedWithin()
  })

  test('calls still running when the client closes its side are answered before the close', async () => {
    const raw = new RawClient(port)
    raw.call('Slow.Add', 4n, [AddInput, { Elems: [Buffer.from('200')] }])
    raw.socket.end()
    const [header, body] = await raw.read(2)
    assert.deepEqual(header, response('Slow.Add', 4n))
    assert.deepEqual(body, Object.assign(Object.create(null), { Count: 1n }))
    await raw.closedWithin()
  })
})
