// Lua's http_response: a script's own HTTP calls (to the recording backend, which records them
// beside the gateway's backend calls) from modifier/lua-backend post and pre, modifier/lua-proxy pre
// and post (a rendering endpoint and a no-op one, skip_next), and modifier/lua-endpoint. What the
// call sends (method, body, headers, User-Agent, Accept-Encoding), what the script reads of the
// answer (status, headers, header lists, body; gzip undone, redirects followed) and the errors
// raised into the script (arguments, Go's client and url.Error, nil dereferences after close).
import { JSON_TYPE, scripted } from './scripted.ts'

const EMPTY = scripted(200, JSON_TYPE, '{}')

/** `/h/NAME`: one backend answering {}, whose lua-backend post runs `code` with `d` its data. */
function post(name: string, code: string) {
  return {
    endpoint: `/h/${name}`,
    backend: [
      {
        url_pattern: EMPTY,
        extra_config: {
          'modifier/lua-backend': {
            allow_open_libs: true,
            post: `local d = response.load():data(); ${code}`,
          },
        },
      },
    ],
  }
}

/** Sets the answer's status, body and some headers into d. */
const READ =
  "d:set('status', r:statusCode()); d:set('body', r:body()); d:set('ct', r:headers('Content-Type')); d:set('ce', r:headers('Content-Encoding')); d:set('cl', r:headers('content-length'))"

export const config = {
  version: 3,
  name: 'lua-http',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router: { return_error_msg: true } },
  endpoints: [
    post('get', `local r = http_response.new('BACKEND/echo/get?x=1&y=%20z'); ${READ}`),
    post(
      'post-body',
      `local r = http_response.new('BACKEND/echo/post', 'POST', '{"a":1}', {['X-One'] = '1', ['x-list'] = {'a', 'b'}, ['X-Num'] = 5, ['content-type'] = 'application/json'}); ${READ}`,
    ),
    post('post-empty', `local r = http_response.new('BACKEND/echo/post-empty', 'POST', ''); ${READ}`),
    post('put-empty', `local r = http_response.new('BACKEND/echo/put-empty', 'PUT', '', {}); ${READ}`),
    post('get-body', `local r = http_response.new('BACKEND/echo/get-body', 'GET', 'abc'); ${READ}`),
    post('get-empty3', `local r = http_response.new('BACKEND/echo/get-empty', 'GET', ''); ${READ}`),
    post('empty-method', `local r = http_response.new('BACKEND/echo/empty-method', '', 'x'); ${READ}`),
    post('delete', `local r = http_response.new('BACKEND/echo/delete', 'DELETE', ''); ${READ}`),
    post('status', `local r = http_response.new('BACKEND/status/404'); ${READ}`),
    post('status204', `local r = http_response.new('BACKEND/status/204'); ${READ}`),
    post('gz', `local r = http_response.new('BACKEND/gz'); ${READ}`),
    post(
      'gz-own',
      `local r = http_response.new('BACKEND/gz', 'GET', '', {['Accept-Encoding'] = 'gzip'}); d:set('ce', r:headers('Content-Encoding')); d:set('n', #r:body())`,
    ),
    post('head', `local r = http_response.new('BACKEND/echo/head', 'HEAD', ''); ${READ}`),
    post('redirect', `local r = http_response.new('BACKEND/redirect'); ${READ}`),
    post('redirect-post', `local r = http_response.new('BACKEND/redirect', 'POST', 'data'); ${READ}`),
    post('loop', `local r = http_response.new('BACKEND/loop'); ${READ}`),
    post('refused', `local r = http_response.new('http://127.0.0.1:1/x'); ${READ}`),
    post('scheme', `local r = http_response.new('ftp://example.com/x', 'GET', ''); ${READ}`),
    post('nohost', `local r = http_response.new('http:///x', 'GET', ''); ${READ}`),
    post('badmethod', `local r = http_response.new('BACKEND/echo/m', 'BAD METHOD', ''); ${READ}`),
    post('badurl3', `local r = http_response.new('::x', 'GET', ''); ${READ}`),
    post('badurl1', `local r = http_response.new('::x'); ${READ}`),
    post('relative', `local r = http_response.new('/echo/rel'); ${READ}`),
    post('noargs', 'local r = http_response.new()'),
    post('twoargs', "local r = http_response.new('BACKEND/echo/two', 'GET')"),
    post('colon', "local r = http_response:new('BACKEND/echo/colon')"),
    post(
      'closed',
      "local r = http_response.new('BACKEND/echo/closed'); r:close(); d:set('s', r:statusCode())",
    ),
    post(
      'closed-read',
      "local r = http_response.new('BACKEND/echo/closed-read'); local b = r:body(); r:close(); d:set('same', r:body() == b); r:close()",
    ),
    post(
      'closed-body',
      "local r = http_response.new('BACKEND/echo/closed-body'); r:close(); d:set('b', r:body())",
    ),
    post('hdr-noname', "local r = http_response.new('BACKEND/echo/h'); d:set('h', r:headers())"),
    post(
      'hdrlist',
      "local r = http_response.new('BACKEND/headers'); d:set('l', r:headerList('x-multi')); d:set('c', r:headerList('Set-Cookie')); d:set('none', r:headerList('X-None')); d:set('b', r:body())",
    ),
    post('notself', "local r = http_response.new('BACKEND/echo/ns'); d:set('s', r.statusCode())"),
    post(
      'pcall',
      "local ok, err = pcall(http_response.new, 'http://127.0.0.1:1/'); d:set('ok', ok); d:set('err', err)",
    ),
    post(
      'pcall-fn',
      "local ok, r = pcall(function() return http_response.new('BACKEND/echo/pcall') end); d:set('ok', ok); d:set('s', r:statusCode()); local ok2, e2 = pcall(function() local x = http_response.new('BACKEND/echo/pcall2'); error('after ' .. x:statusCode()) end); d:set('ok2', ok2); d:set('e2', e2)",
    ),
    post(
      'framing',
      `local r = http_response.new('BACKEND/echo/framing', 'POST', 'abc', {Host = 'other.example', ['Content-Length'] = '10', ['Transfer-Encoding'] = 'chunked', Connection = 'close'}); ${READ}`,
    ),
    post(
      'userinfo',
      `local r = http_response.new('http://user:pa%20ss@127.0.0.1:19000/echo/userinfo'); ${READ}`,
    ),
    post('userinfo-refused', `local r = http_response.new('http://user:secret@127.0.0.1:1/x'); ${READ}`),
    post(
      'userinfo-own',
      `local r = http_response.new('http://user:pass@127.0.0.1:19000/echo/userinfo-own', 'GET', '', {Authorization = 'Bearer x'}); ${READ}`,
    ),
    post(
      'pcall-after',
      "local ok, e = pcall(function() http_response.new('BACKEND/echo/pcall-after'); return math.floor('x') end); d:set('ok', ok); d:set('e', e)",
    ),
    post(
      'ua',
      `local r = http_response.new('BACKEND/echo/ua', 'GET', '', {['User-Agent'] = 'mine'}); ${READ}`,
    ),
    post(
      'many',
      "local n = 0; for i = 1, 3 do local r = http_response.new('BACKEND/echo/many' .. i); n = n + r:statusCode() end; d:set('n', n)",
    ),
    post(
      'metamethod',
      "local t = setmetatable({}, {__index = function(_, k) return http_response.new('BACKEND/echo/' .. k):statusCode() end}); d:set('s', t.meta)",
    ),
    post(
      'raise',
      "local r = http_response.new('BACKEND/status/500'); if r:statusCode() ~= 200 then custom_error('upstream ' .. r:statusCode(), 418) end",
    ),
    post(
      'type',
      "local r = http_response.new('BACKEND/echo/type'); d:set('t', type(r)); d:set('tn', type(http_response)); d:set('n', type(http_response.new))",
    ),
    {
      endpoint: '/h/backend-pre',
      backend: [
        {
          url_pattern: '/echo/backend-pre',
          extra_config: {
            'modifier/lua-backend': {
              pre: "local r = http_response.new('BACKEND/echo/side'); local q = request.load(); q:headers('X-Side', tostring(r:statusCode())); got = r:body()",
              post: "response.load():data():set('side', got)",
            },
          },
        },
      ],
    },
    {
      endpoint: '/h/proxy',
      extra_config: {
        'modifier/lua-proxy': {
          pre: "local r = http_response.new('BACKEND/echo/proxy-pre', 'POST', 'p'); request.load():headers('X-Pre', tostring(r:statusCode()))",
          post: "local r = http_response.new('BACKEND/obj'); response.load():data():set('from_post', r:headers('X-Be'))",
        },
      },
      backend: [{ url_pattern: '/echo/proxy' }],
    },
    {
      endpoint: '/h/skip',
      extra_config: {
        'modifier/lua-proxy': {
          skip_next: true,
          post: "local r = http_response.new('BACKEND/echo/skip'); local resp = response.load(); resp:data():set('s', r:statusCode()); resp:isComplete(true)",
        },
      },
      backend: [{ url_pattern: '/echo/never' }],
    },
    {
      endpoint: '/h/noop',
      output_encoding: 'no-op',
      extra_config: {
        'modifier/lua-proxy': {
          post: "local r = http_response.new('BACKEND/echo/noop-post'); local resp = response.load(); resp:headers('X-Side', tostring(r:statusCode())); resp:headers('Connection', nil); resp:headers('Keep-Alive', nil)",
        },
      },
      backend: [{ url_pattern: '/obj', encoding: 'no-op' }],
    },
    {
      endpoint: '/h/router',
      extra_config: {
        'modifier/lua-endpoint': {
          pre: "local r = http_response.new('BACKEND/echo/router'); local c = ctx.load(); c:headers('X-Router', tostring(r:statusCode()) .. ' ' .. r:headers('X-Echo'))",
        },
      },
      input_headers: ['X-Router'],
      backend: [{ url_pattern: '/echo/after-router' }],
    },
    {
      endpoint: '/h/router-fail',
      extra_config: {
        'modifier/lua-endpoint': {
          pre: "local r = http_response.new('BACKEND/status/403'); if r:statusCode() == 403 then custom_error('no', 403) end",
        },
      },
      backend: [{ url_pattern: '/echo/never' }],
    },
    {
      endpoint: '/h/router-err',
      extra_config: {
        'modifier/lua-endpoint': { pre: "http_response.new('http://127.0.0.1:1/')" },
      },
      backend: [{ url_pattern: '/echo/never' }],
    },
    {
      endpoint: '/h/deadline',
      timeout: '500ms',
      backend: [
        {
          url_pattern: EMPTY,
          extra_config: {
            'modifier/lua-backend': {
              post: "local r = http_response.new('BACKEND/slow'); response.load():data():set('s', r:statusCode())",
            },
          },
        },
      ],
    },
    {
      endpoint: '/h/deadline-proxy-post',
      timeout: '500ms',
      extra_config: {
        'modifier/lua-proxy': {
          post: "local r = http_response.new('BACKEND/slow'); response.load():data():set('s', r:statusCode())",
        },
      },
      backend: [{ url_pattern: EMPTY }],
    },
    {
      endpoint: '/h/deadline-proxy-pre',
      timeout: '500ms',
      extra_config: {
        'modifier/lua-proxy': {
          pre: "local r = http_response.new('BACKEND/slow'); request.load():headers('X-S', tostring(r:statusCode()))",
        },
      },
      backend: [{ url_pattern: '/echo/after-slow' }],
    },
    {
      endpoint: '/h/router-slow',
      timeout: '500ms',
      extra_config: {
        'modifier/lua-endpoint': {
          pre: "local r = http_response.new('BACKEND/slow'); ctx.load():headers('X-S', tostring(r:statusCode()))",
        },
      },
      input_headers: ['X-S'],
      backend: [{ url_pattern: '/echo/after-router-slow' }],
    },
  ],
}
