// An error value with fewer than two colons (`error('x', 0)`, `error(42)`, `error(nil)`, `error(true)`)
// is gopher-lua's ApiError text in KrakenD: the value, then PCall's stack trace on the next line;
// krakend-lua's ToError cuts that at its first colon, so the client reads the trace, and a
// `msg || status` in such a value is no custom status (500). A text ToError slices out of range
// (`:: || 402`, no colon left before the sixth byte) is a Go panic: gin's recovery answers a bare 500.
// All checked against KrakenD CE 2.13.8; this runtime answered `error('boom || 418', 0)` with 418
// and `oom`, `error(42)` with `2 (pre-script:L0)`.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { luaPreGatewayWith } from './gateway-fixture.ts'

const MAIN_TRACE = "\t[G]: in function 'error'\n\t<string>:1: in main chunk\n\t[G]: ? (pre-script:L0)"

const CASES: Array<[script: string, status: number, body: string]> = [
  ["error('boom || 418', 0)", 500, MAIN_TRACE],
  ["error('plain', 0)", 500, MAIN_TRACE],
  ["error('no colon || 401', 0)", 500, MAIN_TRACE],
  ['error(42)', 500, MAIN_TRACE],
  ['error(nil)', 500, MAIN_TRACE],
  ['error(true)', 500, MAIN_TRACE],
  ["error('x', 3)", 500, MAIN_TRACE],
  ["error('Line 5: x || 403', 0)", 500, 'x'],
  [
    "error('a:5', 0)",
    500,
    "a:5\nstack traceback:\n\t[G]: in function 'error'\n\t<string>:1: in main chunk\n\t[G]: ?",
  ],
  [
    "local function f() error('x', 0) end\nlocal function g() f() end\ng()",
    500,
    "\t[G]: in function 'error'\n\t<string>:1: in function 'f'\n\t<string>:2: in function 'g'\n\t<string>:3: in main chunk\n\t[G]: ? (pre-script:L0)",
  ],
  [
    "local function f() error('x', 0) end\nlocal function g() return f() end\ng()",
    500,
    "\t[G]: in function 'error'\n\t<string>:1: in function <<string>:1>\n\t(tailcall): ?\n\t<string>:3: in main chunk\n\t[G]: ? (pre-script:L0)",
  ],
  [
    'local t = {}\nfunction t:m() error(7) end\nt:m()',
    500,
    "\t[G]: in function 'error'\n\t<string>:2: in function 'm'\n\t<string>:3: in main chunk\n\t[G]: ? (pre-script:L0)",
  ],
  [
    'local t = setmetatable({}, {__index = function() error(9) end})\nlocal y = t.a',
    500,
    "\t[G]: in function 'error'\n\t<string>:1: in function <<string>:1>\n\t<string>:2: in main chunk\n\t[G]: ? (pre-script:L0)",
  ],
  // gopher-lua keeps the first and last seven lines of a longer trace.
  [
    "local function f(n) if n == 0 then error('deep', 0) end f(n - 1) end\nf(60)",
    500,
    [
      "\t[G]: in function 'error'",
      ...Array(6).fill("\t<string>:1: in function 'f'"),
      '\t...',
      ...Array(5).fill("\t<string>:1: in function 'f'"),
      '\t<string>:2: in main chunk',
      '\t[G]: ? (pre-script:L0)',
    ].join('\n'),
  ],
  // A recursion to the stack's limit fails with its position, as there (the trace is not read whole).
  ['local function f() f() end\nf()', 500, 'stack overflow (pre-script:L1)'],
  [
    "local ok, e = pcall(error, 'x', 0)\nerror(e, 0)",
    500,
    "\t[G]: in function 'error'\n\t<string>:2: in main chunk\n\t[G]: ? (pre-script:L0)",
  ],
]

describe('Lua errors without a position carry gopher-lua’s stack trace', () => {
  const gateway = luaPreGatewayWith([
    ...CASES.map(([script], i): [string, string] => [`/e${i}`, script]),
    ['/panic', "error(':: || 402', 0)"],
    ['/table', "error(setmetatable({}, {__tostring = function() return 'tt' end}))"],
  ])

  test('the trace after the first colon is the message; no custom status', async () => {
    for (const [i, [script, status, body]] of CASES.entries()) {
      const res = await fetch(`${gateway.url}/e${i}`)
      assert.deepEqual({ status: res.status, body: await res.text() }, { status, body }, script)
    }
    assert.equal(gateway.raw.requests.length, 0)
  })

  test('a table is its address whatever its __tostring (gopher-lua’s String), then the trace', async () => {
    const res = await fetch(`${gateway.url}/table`)
    assert.equal(res.status, 500)
    assert.match(
      await res.text(),
      /^0x[0-9a-f]+\nstack traceback:\n\t\[G\]: in function 'error'\n\t<string>:1: in main chunk\n\t\[G\]: \? \(pre-script:L0\)$/,
    )
  })

  test("a text ToError cannot slice is Go's panic: a bare 500", async () => {
    const res = await fetch(`${gateway.url}/panic`)
    assert.equal(res.status, 500)
    assert.equal(await res.text(), '')
    assert.equal(res.headers.get('content-type'), null)
    assert.equal(res.headers.get('x-krakend-completed'), null)
  })
})
