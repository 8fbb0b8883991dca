// Hand-picked Lua probes (luaedge.probes.ts), each group a `modifier/lua-proxy` pre (or, marked
// `router`, a `modifier/lua-endpoint` script; with `answer`, a lua-proxy post on a no-op backend
// answering so) on GET /x<i>/{id}, whose results go out in X-Lua (luagen-grammar.ts's SHOW):
// gopher-lua's -0 (an arithmetic result is stored through its allocator, which hands back +0),
// what the request and response APIs hand a script of bytes that are not UTF-8, gsub back
// references with a count of 0, os.date / os.time / os.difftime / os.getenv. Both gateways get
// run.ts's environment: run it also with TZ= set (Asia/Kolkata, America/New_York) and with
// LUAEDGE_EMPTY= LUAEDGE_SET=v for the os.getenv probes.

import { PROBES } from './luaedge.probes.ts'
import { SHOW } from './luagen-grammar.ts'
import { scripted } from './scripted.ts'

const script = (exprs: string[], router = false, post = false) =>
  [
    SHOW,
    ...exprs.map(
      (e) => `__p(function() ${e.startsWith('local ') || e.startsWith('for ') ? e : `return ${e}`} end)`,
    ),
    `${router ? 'ctx' : post ? 'response' : 'request'}.load():headers("X-Lua", table.concat(__r, " ; "))`,
  ].join('\n')

export const config = {
  version: 3,
  name: 'luaedge',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router: { return_error_msg: true } },
  endpoints: PROBES.map((probe, i) => ({
    endpoint: `/x${i}/{id}`,
    input_headers: ['*'],
    input_query_strings: ['*'],
    extra_config: {
      [probe.router ? 'modifier/lua-endpoint' : 'modifier/lua-proxy']: {
        [probe.answer ? 'post' : 'pre']: script(probe.exprs, probe.router, probe.answer !== undefined),
        allow_open_libs: true,
      },
    },
    ...(probe.answer && !probe.json ? { output_encoding: 'no-op' } : {}),
    backend: [
      probe.answer
        ? { url_pattern: scripted(...probe.answer), ...(probe.json ? {} : { encoding: 'no-op' }) }
        : { url_pattern: '/obj', allow: ['a'] },
    ],
  })),
}
