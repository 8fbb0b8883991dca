// Seeded Lua programs from a grammar (luagen-grammar.ts), SEED= and N= programs (20 by default),
// each served twice: /p<i> runs it as a `modifier/lua-proxy` pre, /r<i> as a `modifier/lua-endpoint`
// script. Its guard refused: custom_error(results, 403) (the results in the body with
// return_error_msg at proxy level, no body at the router's); passed: the results go to the backend
// in `X-Lua` (one `;`-separated line, non-printable bytes as \ddd). A program gopher-lua cannot
// compile answers 500 on every call in KrakenD; one this runtime refuses to start on shows as the
// gateway not starting.
import { finish, luaGrammar } from './luagen-grammar.ts'

const seed = Number(process.env.SEED ?? 1)
const count = Number(process.env.N ?? 20)
const grammar = luaGrammar(seed)
export const programs = Array.from({ length: count }, () => grammar.program())

const proxy = (code: string, open: boolean) => ({
  'modifier/lua-proxy': { pre: code, allow_open_libs: open },
})
const router = (code: string, open: boolean) => ({
  'modifier/lua-endpoint': { pre: code, allow_open_libs: open },
})

export const config = {
  version: 3,
  name: 'luagen',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router: { return_error_msg: true } },
  endpoints: programs.flatMap((p, i) => [
    {
      endpoint: `/p${i}`,
      extra_config: proxy(
        finish(p, ' ; ', 'custom_error(__out, 403)', 'request.load():headers("X-Lua", __out)'),
        p.open,
      ),
      backend: [{ url_pattern: '/obj' }],
    },
    {
      endpoint: `/r${i}`,
      extra_config: router(
        finish(p, ' ; ', 'custom_error(__out, 403)', 'ctx.load():headers("X-Lua", __out)'),
        p.open,
      ),
      backend: [{ url_pattern: '/obj' }],
    },
  ]),
}
