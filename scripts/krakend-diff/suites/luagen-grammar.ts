// Seeded Lua programs for differential runs against gopher-lua as krakend-lua binds it (luagen.config.ts):
// probes of numbers and their edges, string coercion, comparisons across types, the string, table
// and math libraries, tostring/tonumber with bases, pcall/error, varargs, closures, numeric for
// bounds, escapes and long strings, each run under pcall and shown as `type:value`, plus whole
// statements that may not compile (5.3-only syntax, broken tokens). Every program terminates:
// loops are bounded or broken out of after a few turns.
import { celRandom } from './celgen-grammar.ts'

/** One generated program: its code and whether it asks for the open libraries. */
export interface LuaProgram {
  /** Ends in custom_error: 403 when the guard holds, else 418; the probes' results as the message, one line each. */
  code: string
  /** The probes run and the guard, up to where `code` answers: for a tail of one's own (`finish`). */
  body: string
  guard: string
  open: boolean
  /** The probes, in the order their results are listed. */
  probes: string[]
}

/** `p`'s body, then `refuse` (Lua) when its guard holds, else `pass`; `__out` is the results joined by `sep`. */
export function finish(p: LuaProgram, sep: string, refuse: string, pass: string): string {
  return `${p.body}\nlocal __out = table.concat(__r, ${JSON.stringify(sep)})\nif ${p.guard} then ${refuse} end\n${pass}`
}

// biome-ignore format: a pool of literals, one after another
const NUMBERS = [
  '0', '-0', '1', '-1', '0.5', '-0.5', '3', '7', '-7', '2.5', '1e308', '1e309', '-1e309', '2^53', '2^53+1',
  '2^63', '-2^63', '2^31', '2^32', '2^64', '0x10', '0xff', '0XA', '0x7fffffffffffffff', '0xffffffffffffffff',
  '1e2', '.5', '5.', '3e-2', '1E+3', '1/0', '-1/0', '0/0', 'math.huge', '-math.huge', 'math.pi',
  '9007199254740993', '123456789012345678', '1e15', '1e16', '1e100', '1e-7', '0.1', '1/3', '-2147483648',
  '4294967295', '255', '65', '1.5', '-1.5', '100', '0.1+0.2', '2^-1074', '1e-320',
]
// biome-ignore format: a pool of literals, one after another
const NUMBER_STRINGS = [
  '"0x10"', '" 5 "', '"1e"', '"inf"', '"nan"', '"  0x1A  "', '"5."', '".5"', '"1e2"', '"-0x10"', '"0b101"',
  '"012"', '"1_000"', '""', '"abc"', '"\\t7\\n"', '"+3"', '"- 3"', '"0x"', '"1e+"', '"Infinity"', '"-inf"',
  '"0x1p4"', '"1e400"', '"10"', '"3.5"', '"-0"', '"0x7fffffffffffffff"', '"1 2"', '"0o17"', '"9e999"',
]
/** Values whose text is no address (tables' and functions' are). */
const SCALARS = ['nil', 'true', 'false', '"a"', '"10"']
// biome-ignore format: a pool of literals, one after another
const OTHERS = ['nil', 'true', 'false', '{}', '{1,2}', '"a"', '"10"', '"b"']
// biome-ignore format: a pool of literals, one after another
const SUBJECTS = [
  '"hello world"', '"a-b-c"', '"  x  "', '""', '"aaa"', '"key=val; k2=v2"', '"THE (quick) fox"', '"1,22,333"',
  '"h\\195\\169llo"', '"\\0a\\0"', '"f(a(b)c)d"', '"[x]"', '"a.b.c"', '"%d%%"', '"Bearer abc.def.ghi"',
  '"/api/v1/users/42"', '"x\\ny"', '"ÀÉÎ straße"',
]
// biome-ignore format: a pool of literals, one after another
const PATTERNS = [
  '"o"', '"o w"', '"l+"', '"l-"', '"l*"', '"l?"', '"^h"', '"d$"', '"^$"', '"%a+"', '"%d+"', '"%s"', '"%w+"',
  '"%p"', '"%u"', '"%l+"', '"%x+"', '"%c"', '"(%a+)"', '"(%a+)=(%a+)"', '"()a()"', '"%b()"', '"%f[%w]%w+"',
  '"[%a-z]"', '"[^%s]+"', '"[a-c]+"', '"[]]"', '"[^]]"', '"."', '".-"', '"%."', '"%"', '"(h)(e)"', '"%1"',
  '"(a)%1"', '"[%d,]+"', '"%g"', '"%z"', '"[%]]"', '"((a)b)"', '"a*"', '""', '"[a-]"', '"%S+"', '"(.)"',
  '"^(%w+)"', '"([^.]+)$"', '"Bearer (.+)"', '"/(%d+)$"', '"[\\128-\\255]+"', '"[^%w%s]"',
]
// biome-ignore format: a pool of literals, one after another
const REPLACEMENTS = [
  '"X"', '"%1"', '"%0"', '"%%"', '"<%1>"', '"%2"', '"%x"', '"%"', '""', '{o="0", l="1"}', '{}',
  'function(c) return c:upper() end', 'function() return nil end', 'function() return false end',
  'function(a) return #a end', '5', 'function() return {} end',
]
const VERBS = ['d', 'i', 's', 'q', 'x', 'X', 'o', 'e', 'E', 'f', 'g', 'G', 'c', 'u', '%', 'a', 'b', 'v', 'z']
const FLAGS = ['', '', '-', '+', ' ', '#', '0', '-0', '+0']
const WIDTHS = ['', '', '5', '10', '1', '0', '99']
const PRECISIONS = ['', '', '.0', '.2', '.10', '.', '.3']
// biome-ignore format: a pool of literals, one after another
const FORMAT_ARGS = [
  '42', '-42', '3.5', '-3.5', '0', '-0', '1e20', '2^63', '-2^63', '1/0', '-1/0', '0/0', '255', '65', '0.5', '1.5',
  '2.5', '1e-5', '123456.789', '"hi"', '"a\\"b\\n"', '"12"', '"x y"', '"h\\195\\169"', '"\\255"', 'nil', 'true',
  '""', '"3.7"',
]
// biome-ignore format: a pool of literals, one after another
const INDEXES = ['1', '2', '-1', '-2', '0', '3', '10', '-10', '2.7', '-1.5', '"2"', '"x"', 'nil', '1e10', '-1e10', '0/0']

/** The generator: `program()` yields the next program of the seed's sequence. */
export function luaGrammar(seed: number) {
  const { rnd, pick } = celRandom(seed)
  const chance = (p: number) => rnd() < p
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1))

  const numberish = () => (chance(0.75) ? pick(NUMBERS) : pick(NUMBER_STRINGS))
  const anyValue = () => (chance(0.5) ? pick(NUMBERS) : chance(0.6) ? pick(NUMBER_STRINGS) : pick(OTHERS))

  function arithmetic(depth: number): string {
    if (depth <= 0 || chance(0.3)) return numberish()
    const op = pick(['+', '-', '*', '/', '%', '^', '..', '%', '/', '-'])
    const unary = chance(0.1) ? pick(['-', '- ', '-(-']) : ''
    const body = `${arithmetic(depth - 1)} ${op} ${arithmetic(depth - 1)}`
    if (unary === '-(-') return `-(-(${body}))`
    return `${unary}(${body})`
  }

  function comparison(): string {
    const op = pick(['==', '~=', '<', '<=', '>', '>='])
    return chance(0.7) ? `${arithmetic(1)} ${op} ${arithmetic(1)}` : `${anyValue()} ${op} ${anyValue()}`
  }

  function condition(depth: number): string {
    if (depth <= 0 || chance(0.3))
      return chance(0.6) ? comparison() : chance(0.5) ? anyValue() : libraryCall()
    const op = pick(['and', 'or', 'and', 'or'])
    const not = chance(0.2) ? 'not ' : ''
    return `${not}(${condition(depth - 1)} ${op} ${condition(depth - 1)})`
  }

  function formatSpec(): string {
    return `%${pick(FLAGS)}${pick(WIDTHS)}${pick(PRECISIONS)}${pick(VERBS)}`
  }

  function stringCall(): string {
    const s = pick(SUBJECTS)
    const p = pick(PATTERNS)
    switch (int(0, 13)) {
      case 0:
        return `string.find(${s}, ${p}${chance(0.4) ? `, ${pick(INDEXES)}` : ''}${chance(0.2) ? ', true' : ''})`
      case 1:
        return `string.match(${s}, ${p}${chance(0.3) ? `, ${pick(INDEXES)}` : ''})`
      case 2:
        return `(function() local t = {} for a, b in string.gmatch(${s}, ${p}) do t[#t + 1] = tostring(a) .. '/' .. tostring(b) if #t > 20 then break end end return table.concat(t, ' ') end)()`
      case 3:
        return `string.gsub(${s}, ${p}, ${pick(REPLACEMENTS)}${chance(0.3) ? `, ${pick(INDEXES)}` : ''})`
      case 4: {
        const specs = Array.from({ length: int(1, 3) }, formatSpec)
        const args = Array.from({ length: int(0, specs.length + 1) }, () => pick(FORMAT_ARGS))
        return `string.format(${JSON.stringify(specs.join(pick(['|', ' ', ''])))}${args.map((a) => `, ${a}`).join('')})`
      }
      case 5:
        return `string.rep(${pick(['"ab"', '"x"', '""', '1', '"é"'])}, ${pick(['3', '0', '-1', '2.9', '"2"', '1.5'])}${chance(0.2) ? ', ","' : ''})`
      case 6:
        return `string.sub(${s}, ${pick(INDEXES)}${chance(0.6) ? `, ${pick(INDEXES)}` : ''})`
      case 7:
        return `string.byte(${s}${chance(0.7) ? `, ${pick(INDEXES)}` : ''}${chance(0.4) ? `, ${pick(INDEXES)}` : ''})`
      case 8:
        return `string.char(${Array.from({ length: int(0, 3) }, () => pick(['72', '105', '0', '255', '256', '-1', '65.7', '"66"', 'nil'])).join(', ')})`
      case 9:
        return `${pick(['string.upper', 'string.lower', 'string.len', 'string.reverse'])}(${chance(0.85) ? s : pick(['12', '1.5', 'nil', '{}'])})`
      case 10:
        return `(${s}):${pick(['upper', 'lower', 'len', 'reverse'])}()`
      case 11:
        return `#${s}`
      case 12:
        return `${s} .. ${pick([...NUMBERS, ...SUBJECTS])}`
      default:
        return `string.format("%s", ${pick([...SCALARS, ...NUMBERS])})`
    }
  }

  function conversion(): string {
    switch (int(0, 4)) {
      case 0:
        return `tonumber(${anyValue()})`
      case 1: {
        const text = pick([
          '"ff"',
          '"FF"',
          '"z"',
          '"Z"',
          '"8"',
          '"1.5"',
          '" 10 "',
          '"10"',
          '"-ff"',
          '"0x10"',
          '"7fffffffffffffff"',
          '"ffffffffffffffffffff"',
          '"1e2"',
          '""',
          '"+1"',
          '"11"',
          '10',
          '"9"',
        ])
        return `tonumber(${text}, ${pick(['2', '8', '10', '16', '36', '1', '37', '"16"', '16.5', 'nil'])})`
      }
      case 2:
        return `tostring(${arithmetic(1)})`
      case 3:
        return `tostring(${pick(SCALARS)})`
      default:
        return `${arithmetic(2)} .. ""`
    }
  }

  function tableCall(): string {
    const t = pick([
      '{1,2,3}',
      '{}',
      '{1,nil,3}',
      '{nil,nil,3}',
      '{n=1}',
      '{"b","a","c"}',
      '{3,1,2,5,4}',
      '{1,2,nil}',
      '{[1]=1,[2]=2,[4]=4}',
      '{"x",10,"y"}',
    ])
    switch (int(0, 8)) {
      case 0:
        return `#${t}`
      case 1:
        return `(function() local t = ${t} table.insert(t, ${pick(['"z"', '1, "z"', '10, "z"', '0, "z"', '-1, "z"', '2.5, "z"', 'nil'])}) return table.concat(t, ",") end)()`
      case 2:
        return `(function() local t = ${t} local r = table.remove(t${chance(0.6) ? `, ${pick(['1', '0', '-1', '10', '#t', '2.5', '#t+1'])}` : ''}) return tostring(r) .. ":" .. #t end)()`
      case 3:
        return `table.concat(${t}${chance(0.6) ? `, ${pick(['","', '""', '1', 'nil'])}` : ''}${chance(0.4) ? `, ${pick(INDEXES)}, ${pick(INDEXES)}` : ''})`
      case 4:
        return `(function() local t = ${t} table.sort(t${chance(0.5) ? `, ${pick(['function(a, b) return a > b end', 'function(a, b) return tostring(a) < tostring(b) end', 'function(a, b) return true end', '"x"'])}` : ''}) return table.concat(t, ",") end)()`
      case 5:
        return `select("#", unpack(${t}${chance(0.4) ? `, ${pick(INDEXES)}, ${pick(INDEXES)}` : ''}))`
      case 6:
        return `${pick(['table.maxn', 'table.getn'])}(${t})`
      case 7:
        return `(function() local n = 0 for k, v in ${pick(['pairs', 'ipairs'])}(${t}) do n = n + 1 end return n end)()`
      default:
        return `next(${t})`
    }
  }

  function errorCall(): string {
    const arg = pick([
      '"x"',
      '"x", 0',
      '"x", 1',
      '"x", 2',
      '"x", 3',
      '{}',
      'nil',
      '42',
      '',
      'true',
      '"a:1: b"',
    ])
    switch (int(0, 5)) {
      case 0:
        return `pcall(error, ${arg || 'nil'})`
      case 1:
        return `select("#", pcall(error${arg ? `, ${arg}` : ''}))`
      case 2:
        return `(function() local ok, e = pcall(function() error(${arg}) end) return type(e) .. ":" .. tostring(type(e) == "table" and "t" or e) end)()`
      case 3:
        return `pcall(${pick(['nil', '1', '"s"', '{}', 'pcall', 'error', 'select', 'string.rep'])})`
      case 4:
        return `select(${pick(['"#"', '1', '2', '-1', '-3', '0', '1.5', '"2"', '"x"'])}, ${pick(['', '"a"', '"a", "b"', 'nil, nil', '1, 2, 3'])})`
      default:
        return `(function(...) return select("#", ...), ... end)(${pick(['', 'nil', 'nil, nil', '1, nil', '1, 2, 3'])})`
    }
  }

  function statementProbe(): string {
    switch (int(0, 6)) {
      case 0: {
        const [a, b, c] = [
          pick(['1', '0', '-1', '1.5', '2^53', '"1"', '10']),
          pick(['3', '1', '0', '2.5', '-3', '1e308', '"3"']),
          pick(['', '', '1', '-1', '0.5', '0', '-0.5', '2^53']),
        ]
        return `local n, last = 0, nil for i = ${a}, ${b}${c ? `, ${c}` : ''} do n = n + 1 last = i if n > 6 then break end end return n, last`
      }
      case 1:
        return `local fs = {} for i = 1, 3 do fs[i] = function() return i end end return fs[1]() + fs[3]()`
      case 2:
        return `local function f(...) local a, b = ... return select("#", ...), a, b, arg and arg.n end return f(${pick(['', 'nil', '1, nil', '1, 2, 3'])})`
      case 3:
        return `local c = 0 local function inc() c = c + 1 return c end inc() inc() return c, inc()`
      case 4:
        return `local t = setmetatable({}, {__index = function(t, k) return k .. "!" end}) return t.a, rawget(t, "a")`
      case 5:
        return `local s = 0 local i = 0 while true do i = i + 1 if i > ${int(0, 5)} then break end s = s + i end repeat s = s * 2 + 1 until s > ${int(0, 40)} return s`
      default:
        return `local a, b, c = (function() return 1, 2, 3 end)() local d = {(function() return 1, 2 end)(), 9} return a + b + c, #d`
    }
  }

  function libraryCall(): string {
    switch (int(0, 5)) {
      case 0:
        return `math.${pick(['floor', 'ceil', 'abs', 'sqrt', 'fmod', 'max', 'min', 'modf', 'log', 'exp', 'pow', 'frexp', 'ldexp', 'log10', 'mod'])}(${Array.from({ length: int(1, 2) }, numberish).join(', ')})`
      case 1:
        return stringCall()
      case 2:
        return conversion()
      case 3:
        return tableCall()
      case 4:
        return errorCall()
      default:
        return `type(${anyValue()})`
    }
  }

  function probe(): string {
    const kind = int(0, 9)
    if (kind === 0) return `function() ${statementProbe()} end`
    if (kind <= 2) return `function() return ${arithmetic(2)} end`
    if (kind === 3) return `function() return ${condition(2)} end`
    if (kind === 4) return `function() return ${pick(LITERAL_FORMS)} end`
    return `function() return ${libraryCall()} end`
  }

  function program(): LuaProgram {
    const probes = Array.from({ length: int(3, 8) }, probe)
    const lines = [SHOW, ...probes.map((p) => `__p(${p})`)]
    if (chance(0.15)) lines.push(pick(SYNTAX))
    // A guard as KrakenD users write them: the request is refused on a condition.
    const guard = condition(2)
    const body = lines.join('\n')
    const p = { body, guard, open: chance(0.92), probes: [...probes, guard], code: '' }
    p.code = finish(p, '\n', 'custom_error(__out .. "\\nB", 403)', 'custom_error(__out .. "\\nP", 418)')
    return p
  }

  return { program, rnd, pick }
}

/**
 * `__p(f)` runs f under pcall and lists `type:value` of what it returned; bytes outside printable
 * ASCII (and `|`, which custom_error splits on) are shown as `\ddd`.
 */
export const SHOW = `local __r = {}
local function __v(v)
  local t = type(v)
  if t == "table" or t == "function" or t == "userdata" then return t end
  local s = tostring(v)
  if string then s = string.gsub(s, "[^ -{}-~]", function(c) return "\\\\" .. string.byte(c) end) end
  return t .. ":" .. s
end
local function __pack(...) return {n = select("#", ...), ...} end
local function __p(f)
  local out = {}
  local res = __pack(pcall(f))
  for i = 1, res.n do out[i] = __v(res[i]) end
  __r[#__r + 1] = table.concat(out, ",")
end`

// biome-ignore format: a pool of literals, one after another
const LITERAL_FORMS = [
  '"\\065\\066"', '"\\x41"', '"\\z   abc"', '"\\256"', '"\\u{48}"', '[[a\nb]]', '[==[ ]] ]==]', '"a\\\nb"',
  "'\\a\\b\\f\\v\\r'", '"\\9\\09\\009"', '[[\nfirst newline]]', '"\\q"', '#[[\n]]', '0x', '1..2', '1 .. 2',
  '3e', '0x1p4', '1e+', '0x.8', '.e1', '08', '1.5e1', '"\\0"', '--[[ c ]] 1', '--[==[ c ]==] 2', '"\\999"',
  "'\\''", '"\\""', '[[]]', '"\\1234"', '0xG', '1e1e1', '5 // 2', '5 & 3', '5 | 3', '~5', '5 ~ 3', '1 << 2',
  '1 >> 2', 'not nil == true', '2 ^ 3 ^ 2', '-2 ^ 2', '"a" < "b"', '"a" < "B"', '"" < "a"', '"10" < "9"',
  '1 < "2"', '{} == {}', 'nil == false', '#"\\0\\0"', '-"2"', '-"x"', '- -2', '"5" * "2"', '"0x10" + 0',
  '"1e1" * 1', '10 % 0', '-10 % 3', '10 % -3', '5.5 % 2', '-5.5 % 2', '0/0 == 0/0', '1/0 > 2^1023', '-0 == 0',
  '1/-0', '2^0.5', '(-8)^(1/3)', '0^0', '2^1024', 'math.floor(-0.5)', 'math.floor(2^53+1)', 'math.fmod(-7, 3)',
  'math.fmod(7, 0)', 'math.max()', 'math.min(1, "2")', '7 % math.huge', '-7 % math.huge', '2^53 % 3',
]

/** Statements that may not compile in Lua 5.1 (goto, 5.3 operators, broken tokens) or do. */
// biome-ignore format: a pool of literals, one after another
const SYNTAX = [
  'goto done ::done::', '::l::', 'local x <const> = 1', 'local x = 1 // 2', 'x = 1 & 2', 'x = ~1', 'x = = 1',
  'return return', 'local s = "abc', 'local s = [[abc', 'x = 1 2', 'f{1}', 'x = #"abc"', 'local function end',
  'for i = 1 do end', 'for k, v in pairs({}) do end', 'local a.b = 1', 'a.b:c = 1', 'x = {1, 2,}', 'x = {,}',
  'x = 0x', 'x = 3e', 'x = 1..2', 'local t = {} t.x, t.y = 1', 'do local _ = 1 end', 'if true then end',
  'while false do end', 'repeat local z = 1 until z', 'break', 'return', 'return 1', 'x = "\\q"', 'x = a.b.c',
  'x = ...', '(f)', 'f()', 'local _ENV = {}', 'x = function(...) return ... end', 'x = function(a, ...) end',
  'x = function(..., a) end', 'x = 1 --[[ unterminated', 'x = "\\z\n  y"', 'x = [=[ ]==] ]=]', 'x = [=',
  'local a, b, = 1', 'x = not', 'x = 1 ~= 2', 'x = 1 != 2', 'x = a:b()', 'x = 1;;', ';', 'x = 1; return; x = 2',
  'local function f() return end; return f()', 'x = {[1]=1, [2]=}', 'x = @', 'x = $', 'x = `', 'x = 08',
]
