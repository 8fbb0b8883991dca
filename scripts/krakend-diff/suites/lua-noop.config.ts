// Lua on answers passed through unparsed: modifier/lua-backend on a no-op backend (behind a no-op
// endpoint, /n/, and behind one that renders, /r/) and modifier/lua-proxy on a no-op endpoint. What
// a script reads of the backend's answer (status, headers, body), what it changes and what reaches
// the client. Left differing, both deliberate: a script's body or rendered data that no longer
// matches the backend's Content-Length (/n/body-sized*, /r/sized: KrakenD's connection aborts, this
// runtime sends the body with its own length), and over --h2c /n/keep-alive and /r/keep-alive
// (KrakenD's stream resets on the backend's Connection line, this runtime answers without it).
import { JSON_TYPE, scripted } from './scripted.ts'

type Extra = Record<string, unknown>
const lua = (code: { pre?: string; post?: string; skip_next?: boolean }) => ({
  allow_open_libs: true,
  ...code,
})

/** A no-op endpoint `/n/NAME` with one backend. */
function noop(name: string, url: string, backend: Extra = {}, endpoint: Extra = {}, more: Extra = {}) {
  return {
    endpoint: `/n/${name}`,
    output_encoding: 'no-op',
    ...more,
    extra_config: endpoint,
    backend: [{ url_pattern: url, encoding: 'no-op', extra_config: backend }],
  }
}
/** A rendering endpoint `/r/NAME` with one no-op backend. */
function rendering(name: string, url: string, backend: Extra, more: Extra = {}) {
  return {
    endpoint: `/r/${name}`,
    ...more,
    backend: [{ url_pattern: url, encoding: 'no-op', extra_config: backend }],
  }
}
// Go's HTTP/2 server writes the backend's Connection and Keep-Alive lines, which HTTP/2 clients
// refuse (a documented deviation): the scripts take them out, so that --h2c compares the rest.
const STRIP = "r:headers('Connection', nil); r:headers('Keep-Alive', nil)"
const post = (code: string) => ({
  'modifier/lua-backend': lua({ post: `local r = response.load(); ${STRIP}; ${code}` }),
})
const proxyPost = (code: string) => ({
  'modifier/lua-proxy': lua({ post: `local r = response.load(); ${STRIP}; ${code}` }),
})

const sized = scripted(
  200,
  { ...JSON_TYPE, 'Content-Length': '13', 'X-Be': 'sized' },
  '{"sized":true}'.slice(0, 13),
)
const teapot = scripted(418, { 'Content-Type': 'text/plain', 'X-Be': ['a', 'b'] }, 'short and stout')
const untyped = scripted(200, {}, '<html><body>hi</body></html>')

export const config = {
  version: 3,
  name: 'lua-noop',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router: { return_error_msg: true } },
  endpoints: [
    noop(
      'read',
      '/obj',
      post(
        "r:headers('X-Len', tostring(#r:body())); r:headers('X-Status', tostring(r:statusCode())); r:headers('X-CT', r:headers('Content-Type')); r:headers('X-Lower', r:headers('content-type')); r:headers('X-Complete', tostring(r:isComplete())); r:headers('X-Data', tostring(r:data():len()))",
      ),
    ),
    noop('body', '/obj', post("r:body('replaced')")),
    noop('body-sized', sized, post("r:body('a much longer body than before')")),
    noop('body-sized-short', sized, post("r:body('tiny')")),
    noop('body-sized-same', sized, post('r:body(string.upper(r:body()))')),
    noop('status', teapot, post("r:statusCode(201); r:headers('X-Was', 'teapot')")),
    noop('status0', teapot, post('r:statusCode(0)')),
    noop('status-neg', teapot, post('r:statusCode(-5)')),
    noop('status-big', teapot, post('r:statusCode(1000)')),
    noop('status99', teapot, post('r:statusCode(99)')),
    noop('status204', '/obj', post('r:statusCode(204)')),
    noop(
      'teapot-read',
      teapot,
      post(
        "r:headers('X-B', r:body() .. '!'); local l = r:headerList('X-Be'); r:headers('X-N', tostring(l:len()))",
      ),
    ),
    noop('data', '/obj', post("r:data():set('x', 1)")),
    noop('data-incomplete', '/obj', post("r:data():set('x', 1); r:isComplete(false)")),
    noop('data-cache', '/obj', post("r:data():set('x', 1)"), {}, { cache_ttl: '30s' }),
    noop('error', '/obj', post("custom_error('nope', 418)")),
    noop('error-type', '/obj', post("custom_error('{\"e\":1}', 409, 'application/json')")),
    noop('error-plain', '/obj', post("error('boom')")),
    noop('error-pre', '/obj', { 'modifier/lua-backend': lua({ pre: "custom_error('pre says no', 403)" }) }),
    noop('pre', '/echo/p', {
      'modifier/lua-backend': lua({
        pre: "local q = request.load(); q:headers('X-Pre', 'yes'); q:url(q:url() .. '?added=1')",
        post: `local r = response.load(); ${STRIP}`,
      }),
    }),
    noop('pre-post', '/echo/pp', {
      'modifier/lua-backend': lua({
        pre: "request.load():headers('X-Pre', 'yes')",
        post: `local r = response.load(); ${STRIP}; r:headers('X-Post', tostring(#r:body()))`,
      }),
    }),
    noop(
      'gz',
      '/gz',
      post("r:headers('X-Body', r:body()); r:headers('X-CE', r:headers('Content-Encoding'))"),
    ),
    noop('big', '/big', post("r:headers('X-Len', tostring(#r:body()))")),
    noop('big-plain', '/big', post("r:headers('X-Seen', 'yes')")),
    noop('del-type', untyped, post("r:headers('Content-Type', nil)")),
    noop('set-type', '/obj', post("r:headers('Content-Type', 'text/x-lua')")),
    noop('cookies', '/setcookie', post("r:headers('Set-Cookie', 'only=1')")),
    noop(
      'cookie-list',
      '/setcookie',
      post("local l = r:headerList('Set-Cookie'); l:set(l:len(), 'extra=3'); r:headerList('Set-Cookie', l)"),
    ),
    noop('static', '/obj', post("r:headers('X-Keys', tostring(r:data():len()))"), {
      'proxy/static': { strategy: 'always', data: { s: 1 } },
    }),
    noop(
      'proxy',
      '/obj',
      {},
      proxyPost("r:headers('X-Proxy', tostring(#r:body())); r:body(r:body() .. '\\n')"),
    ),
    noop(
      'proxy-status',
      teapot,
      {},
      proxyPost("r:headers('X-S', tostring(r:statusCode())); r:statusCode(202)"),
    ),
    noop(
      'proxy-skip',
      '/obj',
      {},
      {
        'modifier/lua-proxy': lua({
          skip_next: true,
          post: "local r = response.load(); r:headers('X-Skip', tostring(r:statusCode())); r:body('skipped')",
        }),
      },
    ),
    noop('proxy-skip-empty', '/obj', {}, { 'modifier/lua-proxy': lua({ skip_next: true }) }),
    noop(
      'proxy-pre',
      '/echo/pr',
      {},
      {
        'modifier/lua-proxy': lua({
          pre: "request.load():headers('X-Proxy-Pre', 'on')",
          post: `local r = response.load(); ${STRIP}`,
        }),
      },
    ),
    noop('keep-alive', '/obj', {
      'modifier/lua-backend': lua({ post: "response.load():headers('X-Seen', 'yes')" }),
    }),
    noop('proxy-error', '/obj', {}, proxyPost("custom_error('proxy no', 451)")),
    noop(
      'both',
      '/obj',
      post("r:headers('X-B', 'backend'); r:body('from backend')"),
      proxyPost("r:headers('X-P', r:body() .. '+' .. r:headers('X-B'))"),
    ),
    noop('backend-skip', '/obj', {
      'modifier/lua-backend': lua({
        skip_next: true,
        post: "local r = response.load(); r:headers('X-S', tostring(r:statusCode()))",
      }),
    }),
    rendering(
      'data',
      '/obj',
      post("r:data():set('raw', r:body()); r:data():set('status', r:statusCode()); r:headers('X-R', 'yes')"),
    ),
    rendering('sized', sized, post("r:data():set('raw', r:body())")),
    rendering(
      'teapot',
      teapot,
      post("r:data():set('status', r:statusCode()); r:data():set('ct', r:headers('Content-Type'))"),
    ),
    rendering('empty', teapot, post("r:headers('X-R', 'yes')")),
    rendering('error', '/obj', post("custom_error('rendering no', 422)")),
    {
      endpoint: '/r/sequential',
      extra_config: { proxy: { sequential: true, sequential_propagated_params: ['resp0'] } },
      backend: [
        { url_pattern: '/obj', encoding: 'no-op', extra_config: post("r:body('from-lua')") },
        { url_pattern: '/echo/seq' },
      ],
    },
    rendering('keep-alive', '/obj', {
      'modifier/lua-backend': lua({ post: "response.load():data():set('x', 1)" }),
    }),
  ],
}
