// Seeded Lua patterns, valid and malformed (`()[]%^$-*+?.`, classes, `%b`, back references), through
// string.find/match/gmatch/gsub as probes under pcall (luagen-grammar.ts's `type:value` lines), and
// one unprotected find as the guard: gopher-lua compiles a whole pattern before matching, so a
// malformed guard pattern fails the call (500) whatever the path. SEED= and N= programs (20 by
// default), PER= probes each (12); /p<i> runs a program as a `modifier/lua-proxy` pre. Left out as
// known deviations (README): a string replacement's count with an empty match right after a match
// (its string is compared, with a '' replacement; a function replacement's count is compared) and
// back references to position captures.
import { celRandom } from './celgen-grammar.ts'
import { finish, SHOW } from './luagen-grammar.ts'

const seed = Number(process.env.SEED ?? 1)
const count = Number(process.env.N ?? 20)
const per = Number(process.env.PER ?? 12)
const { rnd, pick } = celRandom(seed)

// biome-ignore format: a pool of pattern pieces, one after another
const PIECES = [
  '(', ')', '[', ']', '%', '^', '$', '-', '*', '+', '?', '.', 'a', 'b', 'c', '0', '1', '/', 'f', 'x', '%a', '%d',
  '%w', '%s', '%b', '%b()', '%1', '%2', '%0', '%f', '[^', '()', '%%', '%]', '[%a-z]', '(%a+)', '%z',
]
const SUBJECTS = ['abc', '', 'a(b)c', '/api/v1/users/42', '[a]', 'k=v; x=', 'f(g)', '12ab', 'a)b(', 'x-y^z$']

const lit = (s: string) => `"${[...Buffer.from(s, 'latin1')].map((b) => `\\${b}`).join('')}"`

function pattern(): string {
  for (;;) {
    let p = ''
    for (let i = Math.floor(rnd() * 7); i > 0; i--) p += pick(PIECES)
    if (!(p.includes('()') && /%[1-9]/.test(p))) return p
  }
}

function probe(): string {
  const s = lit(pick(SUBJECTS))
  const p = lit(pattern())
  switch (Math.floor(rnd() * 6)) {
    case 0:
      return `function() return string.find(${s}, ${p}${rnd() < 0.3 ? ', 2' : ''}) end`
    case 1:
      return `function() return string.match(${s}, ${p}) end`
    case 2:
      return `function() local t = {} for a, b in string.gmatch(${s}, ${p}) do t[#t + 1] = tostring(a) .. '/' .. tostring(b) if #t > 20 then break end end return table.concat(t, ' ') end`
    case 3:
      return `function() return (string.gsub(${s}, ${p}, ''${rnd() < 0.2 ? ', 0' : ''})) end`
    case 4:
      return `function() return string.gsub(${s}, ${p}, '<%0>', 1) end`
    default:
      return `function() return string.gsub(${s}, ${p}, function(...) return select('#', ...) .. tostring((...)) end${rnd() < 0.3 ? `, ${pick(['0', '1', '2'])}` : ''}) end`
  }
}

export const programs = Array.from({ length: count }, () => {
  const probes = Array.from({ length: per }, probe)
  const guard = `string.find(request.load():path(), ${lit(pattern())})`
  return { body: [SHOW, ...probes.map((p) => `__p(${p})`)].join('\n'), guard, open: true, probes, code: '' }
})

export const config = {
  version: 3,
  name: 'luapatterns',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router: { return_error_msg: true } },
  endpoints: programs.map((p, i) => ({
    endpoint: `/p${i}`,
    extra_config: {
      'modifier/lua-proxy': {
        pre: finish(p, ' ; ', 'custom_error(__out, 403)', 'request.load():headers("X-Lua", __out)'),
        allow_open_libs: true,
      },
    },
    backend: [{ url_pattern: '/obj' }],
  })),
}
