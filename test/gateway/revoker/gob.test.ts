// encoding/gob both ways against Go 1.26: Go's bytes (test/fixtures/go-rpc/gob-golden.json,
// written by `gob-tool golden`) decoded here, and this encoder's bytes decoded by Go.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { before, describe, test } from 'node:test'
import {
  decodeGobStream,
  GobDecoder,
  GobEncoder,
  GobError,
  type GobStruct,
  type GobType,
  type GobValue,
} from '../../../src/gateway/revoker/gob.ts'
import { GobWriter } from '../../../src/gateway/revoker/gob-wire.ts'
import { buildGoFixture, goFixtures, runProgram } from '../../helpers/go.ts'

const S = (fields: Record<string, GobValue>): GobStruct => Object.assign(Object.create(null), fields)
const u8 = (...bytes: number[]) => new Uint8Array(bytes)
const b = (text: string) => new TextEncoder().encode(text)
const hex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'))
const MAX_U64 = 2n ** 64n - 1n
const MIN_I64 = -(2n ** 63n)

const golden: Record<string, string> = JSON.parse(readFileSync(join(goFixtures, 'gob-golden.json'), 'utf8'))
const goldenBytes = (name: string) => hex(golden[name] ?? assert.fail(`no golden case ${name}`))

function encodeAll(values: Array<[GobType, GobValue]>): { bytes: Uint8Array; messages: Uint8Array[] } {
  const messages: Uint8Array[] = []
  const encoder = new GobEncoder((bytes) => messages.push(bytes))
  for (const [type, value] of values) encoder.encode(type, value)
  return { bytes: Buffer.concat(messages), messages }
}

const Inner: GobType = {
  struct: 'Inner',
  fields: [
    ['A', 'int'],
    ['Tags', { slice: 'string' }],
  ],
}
const Mixed: GobType = {
  struct: 'Mixed',
  fields: [
    ['I', 'int'],
    ['U', 'uint'],
    ['F', 'float'],
    ['G', 'float'],
    ['S', 'string'],
    ['B', 'bool'],
    ['Bs', 'bytes'],
    ['Ss', { slice: 'string' }],
    ['In', Inner],
    ['List', { slice: Inner, name: '[]main.Inner' }],
    ['Nested', { slice: 'bytes' }],
    ['Flags', { slice: 'bool' }],
  ],
}
const Request: GobType = {
  struct: 'Request',
  fields: [
    ['ServiceMethod', 'string'],
    ['Seq', 'uint'],
  ],
}
const Response: GobType = {
  struct: 'Response',
  fields: [
    ['ServiceMethod', 'string'],
    ['Seq', 'uint'],
    ['Error', 'string'],
  ],
}
const AddInput: GobType = { struct: 'AddInput', fields: [['Elems', { slice: 'bytes' }]] }
const AddOutput: GobType = { struct: 'AddOutput', fields: [['Count', 'int']] }
const CheckOutput: GobType = { struct: 'CheckOutput', fields: [['Checks', { slice: 'bool' }]] }
const Empty: GobType = { struct: '', fields: [] }

let gobTool: string
before(async () => {
  gobTool = await buildGoFixture('gob-tool')
})

describe('Go encodes, gwdeploy decodes', () => {
  test('the golden fixture is what Go writes now', async () => {
    const result = await runProgram(gobTool, ['golden'])
    assert.equal(result.code, 0, result.stderr)
    const now: Record<string, string> = JSON.parse(result.stdout)
    assert.deepEqual(Object.keys(now).sort(), Object.keys(golden).sort())
    for (const [name, bytes] of Object.entries(now)) {
      // Go writes a map's entries in its random iteration order.
      if (name === 'maps') assert.deepEqual(decodeGobStream(hex(bytes)), decodeGobStream(goldenBytes(name)))
      else assert.equal(bytes, golden[name], name)
    }
  })

  test('struct fields Go left out are their zero values, in the sender order', () => {
    const [value, ...rest] = decodeGobStream(goldenBytes('omitted'))
    assert.equal(rest.length, 0)
    assert.deepEqual(
      value,
      S({
        I: -5n,
        U: 0n,
        F: 0,
        G: 0,
        S: 'x',
        B: false,
        Bs: u8(),
        Ss: [],
        In: S({ A: 0n, Tags: [] }),
        List: [],
        Nested: [],
        Flags: [],
      }),
    )
    assert.deepEqual(Object.keys(value as GobStruct), [
      'I',
      'U',
      'F',
      'G',
      'S',
      'B',
      'Bs',
      'Ss',
      'In',
      'List',
      'Nested',
      'Flags',
    ])
    assert.equal(Object.getPrototypeOf(value), null)
  })

  test('every kind: int64 min, uint64 max, floats, unicode, nested structs, [][]byte, []bool', () => {
    assert.deepEqual(decodeGobStream(goldenBytes('full')), [
      S({
        I: MIN_I64,
        U: MAX_U64,
        F: 0.001,
        G: -2.5,
        S: 'héllo, 世界',
        B: true,
        Bs: u8(0, 1, 255),
        Ss: ['a', '', 'c'],
        In: S({ A: -1n, Tags: ['t'] }),
        List: [S({ A: 1n, Tags: [] }), S({ A: 0n, Tags: [] }), S({ A: 300n, Tags: ['x', 'y'] })],
        Nested: [b('ab'), u8(), u8(7)],
        Flags: [true, false, true],
      }),
    ])
    assert.deepEqual(decodeGobStream(goldenBytes('floats')), [
      S({ A: 0.001, B: -2.5, C: -Infinity, D: 1e300 }),
    ])
  })

  test('net/rpc headers and bodies as a Go client and server write them', () => {
    assert.deepEqual(decodeGobStream(goldenBytes('rpc-request')), [
      S({ ServiceMethod: 'BloomfilterRPC.Add', Seq: 0n }),
      S({ Elems: [b('jti-1'), b('jti-2')] }),
      S({ ServiceMethod: 'BloomfilterRPC.Check', Seq: 1n }),
      S({ Elems: [b('jti-1')] }),
    ])
    assert.deepEqual(decodeGobStream(goldenBytes('rpc-response')), [
      S({ ServiceMethod: 'BloomfilterRPC.Check', Seq: 1n, Error: '' }),
      S({ Checks: [true, false] }),
      S({ ServiceMethod: 'X.Y', Seq: 2n, Error: "rpc: can't find service X.Y" }),
      S({}),
    ])
  })

  test('maps, arrays, marshalers, top-level values, empty structs', () => {
    assert.deepEqual(decodeGobStream(goldenBytes('maps')), [
      S({
        M: new Map<GobValue, GobValue>([
          ['a', 1n],
          ['b', -2n],
        ]),
        K: new Map<GobValue, GobValue>([[7n, S({ A: 7n, Tags: [] })]]),
      }),
      new Map<GobValue, GobValue>([['yes', true]]),
    ])
    assert.deepEqual(decodeGobStream(goldenBytes('arrays')), [
      S({ A: [1n, 0n, -3n], B: ['', ''] }),
      [false, true],
    ])
    assert.deepEqual(decodeGobStream(goldenBytes('marshalers')), [
      S({
        T: { marshaled: u8(0x74, 1, 2, 3, 4), via: 'binary' },
        G: { marshaled: b('blob:42'), via: 'gob' },
        N: 3n,
      }),
    ])
    assert.deepEqual(decodeGobStream(goldenBytes('singletons')), [
      -7n,
      MAX_U64,
      'hé',
      1.5,
      true,
      u8(1, 2),
      [true, false],
      [b('a'), u8()],
    ])
    assert.deepEqual(decodeGobStream(goldenBytes('empty')), [S({}), S({ Elems: [] }), S({ A: 0n, Tags: [] })])
  })

  test('invalid UTF-8 in a string: one U+FFFD per bad byte, as Go prints it', () => {
    assert.deepEqual(decodeGobStream(goldenBytes('invalid-utf8')), [S({ S: 'a\uFFFDb\uFFFD\uFFFD' })])
  })

  test("a recursive type's zero value refers to itself", () => {
    const [list] = decodeGobStream(goldenBytes('list')) as GobStruct[]
    const second = list?.Next as GobStruct
    const third = second.Next as GobStruct
    const zero = third.Next as GobStruct
    assert.deepEqual([list?.V, second.V, third.V, zero.V], [1n, 2n, 3n, 0n])
    assert.equal(zero.Next, zero)
  })

  test('the stream fed a byte at a time gives the same values', () => {
    const bytes = goldenBytes('full')
    const decoder = new GobDecoder()
    const values: GobValue[] = []
    for (const byte of bytes) {
      decoder.push(u8(byte))
      for (let next = decoder.next(); next; next = decoder.next()) values.push(next.value)
    }
    assert.equal(decoder.partial, false)
    assert.deepEqual(values, decodeGobStream(bytes))
  })
})

// Go decodes an empty []byte as nil (decode.go decUint8Slice), which its JSON prints as null.
describe('gwdeploy encodes, Go decodes', () => {
  const decodeInGo = (name: string, bytes: Uint8Array) =>
    runProgram(gobTool, ['decode', name], { input: bytes })

  test('the same bytes as a fresh Go process for the same values', async () => {
    const result = await runProgram(gobTool, ['fresh'])
    assert.equal(result.code, 0, result.stderr)
    const { bytes } = encodeAll([
      [Response, S({ ServiceMethod: 'BloomfilterRPC.Add', Seq: 0n, Error: '' })],
      [AddOutput, { Count: 2 }],
      [Response, { ServiceMethod: 'BloomfilterRPC.Check', Seq: 1n }],
      [CheckOutput, { Checks: [true, false] }],
      [Response, { ServiceMethod: 'BloomfilterRPC.Add', Seq: 2, Error: 'Bloomfilter not initialized' }],
      [Empty, {}],
      [Response, { ServiceMethod: 'BloomfilterRPC.Add', Seq: MAX_U64 }],
      [AddOutput, { Count: -1n }],
      [Mixed, { I: -5, S: 'x', In: { A: 1 }, Nested: [b('ab')] }],
    ])
    assert.equal(Buffer.from(bytes).toString('hex'), result.stdout.trim())
  })

  test('net/rpc headers and bodies', async () => {
    const { bytes } = encodeAll([
      [Request, { ServiceMethod: 'BloomfilterRPC.Add', Seq: 0n }],
      [AddInput, { Elems: [b('a'), u8(), u8(0, 255)] }],
      [Response, { ServiceMethod: 'BloomfilterRPC.Add', Seq: MAX_U64, Error: 'x' }],
      [AddOutput, { Count: -3 }],
      [Response, { ServiceMethod: 'B.C', Seq: 7 }],
      [CheckOutput, { Checks: [true, false] }],
      [Empty, S({})],
    ])
    const result = await decodeInGo('rpc', bytes)
    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stdout.trim(),
      '[{"ServiceMethod":"BloomfilterRPC.Add","Seq":0},{"Elems":["YQ==",null,"AP8="]},' +
        '{"ServiceMethod":"BloomfilterRPC.Add","Seq":18446744073709551615,"Error":"x"},{"Count":-3},' +
        '{"ServiceMethod":"B.C","Seq":7,"Error":""},{"Checks":[true,false]},{}]',
    )
  })

  test('every kind, zero fields left out, nested and repeated types', async () => {
    const { bytes } = encodeAll([
      [
        Mixed,
        {
          I: MIN_I64,
          U: MAX_U64,
          F: 0.001,
          G: -2.5,
          S: 'héllo, 世界 \u{1F600}',
          B: true,
          Bs: u8(0, 1, 255),
          Ss: ['a', '', 'c'],
          In: { A: -1, Tags: ['t'] },
          List: [{ A: 1 }, {}, { A: 300, Tags: ['x', 'y'] }],
          Nested: [b('ab'), u8(), u8(7)],
          Flags: [true, false, true],
        },
      ],
      [Mixed, { I: 0, F: -0, S: '' }],
    ])
    const result = await decodeInGo('mixed', bytes)
    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stdout.trim(),
      '[{"I":-9223372036854775808,"U":18446744073709551615,"F":0.001,"G":-2.5,"S":"héllo, 世界 😀","B":true,' +
        '"Bs":"AAH/","Ss":["a","","c"],"In":{"A":-1,"Tags":["t"]},' +
        '"List":[{"A":1,"Tags":null},{"A":0,"Tags":null},{"A":300,"Tags":["x","y"]}],' +
        '"Nested":["YWI=",null,"Bw=="],"Flags":[true,false,true]},' +
        '{"I":0,"U":0,"F":0,"G":0,"S":"","B":false,"Bs":null,"Ss":null,"In":{"A":0,"Tags":null},' +
        '"List":null,"Nested":null,"Flags":null}]',
    )
  })

  test('top-level values other than structs (singletons)', async () => {
    const { bytes } = encodeAll([
      ['int', -7],
      ['uint', MAX_U64],
      ['string', 'hé'],
      ['float', 1.5],
      ['bool', true],
      ['bytes', u8(1, 2)],
      [{ slice: 'string' }, ['x', '']],
      [{ slice: 'bytes' }, [b('a'), u8()]],
      [{ slice: Inner }, [{ A: 2 }, { Tags: ['q'] }]],
    ])
    const result = await decodeInGo('singletons', bytes)
    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stdout.trim(),
      '[-7,18446744073709551615,"hé",1.5,true,"AQI=",["x",""],["YQ==",null],[{"A":2,"Tags":null},{"A":0,"Tags":["q"]}]]',
    )
  })

  test('Go matches fields by name: extra and missing fields are fine, int and uint are not the same', async () => {
    const sent = (a: GobType): GobType => ({
      struct: 'Sent',
      fields: [
        ['A', a],
        ['B', 'string'],
        ['C', { slice: 'bool' }],
      ],
    })
    const ok = await decodeInGo(
      'compat',
      encodeAll([[sent('int'), { A: -4, B: 'dropped', C: [false, true] }]]).bytes,
    )
    assert.equal(ok.code, 0, ok.stderr)
    assert.equal(ok.stdout.trim(), '[{"A":-4,"C":[false,true],"D":""}]')
    const wrong = await decodeInGo('compat', encodeAll([[sent('uint'), { A: 4, C: [true] }]]).bytes)
    assert.equal(wrong.code, 1)
    assert.match(wrong.stderr, /wrong type \(int64\) for received field Sent\.A/)
  })
})

describe('the encoder', () => {
  test('sends a type definition once per stream, also for an equal GobType made again', () => {
    const messages: Uint8Array[] = []
    const encoder = new GobEncoder((bytes) => messages.push(bytes))
    encoder.encode(CheckOutput, { Checks: [true] })
    assert.equal(messages.length, 3) // CheckOutput, []bool, the value
    encoder.encode({ struct: 'CheckOutput', fields: [['Checks', { slice: 'bool' }]] }, { Checks: [] })
    assert.equal(messages.length, 4)
    encoder.encode({ slice: 'bool' }, [false])
    assert.equal(messages.length, 5)
    const other: Uint8Array[] = []
    new GobEncoder((bytes) => other.push(bytes)).encode(CheckOutput, { Checks: [true] })
    assert.equal(other.length, 3, 'a new stream defines its types again')
    assert.deepEqual(decodeGobStream(Buffer.concat(messages)), [
      S({ Checks: [true] }),
      S({ Checks: [] }),
      [false],
    ])
  })

  test('round trip through the decoder, numbers or bigints for integers', () => {
    const values: Array<[GobType, GobValue]> = [
      [Mixed, { I: -1, U: 2 ** 53, F: Number.NaN, S: '\u0000', Bs: u8(0), List: [{}] }],
      ['int', MIN_I64],
      ['float', -0.001],
    ]
    assert.deepEqual(decodeGobStream(encodeAll(values).bytes), [
      S({
        I: -1n,
        U: 2n ** 53n,
        F: Number.NaN,
        G: 0,
        S: '\u0000',
        B: false,
        Bs: u8(0),
        Ss: [],
        In: S({ A: 0n, Tags: [] }),
        List: [S({ A: 0n, Tags: [] })],
        Nested: [],
        Flags: [],
      }),
      MIN_I64,
      -0.001,
    ])
  })

  test('refuses values that do not fit their type and writes nothing', () => {
    const cases: Array<[GobType, GobValue]> = [
      ['int', 'one'],
      ['int', 1.5],
      ['int', 2n ** 63n],
      ['uint', -1],
      ['uint', 2n ** 64n],
      ['float', 1n],
      ['bytes', 'text'],
      [AddOutput, [1]],
      [AddOutput, { Count: 'x' }],
      [CheckOutput, { Checks: [true, 1] }],
      [{ slice: 'string' }, 'abc'],
      [
        {
          struct: 'Bad',
          fields: [
            ['A', 'int'],
            ['A', 'int'],
          ],
        },
        {},
      ],
      [{ struct: 'Bad', fields: [['A', 'long' as GobType]] }, {}],
    ]
    for (const [type, value] of cases) {
      const written: Uint8Array[] = []
      assert.throws(
        () => new GobEncoder((bytes) => written.push(bytes)).encode(type, value),
        GobError,
        String(value),
      )
      assert.equal(written.length, 0)
    }
  })
})

describe('hostile input: a GobError, never a hang or a huge allocation', () => {
  const msg = (build: (w: GobWriter) => void) => {
    const w = new GobWriter()
    build(w)
    return Buffer.concat(w.message())
  }
  const common = (w: GobWriter, id: number) => {
    w.uint(1)
    w.uint(2)
    w.int(id)
    w.uint(0)
  }
  const sliceDef = (id: number, elem: number) =>
    msg((w) => {
      w.int(-id)
      w.uint(2)
      common(w, id)
      w.uint(1)
      w.int(elem)
      w.uint(0)
      w.uint(0)
    })
  const structDef = (id: number, fields: Array<[string, number]>) =>
    msg((w) => {
      w.int(-id)
      w.uint(3)
      common(w, id)
      w.uint(1)
      w.uint(fields.length)
      for (const [name, fid] of fields) {
        w.uint(1)
        w.string(name)
        w.uint(1)
        w.int(fid)
        w.uint(0)
      }
      w.uint(0)
      w.uint(0)
    })
  const arrayDef = (id: number, elem: number, len: number) =>
    msg((w) => {
      w.int(-id)
      w.uint(1)
      common(w, id)
      w.uint(1)
      w.int(elem)
      w.uint(1)
      w.int(len)
      w.uint(0)
      w.uint(0)
    })
  const mapDef = (id: number, key: number, elem: number) =>
    msg((w) => {
      w.int(-id)
      w.uint(4)
      common(w, id)
      w.uint(1)
      w.int(key)
      w.uint(1)
      w.int(elem)
      w.uint(0)
      w.uint(0)
    })
  /** A value message: its type id, then uints (a singleton's zero delta first). */
  const value = (id: number, ...uints: Array<number | bigint>) =>
    msg((w) => {
      w.int(id)
      for (const x of uints) w.uint(x)
    })
  const ones = (n: number) => Array.from({ length: n }, () => 1)
  const stream = (...messages: Uint8Array[]) => Buffer.concat(messages)
  const rejects = (bytes: Uint8Array, pattern: RegExp) => assert.throws(() => decodeGobStream(bytes), pattern)

  test('a truncated stream', () => {
    const bytes = goldenBytes('rpc-request')
    const decoder = new GobDecoder()
    decoder.push(bytes.subarray(0, bytes.length - 3))
    let values = 0
    while (decoder.next()) values++
    assert.equal(values, 3)
    assert.equal(decoder.partial, true)
    rejects(bytes.subarray(0, bytes.length - 3), /^GobError: unexpected EOF$/)
    rejects(sliceDef(64, 1), /unexpected EOF/)
  })

  test('a message longer than the limit fails when its count arrives, and for good', () => {
    const decoder = new GobDecoder({ maxMessageBytes: 100 })
    decoder.push(u8(101))
    assert.throws(() => decoder.next(), { name: 'GobError', message: /101 bytes exceeds the limit of 100/ })
    decoder.push(new Uint8Array(200))
    assert.throws(() => decoder.next(), /exceeds the limit/)
    const huge = new GobDecoder()
    huge.push(u8(0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
    assert.throws(() => huge.next(), /18446744073709551615 bytes exceeds/)
    const nineBytes = new GobDecoder()
    nineBytes.push(u8(0xf7, 1, 1, 1, 1, 1, 1, 1, 1, 1))
    assert.throws(() => nineBytes.next(), /unsigned integer out of range/)
    assert.throws(() => new GobDecoder({ maxMessageBytes: 0 }), RangeError)
  })

  test('length-prefixed garbage', () => {
    rejects(u8(5, 0xff, 0xff, 0xff, 0xff, 0xff), /GobError/)
    rejects(Buffer.from(`G${'ET / HTTP/1.1\r\nHost: x\r\n\r\n'.padEnd(71, 'x')}`), /duplicate type received/)
    rejects(u8(0), /unexpected end of message/)
  })

  test('duplicate type ids, and ids below 64', () => {
    const def = sliceDef(64, 1)
    rejects(stream(def, def, value(64, 0)), /^GobError: gob: duplicate type received$/)
    rejects(stream(sliceDef(63, 1)), /duplicate type received/)
    const bytes = goldenBytes('rpc-request')
    const first = bytes.subarray(0, 1 + (bytes[0] as number))
    rejects(stream(first, first), /duplicate type received/)
  })

  test('counts larger than the bytes left', () => {
    const boolSlice = sliceDef(64, 1)
    rejects(stream(boolSlice, value(64, 0, 0x7fffffff, 1)), /length exceeds input size/)
    rejects(stream(boolSlice, value(64, 0, 2n ** 64n - 1n)), /length exceeds input size/)
    rejects(value(5, 0, 2 ** 40, 1), /exceeds input size/)
    rejects(value(6, 0, 2 ** 40, 1), /exceeds input size/)
    rejects(stream(mapDef(64, 6, 2), value(64, 0, 2 ** 40)), /exceeds input size/)
    rejects(stream(arrayDef(64, 2, 2 ** 40), value(64, 0, 2 ** 40)), /exceeds input size/)
  })

  test('nesting deeper than the bound: chained definitions, a recursive slice type, zero values', () => {
    const chain = Array.from({ length: 1500 }, (_, i) => sliceDef(64 + i, i === 1499 ? 1 : 65 + i))
    rejects(stream(...chain, value(64, 0, ...ones(1500))), /nest too deeply/)
    const selfSlice = sliceDef(64, 64)
    rejects(stream(selfSlice, value(64, 0, ...ones(5000))), /nest too deeply/)
    const structs = Array.from({ length: 1500 }, (_, i) =>
      structDef(64 + i, [['F', i === 1499 ? 2 : 65 + i]]),
    )
    rejects(stream(...structs, value(64, 0)), /nest too deeply/)
  })

  test('zero values that would not fit in memory', () => {
    const wide = Array.from({ length: 1000 }, (_, i): [string, number] => [`F${i}`, 2])
    const wider = Array.from({ length: 2000 }, (_, i): [string, number] => [`G${i}`, 65])
    rejects(stream(structDef(64, wider), structDef(65, wide), value(64, 0)), /too large/)
    rejects(stream(structDef(64, [['A', 65]]), arrayDef(65, 2, 2 ** 40), value(64, 0)), /too large/)
  })

  test('malformed values and definitions', () => {
    rejects(stream(structDef(64, [['X', 8]]), value(64, 0)), /interface values are not supported/)
    rejects(value(7, 0, 0, 0), /complex numbers are not supported/)
    rejects(value(99, 0), /unknown type id/)
    rejects(value(16, 0), /unknown type id/)
    rejects(value(2, 1, 10), /non-zero delta for singleton/)
    rejects(stream(structDef(64, [['A', 2]]), value(64, 2, 2)), /field numbers out of bounds/)
    rejects(stream(structDef(64, [['', 2]])), /empty name for remote field/)
    const def = sliceDef(64, 1)
    rejects(stream(u8((def[0] as number) + 1), def.subarray(1), u8(0)), /extra data in buffer/)
    const many = Array.from({ length: 10_001 }, (_, i) => sliceDef(64 + i, 1))
    rejects(stream(...many), /too many type definitions/)
  })

  test('a bad message costs only itself: the next one decodes', () => {
    const decoder = new GobDecoder()
    decoder.push(stream(value(99, 0), value(2, 0, 17)))
    assert.throws(() => decoder.next(), GobError)
    assert.deepEqual(decoder.next(), { value: -9n })
    assert.equal(decoder.next(), undefined)
  })

  test('random bytes and mutated Go streams: values or GobErrors only', () => {
    let seed = 0x2545f491
    const random = () => {
      seed ^= seed << 13
      seed ^= seed >>> 17
      seed ^= seed << 5
      return (seed >>> 0) / 2 ** 32
    }
    const full = goldenBytes('full')
    for (let round = 0; round < 4000; round++) {
      let bytes: Uint8Array
      if (round % 2 === 0)
        bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 200) }, () => random() * 256)
      else {
        bytes = full.slice()
        for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
          bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256)
        }
      }
      const decoder = new GobDecoder({ maxMessageBytes: 1 << 16 })
      decoder.push(bytes)
      for (let i = 0; i < 1000; i++) {
        try {
          if (!decoder.next()) break
        } catch (error) {
          if (!(error instanceof GobError)) throw error
        }
      }
    }
  })
})
