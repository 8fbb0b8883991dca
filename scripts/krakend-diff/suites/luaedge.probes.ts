// The probes of luaedge.config.ts: Lua expressions (or statements starting `local`/`for` that
// return) and the requests they get (GET /x<i>/<id><query>).
export interface Probe {
  exprs: string[]
  /** Run as a `modifier/lua-endpoint` script (ctx.load()) instead of a lua-proxy pre. */
  router?: boolean
  /** Run as a lua-proxy post on a no-op endpoint whose backend answers so (results in X-Lua). */
  answer?: [number, Record<string, string | string[]>, string]
  /** With `answer`: the endpoint and backend decode JSON (the post reads `data()`). */
  json?: boolean
  requests?: Array<{ id?: string; query?: string; headers?: Array<[string, string]> }>
}

export const PROBES: Probe[] = [
  {
    exprs: [
      'tostring(0 * -1)',
      '1 / (0 * -1)',
      'tostring(-0)',
      '1 / -0',
      'local z = 0 return 1 / -z',
      'local z = 0 return 1 / (z * -1)',
      'local z = 0 return tostring(z * -1)',
      'local z = -0.5 return 1 / (z % 1 - 0.5)',
      'local z = 1 return 1 / (z - 1) , 1 / (-z + 1)',
      'local m = -math.huge return 1 / (m % -0.5)',
      'string.format("%g", 0 * -1)',
      'local z = 0 return string.format("%g %d", z * -1, z * -1)',
      'math.floor(-0.5)',
      '1 / math.floor(-0.5)',
      'math.ceil(-0.5)',
      'local z = 0 return 1 / (-z - 0)',
      'local z = 0 return 1 / ((-z) * 1)',
      'local z = 0 return 1 / ((-z) / 1)',
      'local z = 0 return 1 / ((-z) ^ 1)',
      'local t = {} t[0 * -1] = 1 return next(t)',
      'local z = 0 return 1 / (z * -1 + 0)',
      'for i = -0, 0 do return 1 / i end',
      'local s = -0 for i = s, 0 do return 1 / i end',
      'local z = 200 return 1 / (-(z * 0))',
      'local z = 200.5 return 1 / (z * -0)',
      'local z = 0 return tostring(-(z))',
      'local z = 0 return ("-0" + z)',
      'local z = 0 return 1 / ("-0" + z)',
      'local z = 0 return 1 / ("-0" * 1)',
      'local z = -1 return 1 / (z * 0)',
      'local z = -1e-320 return 1 / (z * 1e-10)',
      'local z = -1 return 1 / (z % 1)',
      'math.abs(-0)',
      '1 / math.abs(-0)',
      'tostring(math.max(-0, 0))',
      'tostring(math.min(0, -0))',
      'table.concat({0 * -1, -0}, ",")',
      '1 / ("-0" / -math.huge)',
      'local z = 0 return 1 / (z * "-1"), 1 / ("0" * -1), 1 / (-z - "0")',
    ],
  },
  {
    exprs: ['request.load():query()', '#request.load():query()', 'request.load():url()'],
    requests: [{ query: '?q=%ff' }, { query: '?q=%e6%97' }, { query: '?q=%C3%A9' }],
  },
  {
    exprs: [
      'request.load():headers("X-A")',
      '#request.load():headers("X-A")',
      'request.load():headers("X-A") == "\\255"',
      'request.load():headers("X-A") == "\\239\\191\\189"',
    ],
    requests: [{ headers: [['X-A', '\xff']] }, { headers: [['X-A', '\xe6\x97']] }],
  },
  {
    exprs: [
      'request.load():path()',
      '#request.load():path()',
      'request.load():params("Id")',
      '#request.load():params("Id")',
      'request.load():url()',
    ],
    requests: [{ id: '%ff' }, { id: '%e6%97' }, { id: '%C3%A9' }],
  },
  {
    router: true,
    exprs: [
      'ctx.load():query("q")',
      '#ctx.load():query("q")',
      'ctx.load():url()',
      'ctx.load():headers("X-A")',
      '#ctx.load():headers("X-A")',
      'ctx.load():params("id")',
      '#ctx.load():params("id")',
    ],
    requests: [
      { query: '?q=%ff', headers: [['X-A', '\xff']], id: '%ff' },
      { query: '?q=%e6%97', headers: [['X-A', '\xe6\x97']], id: '%e6%97' },
      { query: '?q=%C3%A9', headers: [['X-A', 'x']], id: '%C3%A9' },
      { query: '?q=a+b', headers: [['X-A', Buffer.from('é').toString('latin1')]], id: 'x' },
    ],
  },
  {
    exprs: ['local r = request.load() r:query("q=%ff&p=%e6%97&r=%C3%A9") return r:query()'],
  },
  {
    router: true,
    exprs: [
      'local c = ctx.load() c:query("q", "\\255") return c:url()',
      'local c = ctx.load() c:headers("X-Set", "\\195\\169\\255") return c:headers("X-Set")',
    ],
  },
  {
    exprs: [
      'string.gsub("12ab", "%a%2%2", "", 0)',
      'string.gsub("abc", "]*b.%2", "", 0)',
      'string.gsub("abc", "x%2", "")',
      'string.gsub("abc", "x%2", "", 1)',
      'string.find("abc", "x%1")',
      'string.find("abc", "a%1")',
      'string.match("abc", "b%1")',
      'string.match("abc", "(a)%2")',
      'string.gsub("abc", "%w%1", "")',
      'local t = {} for a in string.gmatch("x-y", "c%0f)-]") do t[#t + 1] = a end return #t',
      'local t = {} for a in string.gmatch("x-y", "x%1") do t[#t + 1] = a end return #t',
      'string.gsub("abc", "b%1", function() return "z" end, 0)',
      'string.gsub("abc", "a%1", "", 0)',
    ],
  },
  {
    answer: [200, { 'X-Be': ['\xff', Buffer.from('é').toString('latin1')], 'X-E': '\xe6\x97' }, '{}'],
    exprs: [
      'response.load():headers("X-Be")',
      '#response.load():headers("X-Be")',
      '#response.load():headers("X-E")',
      'local r = response.load() r:headers("X-Set", "\\195\\169\\255") return #r:headers("X-Set")',
    ],
  },
  {
    // The local zone (run the suite with TZ= set: both gateways get it).
    exprs: [
      'os.date("%Y-%m-%d %H:%M:%S", 0)',
      'os.date("*t", 86400).hour',
      'os.date("*t", 86400).isdst',
      'os.time({year = 2026, month = 1, day = 2, hour = 3})',
      'os.time({year = 2026, month = 7, day = 2, hour = 3, isdst = false})',
      'os.date("!%H:%M", 0)',
      'os.date("%c", 0)',
      'os.date("%z %Z", 0)',
      'os.date("%x %X %p", 1700000000)',
      'os.date("%a|%A|%b|%B|%d|%j|%e|%D|%w|%%|%y|%I|%P|%F|%T|%R|%s|%u|%G|%h|%n|%t|%k|%é|%", 1700000000)',
      'local t = os.date("*t", 1700000000) return t.year, t.month, t.day, t.hour, t.min, t.sec, t.wday, t.yday, t.isdst',
      'local t = os.date("!*t", 1700000000) return t.hour, t.yday',
      'local n = 0 for k in pairs(os.date("*t", 0)) do n = n + 1 end return n',
      'os.date("!!%H", 3600)',
      'os.date("%Y", "10")',
      'os.date("%Y", 1.9e9 + 0.5)',
      'os.date(5)',
      'os.time({year = 2026})',
      'os.time({year = 2026, month = 2})',
      'os.time({year = 2026, month = 14, day = 40, hour = 25, min = 61, sec = -1})',
      'os.time({year = "2026", month = "1", day = "2"})',
      'os.time({year = 2026.7, month = 1, day = 2})',
      'os.time({})',
      'os.time(nil) > 0',
      'os.time(5)',
      'os.getenv("LUAEDGE_EMPTY")',
      'os.getenv("LUAEDGE_UNSET")',
      'os.getenv("LUAEDGE_SET")',
      'os.difftime(10.9, 1.5)',
      'os.difftime(10, 3)',
      'os.difftime(5)',
      'os.difftime("7", 1)',
    ],
  },
  {
    answer: [
      200,
      { 'Content-Type': 'application/json' },
      '{"n":1.50,"big":12345678901234567890,"neg":-0,"e":1e2,"s":"\\u00e9\\ud800","t":true,"z":null,"l":[1,"a"],"m":{"k":2}}',
    ],
    json: true,
    exprs: [
      'response.load():data():get("n")',
      'type(response.load():data():get("n"))',
      'response.load():data():get("big")',
      'response.load():data():get("neg")',
      '1 / response.load():data():get("neg")',
      'response.load():data():get("e")',
      '#response.load():data():get("s")',
      'response.load():data():get("t")',
      'response.load():data():get("z")',
      'response.load():data():get("l"):len()',
      'response.load():data():get("m"):get("k")',
      'response.load():statusCode()',
    ],
  },
]
